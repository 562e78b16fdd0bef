"""Who may touch which of the providers app's objects, decided once here.

Each tenant-owned model has one helper, `get_<model>_for_actor(actor, pk, *, write=False)`: the
object if the actor may see it, else 404 (another tenant's, a missing one and a malformed id
alike, so that nothing reveals another's object exists); with `write`, 403 for a role that may
only read it. Pages, the API and the services ask the predicates below, built on the Actor's
own (dps.tenancy), rather than restating a role rule.

A service's Ofsted rating feeds the quality score, and so the ranking of bids: its provider
cannot set it. The rating comes from the Ofsted import or a consortium admin's recorded
verification. The provider's admins (and its API clients with the write scope) may propose a
correction; the admin of a consortium the provider is enrolled with confirms or rejects it.
Anyone else's proposal is the same 404 as one that does not exist."""

from typing import TypeGuard, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet

from dps.models import Organisation, Role
from dps.services import DomainError
from dps.tenancy import Actor, get_or_404

from .models import (
    Application,
    DeclarationQuestion,
    Document,
    Enrolment,
    Lot,
    QualityScore,
    RatingProposal,
    Service,
)
from .selectors.documents import documents_visible_to
from .selectors.enrolment import (
    application_detail,
    applications_visible_to,
    declaration_questions_visible_to,
    enrolments_visible_to,
)
from .selectors.lots import lots_visible_to
from .selectors.quality import quality_scores_visible_to
from .selectors.services import rating_proposals_visible_to, services_visible_to

M = TypeVar("M", bound=Model)

# --- Who may write what ------------------------------------------------------------------------


def is_provider_manager(actor: Actor | None) -> TypeGuard[Actor]:
    """A provider's admins, and its systems with the write scope (not its bidders)."""
    return (
        actor is not None
        and actor.is_bidder
        and (not actor.is_person or actor.role == Role.PROVIDER_ADMIN)
    )


def may_manage_services(actor: Actor | None) -> TypeGuard[Actor]:
    """Who adds and changes a provider's services and sets their vacancies."""
    return is_provider_manager(actor)


def may_see_service_location(actor: Actor | None, service: Service) -> bool:
    """Who sees a service's full postcode (and so where exactly it is): the provider that runs
    it and the consortium. Boroughs see its local authority, district and distance band;
    other providers never see it."""
    if actor is None:
        return False
    if actor.is_provider:
        return service.provider_id == actor.organisation.pk
    return actor.kind == Organisation.Kind.CONSORTIUM


def may_upload_documents(actor: Actor | None) -> TypeGuard[Actor]:
    """Who uploads (and so renews) a provider's accreditation documents."""
    return is_provider_manager(actor)


def may_propose_ratings(actor: Actor | None) -> TypeGuard[Actor]:
    """Who proposes a correction of a service's Ofsted rating."""
    return is_provider_manager(actor)


def may_verify_ratings(actor: Actor | None) -> TypeGuard[Actor]:
    """Who records a verified rating, and confirms or rejects a proposed correction."""
    return actor is not None and actor.is_consortium_writer


def may_write_applications(actor: Actor | None) -> bool:
    """A provider's administrators fill in and submit its applications; a consortium admin
    decides on those to its lots."""
    return actor is not None and (
        (actor.is_provider and actor.can_administer) or actor.is_consortium_admin
    )


def may_manage_consortium(actor: Actor | None) -> bool:
    """A consortium admin: its lots, its enrolments, its declaration questions."""
    return actor is not None and actor.is_consortium_admin


def require_consortium_admin(actor: Actor | None, consortium: Organisation | None = None) -> Actor:
    """Refuse (DomainError) anyone but a consortium admin, and an admin of another consortium
    than `consortium`'s. Returns the actor, known now to be one."""
    if actor is None or not may_manage_consortium(actor):
        raise DomainError("Only a consortium admin can do this.")
    if consortium is not None and consortium.pk != actor.organisation.pk:
        raise DomainError("This belongs to another consortium.")
    return actor


def require_provider_admin(actor: Actor | None, provider: Organisation | None = None) -> Actor:
    """Refuse (DomainError) anyone but an administrator of the provider (`provider`, if given).
    Returns the actor, known now to be one."""
    if actor is None or not actor.is_provider or not actor.can_administer:
        raise DomainError("Only the provider's admin can do this.")
    if provider is not None and provider.pk != actor.organisation.pk:
        raise DomainError("This application belongs to another provider.")
    return actor


# --- One object, for one actor -----------------------------------------------------------------


def _get(queryset: QuerySet[M], pk: object) -> M:
    """The object of `queryset` (already scoped to the actor) with this pk, or 404."""
    return get_or_404(queryset, pk=pk)


def _check(allowed: bool, message: str = "") -> None:
    if not allowed:
        raise PermissionDenied(*([message] if message else []))


def get_service_for_actor(actor: Actor | None, pk: object, *, write: bool = False) -> Service:
    service = _get(services_visible_to(actor), pk)
    if write:
        _check(may_manage_services(actor), "Only the provider's admin can change its services.")
    return service


def get_application_for_actor(
    actor: Actor | None, pk: object, *, write: bool = False
) -> Application:
    """The application with its answers, transitions and documents."""
    application = _get(application_detail(applications_visible_to(actor)), pk)
    if write:
        _check(may_write_applications(actor))
    return application


def get_enrolment_for_actor(actor: Actor | None, pk: object, *, write: bool = False) -> Enrolment:
    enrolment = _get(enrolments_visible_to(actor), pk)
    if write:
        _check(may_manage_consortium(actor))
    return enrolment


def get_document_for_actor(actor: Actor | None, pk: object, *, write: bool = False) -> Document:
    document = _get(documents_visible_to(actor).select_related("provider"), pk)
    if write:
        _check(may_upload_documents(actor), "Only a provider's admin can upload documents.")
    return document


def get_lot_for_actor(actor: Actor | None, pk: object, *, write: bool = False) -> Lot:
    """A lot of the actor's consortium (for a provider, any active lot); only the consortium's
    admin may change it."""
    lot = _get(lots_visible_to(actor), pk)
    if write:
        _check(
            actor is not None
            and actor.is_consortium_writer
            and lot.consortium_id == actor.organisation.pk,
            "Only an admin of the lot's consortium can change the lot.",
        )
    return lot


def get_declaration_question_for_actor(
    actor: Actor | None, pk: object, *, write: bool = False
) -> DeclarationQuestion:
    question = _get(declaration_questions_visible_to(actor), pk)
    if write:
        _check(may_manage_consortium(actor))
    return question


def get_quality_score_for_actor(
    actor: Actor | None, pk: object, *, write: bool = False
) -> QualityScore:
    """A snapshot: computed, never written by anyone."""
    score = _get(quality_scores_visible_to(actor), pk)
    _check(not write)
    return score


def get_rating_proposal_for_actor(
    actor: Actor | None, pk: object, *, write: bool = False
) -> RatingProposal:
    """The proposal, or 404 (another's, or none); with `write` (deciding on it), 403 for anyone
    but a consortium admin who may write."""
    proposal = _get(rating_proposals_visible_to(actor), pk)
    if write:
        _check(may_verify_ratings(actor))
    return proposal
