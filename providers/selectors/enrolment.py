"""Reads of the enrolment part, scoped to the actor: a provider sees its own applications and
enrolments; a consortium admin sees those on its own consortium's lots."""

from django.db.models import Prefetch, Q, QuerySet

from dps.models import Membership, Role
from dps.tenancy import Actor

from ..models import (
    Application,
    ApplicationAnswer,
    ApplicationTransition,
    DeclarationQuestion,
    Enrolment,
    Lot,
    ProviderProfile,
)


def applications_visible_to(actor: Actor | None) -> QuerySet[Application]:
    if actor is None:
        return Application.objects.none()
    queryset = Application.objects.select_related("lot", "provider")
    if actor.is_provider:
        return queryset.filter(provider=actor.organisation)
    if actor.is_consortium_admin:
        return queryset.filter(lot__consortium=actor.organisation)
    return Application.objects.none()


def application_detail(queryset: QuerySet[Application]) -> QuerySet[Application]:
    """The application's answers, transitions and documents, fetched in a few queries."""
    return queryset.prefetch_related(
        Prefetch(
            "answers",
            queryset=ApplicationAnswer.objects.select_related("question").order_by(
                "question__position", "question__id"
            ),
        ),
        Prefetch("transitions", queryset=ApplicationTransition.objects.select_related("actor")),
        "documents",
    )


def review_queue(actor: Actor | None, *, by_due_date: bool = False) -> QuerySet[Application]:
    """Submitted applications on the actor's lots: flagged ones first, then oldest first; or,
    `by_due_date` (a dynamic market or legacy DPS, where each is decided within the same
    period from its submission), the one due soonest first."""
    order = ("submitted_at", "pk") if by_due_date else ("-flagged_for_review", "submitted_at", "pk")
    return (
        applications_visible_to(actor).filter(status=Application.Status.SUBMITTED).order_by(*order)
    )


def enrolments_visible_to(actor: Actor | None) -> QuerySet[Enrolment]:
    if actor is None:
        return Enrolment.objects.none()
    queryset = Enrolment.objects.select_related("lot", "provider")
    if actor.is_provider:
        return queryset.filter(provider=actor.organisation)
    if actor.is_consortium_admin:
        return queryset.filter(lot__consortium=actor.organisation)
    return Enrolment.objects.none()


def declaration_questions_visible_to(actor: Actor | None) -> QuerySet[DeclarationQuestion]:
    """A consortium admin's own consortium's questions, active and not."""
    if actor is None or not actor.is_consortium_admin:
        return DeclarationQuestion.objects.none()
    return DeclarationQuestion.objects.filter(consortium=actor.organisation)


def questions_for(lot: Lot) -> QuerySet[DeclarationQuestion]:
    """The active declaration questions an application to the lot answers."""
    return DeclarationQuestion.objects.filter(consortium_id=lot.consortium_id, is_active=True)


def provider_admin_emails(provider, also=None) -> list[str]:
    """Where a provider is told of a decision: its admins' addresses (its registered contact's
    if it has none), and `also` (a user, such as the one who sent what was decided) while an
    active member, each once, in order."""
    members = Membership.objects.filter(organisation=provider, is_active=True, user__is_active=True)
    admins = Q(role=Role.PROVIDER_ADMIN) | Q(is_org_admin=True)
    emails = set(members.filter(admins).values_list("user__email", flat=True))
    if not emails:
        profile = ProviderProfile.objects.filter(organisation=provider).first()
        if profile:
            emails = {profile.contact_email}
    if also is not None:
        emails |= set(members.filter(user=also).values_list("user__email", flat=True))
    return sorted(emails)
