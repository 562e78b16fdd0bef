"""Writes of the services part: a provider's services (settings) and their vacancies."""

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from dps.services import DomainError
from dps.services.audit import audit_record
from dps.tenancy import Actor
from geography.postcodes import normalise_postcode

from ..access import may_manage_services
from ..models import Service
from . import quality
from .location import service_locate

# What a provider may set on a service (vacancies have their own function). Not its Ofsted
# rating and inspection date: they come from the Ofsted import or the consortium's
# verification (services/ratings.py), since they feed the quality score and so the ranking.
EDITABLE_FIELDS = (
    "service_type",
    "name",
    "ofsted_urn",
    "registered_places",
    "age_min",
    "age_max",
    "genders",
    "postcode",
    "needs_met",
    "specialisms",
)
RATING_FIELDS = ("ofsted_rating", "inspection_date")
# Derived from the postcode with the ONS Postcode Directory (services/location.py).
DERIVED_FIELDS = ("postcode_district", "local_authority")
DERIVED_REFUSED = (
    "The postcode district and local authority come from the service's postcode: "
    "send the postcode instead."
)
RATING_REFUSED = (
    "The Ofsted rating and inspection date come from Ofsted's data or the consortium's "
    "verification: propose a correction instead."
)
# A change to one of these changes the inspection part of the quality score.
SCORED_FIELDS = {"ofsted_rating", "inspection_date", "registered_places", "is_active"}
RECOMPUTE_TRIGGER = "service.changed"
# A change to one of these locates the service again.
LOCATION_FIELDS = {"postcode"}


def _require_manager(actor: Actor | None, service: Service | None = None) -> Actor:
    if not may_manage_services(actor):
        raise PermissionDenied("Only the provider's admin can change its services.")
    if service is not None and service.provider_id != actor.organisation.pk:
        raise PermissionDenied("This is not your service.")
    return actor


def _jsonable(value):
    return value.isoformat() if isinstance(value, date) else value


def _validate(service):
    """full_clean, with the first problem raised as a DomainError naming its field."""
    try:
        service.full_clean()
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
        field, messages = next(iter(errors.items()))
        raise DomainError(messages[0], field=None if field == "__all__" else field) from exc


def _normalise(fields):
    clean = {}
    for name, value in fields.items():
        if name in RATING_FIELDS:
            raise DomainError(RATING_REFUSED, field=name)
        if name in DERIVED_FIELDS:
            raise DomainError(DERIVED_REFUSED, field=name)
        if name not in EDITABLE_FIELDS:
            raise DomainError(f"{name} cannot be set here.", field=name)
        if name == "ofsted_urn" and value is not None:
            value = "".join(str(value).split()).upper()
        if name == "postcode" and value is not None:
            # Written the standard way ("SE1 7PB"); what is not a postcode is left for the
            # model's validation to refuse, naming the field.
            value = normalise_postcode(value) or str(value).strip().upper()
        if name == "name" and value is not None:
            value = str(value).strip()
        if name == "specialisms" and value is not None:
            value = sorted(set(value))
        if name == "needs_met" and value is not None:
            value = {code: score for code, score in value.items() if score is not None}
        clean[name] = value
    return clean


@transaction.atomic
def service_create(*, actor: Actor | None, **fields: Any) -> Service:
    """Add a service to the actor's provider."""
    actor = _require_manager(actor)
    service = Service(provider=actor.organisation, **_normalise(fields))
    service_locate(service)
    _validate(service)
    service.save()
    audit_record(
        actor=actor,
        action="service.created",
        obj=service,
        detail={name: _jsonable(getattr(service, name)) for name in EDITABLE_FIELDS},
    )
    quality.quality_score_recompute(provider=service.provider, trigger=RECOMPUTE_TRIGGER)
    return service


@transaction.atomic
def service_update(*, actor: Actor | None, service: Service, **fields: Any) -> Service:
    """Change a service's details. A change to its places recomputes the provider's quality
    score."""
    _require_manager(actor, service)
    service = Service.objects.select_for_update().get(pk=service.pk)
    fields = _normalise(fields)
    places = fields.get("registered_places")
    if places is not None and places < service.vacancies:
        raise DomainError(
            f"Registered places cannot be fewer than the current vacancies ({service.vacancies}). "
            "Update the vacancies first.",
            "registered_places",
        )
    changes = {}
    for name, value in fields.items():
        old = getattr(service, name)
        if old != value:
            changes[name] = {"old": _jsonable(old), "new": _jsonable(value)}
            setattr(service, name, value)
    if not changes:
        return service
    if LOCATION_FIELDS & changes.keys():
        service_locate(service)
    _validate(service)
    service.save()
    audit_record(actor=actor, action="service.updated", obj=service, detail=changes)
    if SCORED_FIELDS & changes.keys():
        quality.quality_score_recompute(provider=service.provider, trigger=RECOMPUTE_TRIGGER)
    return service


@transaction.atomic
def service_set_active(*, actor: Actor | None, service: Service, active: bool) -> Service:
    """Deactivate a service (it is no longer offered, and is left out of the directory and
    the score) or reactivate it. Its vacancies are cleared when it is deactivated."""
    _require_manager(actor, service)
    old = Service.objects.select_for_update().get(pk=service.pk)
    if old.is_active == active:
        state = "active" if active else "deactivated"
        raise DomainError(f"{old.name} is already {state}.")
    old.is_active = active
    if not active:
        old.vacancies = 0
    old.save(update_fields=["is_active", "vacancies", "updated_at"])
    audit_record(
        actor=actor,
        action="service.reactivated" if active else "service.deactivated",
        obj=old,
    )
    quality.quality_score_recompute(provider=old.provider, trigger=RECOMPUTE_TRIGGER)
    return old


@transaction.atomic
def vacancies_update(*, actor: Actor | None, vacancies: Mapping[Any, Any]) -> list[Service]:
    """Set the vacancies of some of the provider's active services: {service id: number}.
    Every figure sent is stamped as updated now, changed or not: confirming a figure is an
    update. Nothing is saved if one figure is refused."""
    actor = _require_manager(actor)
    ids = list(vacancies)
    services = {
        s.pk: s
        for s in Service.objects.select_for_update().filter(
            pk__in=ids, provider=actor.organisation, is_active=True
        )
    }
    now = timezone.now()
    updated = []
    for pk in ids:
        service = services.get(pk)
        field = f"service-{pk}"
        if service is None:
            raise DomainError("There is no such active service of yours.", field)
        number = vacancies[pk]
        if isinstance(number, bool) or not isinstance(number, int) or number < 0:
            raise DomainError("Vacancies must be a whole number, 0 or more.", field)
        if number > service.registered_places:
            raise DomainError(
                f"{service.name}: vacancies cannot exceed its {service.registered_places} "
                "registered places.",
                field,
            )
        old = service.vacancies
        service.vacancies = number
        service.vacancies_updated_at = now
        service.save(update_fields=["vacancies", "vacancies_updated_at", "updated_at"])
        audit_record(
            actor=actor,
            action="service.vacancies",
            obj=service,
            detail={"old": old, "new": number},
        )
        updated.append(service)
    return updated
