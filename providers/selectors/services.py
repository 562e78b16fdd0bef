"""Reads of the services part: which services (settings), and which proposed corrections of
their Ofsted ratings, an actor may see."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import QuerySet

from dps.models import Organisation
from dps.tenancy import Actor
from geography.selectors import Place, Unknown

from ..models import Enrolment, RatingProposal, Service


def enrolled_provider_ids(
    consortium: Organisation, statuses: Iterable[str] = (Enrolment.Status.ACTIVE,)
) -> QuerySet[Enrolment, Mapping[str, Any]]:
    """The providers with an enrolment of one of `statuses` on a lot of the consortium."""
    return Enrolment.objects.filter(lot__consortium=consortium, status__in=statuses).values(
        "provider_id"
    )


def services_visible_to(actor: Actor | None) -> QuerySet[Service]:
    """A provider's people and API clients see all its own services, active or not. Boroughs
    see the active services of providers actively enrolled on a lot of their consortium; the
    consortium admin also those of suspended providers. Nobody else sees any."""
    if actor is None:
        return Service.objects.none()
    if actor.is_provider:
        return Service.objects.filter(provider=actor.organisation).select_related("provider")
    consortium = actor.consortium
    if consortium is None:
        return Service.objects.none()
    statuses = [Enrolment.Status.ACTIVE]
    if actor.is_consortium_admin:
        statuses.append(Enrolment.Status.SUSPENDED)
    return Service.objects.filter(
        is_active=True, provider_id__in=enrolled_provider_ids(consortium, statuses)
    ).select_related("provider")


def services_for_vacancies(actor: Actor | None) -> QuerySet[Service]:
    """The provider's active services, in the order its vacancies page lists them."""
    if actor is None or not actor.is_provider:
        return Service.objects.none()
    return Service.objects.filter(provider=actor.organisation, is_active=True).order_by("name")


def rating_proposals_visible_to(actor: Actor | None) -> QuerySet[RatingProposal]:
    """A provider's proposals on its own services; a consortium admin's on the services it
    oversees (those of providers enrolled with its consortium). Nobody else's."""
    if actor is None or not (actor.is_provider or actor.is_consortium_admin):
        return RatingProposal.objects.none()
    return RatingProposal.objects.filter(service__in=services_visible_to(actor)).select_related(
        "service", "service__provider", "proposed_by", "decided_by"
    )


def service_place(service: Service) -> Place:
    """Where the service is, as the directory located it (no query): its grid reference and
    council, or why it is not located."""
    if service.easting is not None and service.northing is not None:
        return Place(service.postcode_district, service.easting, service.northing, service.council)
    return Place(
        service.postcode_district,
        council=service.council,
        unknown=service.location_unknown or Unknown.NOT_GIVEN,
    )
