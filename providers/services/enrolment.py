"""Writes of the enrolment part: a provider registers, applies to lots, the consortium decides,
and the enrolment that follows is suspended, reinstated or removed.

Every change of an application's or an enrolment's status goes through its state machine
(APPLICATION_STATES, ENROLMENT_STATES, beside the models), on a row locked with
select_for_update, so two admins deciding at once cannot both win.
"""

import re
from collections.abc import Iterable, Mapping
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from dps.models import Membership, Organisation, Role, User
from dps.services import DomainError
from dps.services.audit import audit_record
from dps.services.emails import email_queue_template
from dps.tenancy import Actor

from ..access import require_consortium_admin, require_provider_admin
from ..models import (
    Application,
    ApplicationAnswer,
    ApplicationTransition,
    DeclarationQuestion,
    Document,
    Enrolment,
    Lot,
    ProviderProfile,
)
from ..models.enrolment import APPLICATION_STATES, ENROLMENT_STATES, OPEN_STATUSES
from ..selectors.arrangement import (
    application_window,
    arrangement_of,
    conditions_in_force,
    is_barred,
)
from ..selectors.enrolment import provider_admin_emails, questions_for
from ..selectors.lots import lots_visible_to
from .quality import quality_score_recompute

AppStatus = Application.Status
EnrolStatus = Enrolment.Status

COMPANIES_HOUSE_NUMBER = re.compile(r"^(\d{8}|[A-Z]{2}\d{6})$")
CHARITY_NUMBER = re.compile(r"^\d{6,8}$")


def _require_reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Give a reason for this decision.", field="reason")
    return reason


def _email_provider(provider, template, context):
    for address in provider_admin_emails(provider):
        email_queue_template(to=address, template=template, context=context, organisation=provider)


# --- Registration ---------------------------------------------------------------------------


def normalise_registration_numbers(
    companies_house_number: str | None, charity_number: str | None
) -> tuple[str, str]:
    """Returns the two numbers tidied (upper case, no spaces), or raises DomainError: at least
    one is needed, and each must have its format."""
    ch = "".join((companies_house_number or "").split()).upper()
    charity = "".join((charity_number or "").split())
    if not ch and not charity:
        raise DomainError(
            "Enter a Companies House number or a charity number.", field="companies_house_number"
        )
    if ch and not COMPANIES_HOUSE_NUMBER.match(ch):
        raise DomainError(
            "Enter a Companies House number of 8 characters, like 01234567 or SC123456.",
            field="companies_house_number",
        )
    if charity and not CHARITY_NUMBER.match(charity):
        raise DomainError(
            "Enter a charity number of 6 to 8 digits, like 1234567.", field="charity_number"
        )
    return ch, charity


def _unique_slug(name):
    base = slugify(name.replace("'", ""))[:70] or "provider"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def provider_register(
    *,
    legal_name: str,
    address: str,
    postcode: str,
    contact_name: str,
    contact_email: str,
    contact_phone: str,
    email: str,
    full_name: str,
    password: str,
    companies_house_number: str | None = "",
    charity_number: str | None = "",
    address_from: str | None = None,
) -> User | None:
    """Register a provider organisation and its first admin, whose email must be verified
    before they can sign in. Returns the new user, or None when the email already has an
    account: then nothing is created and the owner of that address is told by email, so the
    answer on the page never reveals whether an address is registered. `address_from` is the
    client's address, for the audit (there is no actor yet); the view sends allauth's
    verification email, which needs the HTTP request."""
    email = email.strip().lower()
    ch, charity = normalise_registration_numbers(companies_house_number, charity_number)
    if (
        User.objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email).exists()
    ):
        membership = Membership.objects.filter(user__email__iexact=email, is_active=True).first()
        email_queue_template(
            to=email,
            template="emails/enrolment_registration_exists",
            context={
                "login_path": reverse("account_login"),
                "reset_path": reverse("account_reset_password"),
            },
            organisation=membership.organisation if membership else None,
        )
        audit_record(
            label=email,
            action="provider.register_refused",
            address=address_from,
            detail={"reason": "email already registered"},
        )
        return None
    user = User(email=email, full_name=" ".join(full_name.split()))
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), field="password1") from exc
    legal_name = " ".join(legal_name.split())
    provider = Organisation(
        kind=Organisation.Kind.PROVIDER, name=legal_name, slug=_unique_slug(legal_name)
    )
    provider.full_clean()
    provider.save()
    profile = ProviderProfile(
        organisation=provider,
        legal_name=legal_name,
        companies_house_number=ch,
        charity_number=charity,
        address=address.strip(),
        postcode=" ".join(postcode.upper().split()),
        contact_name=contact_name.strip(),
        contact_email=contact_email.strip().lower(),
        contact_phone=contact_phone.strip(),
    )
    profile.full_clean()
    profile.save()
    user.set_password(password)
    user.full_clean()
    user.save()
    membership = Membership(
        user=user, organisation=provider, role=Role.PROVIDER_ADMIN, is_org_admin=True
    )
    membership.full_clean()
    membership.save()
    audit_record(
        user=user,
        action="provider.register",
        obj=provider,
        address=address_from,
        detail={"companies_house_number": ch, "charity_number": charity},
    )
    EmailAddress.objects.create(user=user, email=email, verified=False, primary=True)
    return user


# --- Declaration questions (consortium admin) ----------------------------------------------


@transaction.atomic
def declaration_question_save(
    *,
    actor: Actor | None,
    text: str,
    failing_answer: bool,
    on_fail: str,
    guidance: str = "",
    position: int | None = 0,
    is_active: bool = True,
    question: DeclarationQuestion | None = None,
) -> DeclarationQuestion:
    """Add a declaration question to the actor's consortium, or change one of its own."""
    actor = require_consortium_admin(actor, question.consortium if question else None)
    creating = question is None
    if question is None:
        question = DeclarationQuestion(consortium=actor.organisation)
    was_active = question.is_active
    question.text = " ".join(text.split())
    question.guidance = guidance.strip()
    question.failing_answer = bool(failing_answer)
    question.on_fail = on_fail
    question.position = position or 0
    question.is_active = bool(is_active)
    question.full_clean()
    question.save()
    action = "declaration_question.create" if creating else "declaration_question.update"
    if not creating and was_active and not question.is_active:
        action = "declaration_question.deactivate"
    audit_record(
        actor=actor,
        action=action,
        obj=question,
        detail={
            "failing_answer": question.failing_answer,
            "on_fail": question.on_fail,
            "is_active": question.is_active,
        },
    )
    return question


# --- Applications (provider) ---------------------------------------------------------------


def _require_may_apply(provider, lot):
    """Refuse an application from a provider the consortium has excluded (or removed as
    excludable), and one to an open framework outside its openings."""
    if is_barred(provider.pk, lot.consortium_id):
        raise DomainError(
            f"You are excluded from {lot.consortium}'s arrangement, so you cannot apply to its "
            "lots.",
            field="lot",
        )
    window = application_window(lot.consortium_id)
    if not window.open:
        raise DomainError(window.message, field="lot")


@transaction.atomic
def application_start(*, actor: Actor | None, lot: Lot) -> Application:
    """A provider starts an application to a lot: a draft to fill in."""
    actor = require_provider_admin(actor)
    provider = actor.organisation
    if not lots_visible_to(actor).filter(pk=lot.pk, is_active=True).exists():
        raise DomainError("This lot is not open for applications.", field="lot")
    enrolment = Enrolment.objects.filter(provider=provider, lot=lot).first()
    if enrolment is not None and enrolment.status == EnrolStatus.REMOVED:
        raise DomainError(f"You were removed from {lot}, so you cannot apply again.", field="lot")
    # Suspended for an exclusion since lifted: it applies again (approval reinstates it).
    excluded_before = (
        enrolment is not None and enrolment.suspension_cause == Enrolment.Cause.EXCLUSION
    )
    if enrolment is not None and not excluded_before:
        raise DomainError(f"You are already enrolled on {lot}.", field="lot")
    if Application.objects.filter(provider=provider, lot=lot, status__in=OPEN_STATUSES).exists():
        raise DomainError(f"You already have an open application for {lot}.", field="lot")
    _require_may_apply(provider, lot)
    application = Application(provider=provider, lot=lot)
    application.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as exc:  # a second request raced this one
        raise DomainError(f"You already have an open application for {lot}.", field="lot") from exc
    audit_record(actor=actor, action="application.start", obj=application)
    return application


def _lock(application):
    return (
        Application.objects.select_for_update()
        .select_related("lot", "provider")
        .get(pk=application.pk)
    )


@transaction.atomic
def application_save(
    *,
    actor: Actor | None,
    application: Application,
    answers: Mapping[Any, tuple[bool | None, str | None]],
    supporting_statement: str | None = "",
    documents: Iterable[Document] = (),
) -> Application:
    """Save a draft (or an application sent back for more information): its answers to the
    declaration questions, {question id: (answer, detail)} with answer True, False or None for
    not answered yet, the supporting statement and the evidence documents it attaches."""
    require_provider_admin(actor, application.provider)
    application = _lock(application)
    APPLICATION_STATES.guard(application, action="edit")
    questions = {q.pk: q for q in questions_for(application.lot)}
    documents = list(documents)
    if any(d.provider_id != application.provider_id for d in documents):
        raise DomainError("You can only attach your own documents.", field="documents")
    for question_id, (answer, detail) in answers.items():
        question = questions.get(int(question_id))
        if question is None:
            continue
        if answer is None:
            ApplicationAnswer.objects.filter(application=application, question=question).delete()
            continue
        ApplicationAnswer.objects.update_or_create(
            application=application,
            question=question,
            defaults={"answer": bool(answer), "detail": (detail or "").strip()},
        )
    application.supporting_statement = (supporting_statement or "").strip()
    application.full_clean(validate_constraints=False)
    application.save(update_fields=["supporting_statement"])
    application.documents.set(documents)
    audit_record(
        actor=actor,
        action="application.save",
        obj=application,
        detail={"documents": [d.pk for d in documents]},
    )
    return application


def _transition(application, to_status, *, actor, reason="", fields=(), clean=False, detail=None):
    """Move the (locked) application through its machine, with its own timeline row and the
    audit event."""
    from_status = APPLICATION_STATES.move(
        application, to_status, actor=actor, reason=reason, fields=fields, clean=clean
    )
    ApplicationTransition.objects.create(
        application=application,
        from_status=from_status,
        to_status=to_status,
        actor=actor.user if actor else None,
        reason=reason,
    )
    audit_record(
        actor=actor,
        action=f"application.{to_status}",
        obj=application,
        detail={"from": from_status, "to": to_status, "reason": reason, **(detail or {})},
    )


@transaction.atomic
def application_submit(
    *, actor: Actor | None, application: Application, note: str | None = ""
) -> Application:
    """Submit an application (or resubmit one sent back for more information, with `note`
    answering the consortium's request). Every active declaration question must be answered;
    a failing answer to a blocking question refuses submission; a failing answer to a review
    question submits it flagged for review."""
    require_provider_admin(actor, application.provider)
    application = _lock(application)
    APPLICATION_STATES.guard(application, AppStatus.SUBMITTED)
    _require_may_apply(application.provider, application.lot)
    answers = {
        a.question_id: a
        for a in ApplicationAnswer.objects.filter(application=application).select_related(
            "question"
        )
    }
    questions = list(questions_for(application.lot))
    missing = [q for q in questions if q.pk not in answers]
    if missing:
        raise DomainError(f"Answer the question “{missing[0].text}” before submitting.")
    failing = [q for q in questions if answers[q.pk].answer == q.failing_answer]
    blocking = [q for q in failing if q.on_fail == DeclarationQuestion.OnFail.BLOCK]
    if blocking:
        raise DomainError(
            f"Your answer to “{blocking[0].text}” means this application cannot be submitted."
        )
    application.flagged_for_review = any(
        q.on_fail == DeclarationQuestion.OnFail.REVIEW for q in failing
    )
    application.submitted_at = timezone.now()
    # Judged against the conditions of membership in force now (none before they are set).
    application.conditions = conditions_in_force(
        arrangement_of(application.lot.consortium_id), application.submitted_at
    )
    _transition(
        application,
        AppStatus.SUBMITTED,
        actor=actor,
        reason=(note or "").strip(),
        fields=["flagged_for_review", "submitted_at", "conditions"],
        clean=True,
        detail={
            "flagged_for_review": application.flagged_for_review,
            "conditions": application.conditions.number if application.conditions else None,
        },
    )
    return application


# --- The consortium's decisions ------------------------------------------------------------


def _decide(actor, application, to_status, reason):
    require_consortium_admin(actor)
    application = _lock(application)
    if application.lot.consortium_id != actor.organisation.pk:
        raise DomainError("This application is for another consortium's lot.")
    APPLICATION_STATES.guard(application, to_status)
    reason = _require_reason(reason)
    fields = []
    if to_status in (AppStatus.APPROVED, AppStatus.REJECTED):
        application.decided_at = timezone.now()
        fields.append("decided_at")
    _transition(application, to_status, actor=actor, reason=reason, fields=fields)
    return application, reason


def _application_email(application, template, reason):
    _email_provider(
        application.provider,
        f"emails/{template}",
        {
            "application": application,
            "lot": application.lot,
            "reason": reason,
            "path": reverse("providers:application_detail", args=[application.pk]),
        },
    )


@transaction.atomic
def application_request_info(
    *, actor: Actor | None, application: Application, reason: str | None
) -> Application:
    """Send a submitted application back to the provider, saying what more is needed."""
    application, reason = _decide(actor, application, AppStatus.MORE_INFO, reason)
    _application_email(application, "enrolment_more_info", reason)
    return application


@transaction.atomic
def application_reject(
    *, actor: Actor | None, application: Application, reason: str | None
) -> Application:
    application, reason = _decide(actor, application, AppStatus.REJECTED, reason)
    _application_email(application, "enrolment_rejected", reason)
    return application


@transaction.atomic
def application_approve(
    *, actor: Actor | None, application: Application, reason: str | None
) -> Application:
    """Approve an application: the provider is enrolled on the lot (an earlier enrolment is
    made active again; a removed provider cannot be approved)."""
    require_consortium_admin(actor)
    existing = (
        Enrolment.objects.select_for_update()
        .filter(provider_id=application.provider_id, lot_id=application.lot_id)
        .first()
    )
    if existing is not None and existing.status == EnrolStatus.REMOVED:
        raise DomainError("This provider was removed from the lot; removal is final.")
    if is_barred(application.provider_id, application.lot.consortium_id):
        raise DomainError("This provider is excluded: lift the exclusion before approving.")
    application, reason = _decide(actor, application, AppStatus.APPROVED, reason)
    now = timezone.now()
    enrolment = existing or Enrolment(provider=application.provider, lot=application.lot)
    was = enrolment.status if existing is not None else EnrolStatus.ACTIVE
    enrolment.application = application
    enrolment.status = EnrolStatus.ACTIVE
    enrolment.suspension_cause = ""
    enrolment.status_reason = reason
    enrolment.status_changed_at = now
    enrolment.full_clean(validate_constraints=False)
    enrolment.save()
    if was != EnrolStatus.ACTIVE:  # an earlier enrolment, suspended: active again
        ENROLMENT_STATES.record(enrolment, was, EnrolStatus.ACTIVE, actor=actor, reason=reason)
    audit_record(
        actor=actor,
        action="enrolment.create" if existing is None else "enrolment.reactivate",
        obj=enrolment,
        detail={"application": application.pk},
    )
    _application_email(application, "enrolment_approved", reason)
    quality_score_recompute(provider=application.provider, trigger="enrolment.approved")
    return application


# --- Enrolments ----------------------------------------------------------------------------


def _change_enrolment(enrolment, to_status, *, actor, reason, cause="", notify=True):
    """Lock the enrolment, check the change, make it, audit it and email the provider."""
    enrolment = (
        Enrolment.objects.select_for_update().select_related("lot", "provider").get(pk=enrolment.pk)
    )
    if actor is not None and enrolment.lot.consortium_id != actor.organisation.pk:
        raise DomainError("This enrolment is on another consortium's lot.")
    ENROLMENT_STATES.guard(enrolment, to_status)
    enrolment.suspension_cause = cause if to_status == EnrolStatus.SUSPENDED else ""
    enrolment.status_reason = reason
    enrolment.status_changed_at = timezone.now()
    from_status = ENROLMENT_STATES.move(
        enrolment,
        to_status,
        actor=actor,
        reason=reason,
        fields=["suspension_cause", "status_reason", "status_changed_at"],
        clean=True,
    )
    action = {
        EnrolStatus.ACTIVE: "enrolment.reinstate",
        EnrolStatus.SUSPENDED: "enrolment.suspend",
        EnrolStatus.REMOVED: "enrolment.remove",
    }[to_status]
    audit_record(
        actor=actor,
        label=None if actor else "system",
        action=action,
        obj=enrolment,
        detail={"from": from_status, "to": to_status, "reason": reason, "cause": cause},
    )
    template = {
        EnrolStatus.ACTIVE: "enrolment_reinstated",
        EnrolStatus.SUSPENDED: "enrolment_suspended",
        EnrolStatus.REMOVED: "enrolment_removed",
    }[to_status]
    if notify:
        _email_provider(
            enrolment.provider,
            f"emails/{template}",
            {"enrolment": enrolment, "lot": enrolment.lot, "reason": reason, "cause": cause},
        )
    quality_score_recompute(provider=enrolment.provider, trigger=action)
    return enrolment


@transaction.atomic
def enrolment_suspend(
    *, actor: Actor | None, enrolment: Enrolment, reason: str | None
) -> Enrolment:
    """The consortium suspends a provider from a lot: no new invitations or bids until it
    is reinstated."""
    require_consortium_admin(actor)
    return _change_enrolment(
        enrolment,
        EnrolStatus.SUSPENDED,
        actor=actor,
        reason=_require_reason(reason),
        cause=Enrolment.Cause.DECISION,
    )


@transaction.atomic
def enrolment_reinstate(
    *, actor: Actor | None, enrolment: Enrolment, reason: str | None
) -> Enrolment:
    """The consortium ends a suspension it decided. One for an expired document ends when
    the provider renews the document."""
    require_consortium_admin(actor)
    if Enrolment.objects.filter(
        pk=enrolment.pk, status=EnrolStatus.SUSPENDED, suspension_cause=Enrolment.Cause.EXCLUSION
    ).exists():
        raise DomainError(
            "This enrolment is suspended because the provider was excluded; once the exclusion "
            "is lifted the provider applies again."
        )
    if Enrolment.objects.filter(
        pk=enrolment.pk,
        status=EnrolStatus.SUSPENDED,
        suspension_cause=Enrolment.Cause.DOCUMENT_EXPIRED,
    ).exists():
        raise DomainError(
            "This enrolment is suspended because a mandatory document expired; it is "
            "reinstated when the provider uploads a current one."
        )
    return _change_enrolment(
        enrolment,
        EnrolStatus.ACTIVE,
        actor=actor,
        reason=_require_reason(reason),
    )


@transaction.atomic
def enrolment_remove(*, actor: Actor | None, enrolment: Enrolment, reason: str | None) -> Enrolment:
    """Remove a provider from a lot, for good."""
    require_consortium_admin(actor)
    return _change_enrolment(
        enrolment,
        EnrolStatus.REMOVED,
        actor=actor,
        reason=_require_reason(reason),
    )


@transaction.atomic
def enrolment_suspend_for_documents(
    *, enrolment: Enrolment, reason: str, notify: bool = True
) -> bool:
    """The system suspends an active enrolment because a mandatory document expired.
    Idempotent: an enrolment that is not active (already suspended, for any cause, or removed)
    is left as it is. Returns True if it was suspended now. The provider's admins are emailed
    (emails/enrolment_suspended) unless `notify` is False, for a caller that sends its own."""
    if not Enrolment.objects.filter(pk=enrolment.pk, status=EnrolStatus.ACTIVE).exists():
        return False
    _change_enrolment(
        enrolment,
        EnrolStatus.SUSPENDED,
        actor=None,
        reason=reason,
        cause=Enrolment.Cause.DOCUMENT_EXPIRED,
        notify=notify,
    )
    return True


@transaction.atomic
def enrolment_reinstate_after_documents(*, enrolment: Enrolment, notify: bool = True) -> bool:
    """The system reinstates an enrolment suspended for an expired document, once it is
    renewed. Idempotent; one suspended by the consortium's decision is left suspended.
    Returns True if it was reinstated now; emails as enrolment_suspend_for_documents."""
    if not Enrolment.objects.filter(
        pk=enrolment.pk,
        status=EnrolStatus.SUSPENDED,
        suspension_cause=Enrolment.Cause.DOCUMENT_EXPIRED,
    ).exists():
        return False
    if is_barred(enrolment.provider_id, enrolment.lot.consortium_id):
        return False  # excluded meanwhile: it stays out
    _change_enrolment(
        enrolment,
        EnrolStatus.ACTIVE,
        actor=None,
        reason="The expired mandatory document has been renewed.",
        notify=notify,
    )
    return True


@transaction.atomic
def enrolment_suspend_for_exclusion(
    *, actor: Actor | None, enrolment: Enrolment, reason: str
) -> bool:
    """Take an excluded provider off a lot of the consortium: an active enrolment is suspended
    with the cause "exclusion" (one suspended already, for an expired document, is marked so
    too), so that, the exclusion lifted, the provider applies again. Removed ones are left.
    Returns True if it changed."""
    require_consortium_admin(actor)
    current = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if current.status == EnrolStatus.ACTIVE:
        _change_enrolment(
            current,
            EnrolStatus.SUSPENDED,
            actor=actor,
            reason=_require_reason(reason),
            cause=Enrolment.Cause.EXCLUSION,
        )
        return True
    if current.status == EnrolStatus.SUSPENDED and current.suspension_cause != (
        Enrolment.Cause.EXCLUSION
    ):
        current.suspension_cause = Enrolment.Cause.EXCLUSION
        current.status_reason = reason
        current.save(update_fields=["suspension_cause", "status_reason"])
        audit_record(
            actor=actor,
            action="enrolment.suspend",
            obj=current,
            detail={"cause": Enrolment.Cause.EXCLUSION, "reason": reason, "already": True},
        )
        return True
    return False
