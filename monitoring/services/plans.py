"""Poor performance. The developmental route: a corrective action plan, opened by a commissioner
or the consortium admin (often from a KPI breach), with actions that have owners and due dates,
reviewed to closure. The punitive route: the consortium admin suspends the provider's enrolment
(through the enrolment service), and the suspension is recorded on the plan.

Who reads and who changes which plans is decided in monitoring/access.py: the consortium admin
and the boroughs placing with the provider read them, only the borough that opened one and the
admin change it; the provider reads its own and is emailed when one is opened or closed."""

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dps.models import Organisation
from dps.services import DomainError
from dps.services.audit import audit_record
from dps.services.emails import email_queue_template
from dps.tenancy import Actor
from providers.models import Enrolment
from providers.services.enrolment import enrolment_suspend

from .. import access
from ..models import CorrectiveAction, CorrectiveActionPlan, KpiSnapshot
from ..models.plans import CORRECTIVE_ACTION_STATES, PLAN_STATES, PlanEntry
from ..selectors.plans import enrolled_providers, kpi_choices, kpi_label, suspendable_enrolments
from ..selectors.visits import provider_admin_emails

PlanStatus = CorrectiveActionPlan.Status
ActionStatus = CorrectiveAction.Status
LATEST = date(2100, 12, 31)
MAX_ACTIONS = 20


def _require_monitor(actor, plan=None):
    consortium = actor.consortium if actor is not None else None
    if not (actor is not None and actor.is_commissioner_or_admin) or consortium is None:
        raise PermissionDenied("Only commissioners and the consortium admin can do this.")
    if plan is not None and plan.consortium_id != consortium.pk:
        raise PermissionDenied("This plan belongs to another consortium.")
    return consortium


def _lock(actor, plan, *, action="change"):
    """The plan, locked, if the actor may act on it and its state machine allows the action
    (None: any status, for the suspension it records)."""
    _require_monitor(actor, plan)
    if not access.may_act_on_plan(actor, plan):
        raise PermissionDenied("Only the borough that opened the plan and the consortium admin.")
    plan = (
        CorrectiveActionPlan.objects.select_for_update()
        .select_related("provider", "consortium")
        .get(pk=plan.pk)
    )
    if action is not None:
        PLAN_STATES.guard(plan, action=action)
    return plan


def _text(value, field, message, max_length=None):
    value = (value or "").strip()
    if not value:
        raise DomainError(message, field)
    if max_length and len(value) > max_length:
        raise DomainError(f"Enter {max_length} characters or fewer.", field)
    return value


def _future_date(value, field, message):
    today = timezone.localdate()
    if not isinstance(value, date):
        raise DomainError(message, field)
    if not today <= value <= LATEST:
        raise DomainError(f"Enter a date from today ({today:%-d %B %Y}).", field)
    return value


def _new_action(plan, description, owner, due_date, prefix=""):
    action = CorrectiveAction(
        plan=plan,
        description=_text(description, f"{prefix}description", "Describe the action."),
        owner=_text(owner, f"{prefix}owner", "Say who owns the action.", 200),
        due_date=_future_date(due_date, f"{prefix}due_date", "Enter the action's due date."),
    )
    action.save()
    return action


def _email_provider(plan, template):
    context = {
        "plan": plan,
        "kpi_label": kpi_label(plan.kpi) if plan.kpi else "",
        "path": reverse("monitoring:plan_detail", args=[plan.pk]),
    }
    for address in provider_admin_emails(plan.provider):
        email_queue_template(
            to=address,
            template=template,
            context=context,
            organisation=plan.provider,
            dedupe_key=f"{template}:{plan.pk}:{address}",
        )


@transaction.atomic
def plan_open(
    *,
    actor: Actor,
    provider: Organisation | None,
    reason: str | None,
    review_date: date | None,
    kpi: str | None = "",
    snapshot: KpiSnapshot | None = None,
    borough: Organisation | None = None,
    actions: Iterable[Mapping[str, Any]] | None = (),
) -> CorrectiveActionPlan:
    """Open a corrective action plan for a provider enrolled on the consortium's lots, with
    its first actions ({description, owner, due_date} each). A commissioner's plan is its
    borough's; the consortium admin may name one of its boroughs or none."""
    consortium = _require_monitor(actor)
    if provider is None or not enrolled_providers(consortium).filter(pk=provider.pk).exists():
        raise DomainError("Choose a provider enrolled on your lots.", "provider")
    if not access.may_monitor_provider(actor, provider):
        raise DomainError("Choose a provider your borough places with.", "provider")
    reason = _text(reason, "reason", "Say why the plan is needed.")
    review_date = _future_date(review_date, "review_date", "Enter the date of the first review.")
    kpi = (kpi or "").strip()
    codes = dict(kpi_choices())
    if kpi and codes and kpi not in codes:
        raise DomainError("Choose a KPI from the list.", "kpi")
    if len(kpi) > 60:
        raise DomainError("Choose a KPI from the list.", "kpi")
    if snapshot is not None:
        if snapshot.consortium_id != consortium.pk:
            raise DomainError("The KPI figure is another consortium's.", "snapshot")
        if (
            snapshot.scope == "borough"
            and actor.is_borough
            and snapshot.scope_id != (actor.organisation.pk)
        ):
            raise DomainError("The KPI figure is another borough's.", "snapshot")
        kpi = kpi or snapshot.kpi
    if actor.is_borough:
        borough = actor.organisation
    elif borough is not None and borough.consortium_id != consortium.pk:
        raise DomainError("Choose one of your boroughs.", "borough")
    actions = list(actions or ())
    if len(actions) > MAX_ACTIONS:
        raise DomainError(f"Add at most {MAX_ACTIONS} actions at once.", "actions")
    plan = CorrectiveActionPlan.objects.create(
        provider=provider,
        consortium=consortium,
        borough=borough,
        kpi=kpi,
        snapshot=snapshot,
        reason=reason,
        opened_by=actor.user,
        review_date=review_date,
    )
    for item in actions:
        _new_action(plan, item.get("description"), item.get("owner"), item.get("due_date"))
    audit_record(
        actor=actor,
        action="corrective_plan.open",
        obj=plan,
        detail={
            "provider": provider.pk,
            "kpi": kpi,
            "snapshot": snapshot.pk if snapshot else None,
            "actions": len(actions),
        },
    )
    _email_provider(plan, "emails/monitoring_plan_opened")
    return plan


@transaction.atomic
def action_add(
    *,
    actor: Actor,
    plan: CorrectiveActionPlan,
    description: str | None,
    owner: str | None,
    due_date: date | None,
) -> CorrectiveAction:
    plan = _lock(actor, plan)
    action = _new_action(plan, description, owner, due_date)
    audit_record(
        actor=actor,
        action="corrective_action.add",
        obj=plan,
        detail={"action": action.pk, "owner": action.owner, "due_date": str(action.due_date)},
    )
    return action


@transaction.atomic
def action_update(
    *, actor: Actor, action: CorrectiveAction, status: str, review_note: str | None = ""
) -> CorrectiveAction:
    """Mark an action done (or open again), with a note of what was found."""
    plan = _lock(actor, action.plan)
    action = CorrectiveAction.objects.select_for_update().get(pk=action.pk, plan=plan)
    if status not in ActionStatus.values:
        raise DomainError("Choose open or done.", "status")
    review_note = (review_note or "").strip()
    if status == ActionStatus.DONE and not review_note:
        raise DomainError("Say how the action was done.", "review_note")
    action.review_note = review_note
    action.completed_at = timezone.now() if status == ActionStatus.DONE else None
    if status == action.status:  # the note changes, the status stays
        action.save(update_fields=["review_note", "completed_at"])
    else:
        CORRECTIVE_ACTION_STATES.move(
            action, status, actor=actor, reason=review_note, fields=["review_note", "completed_at"]
        )
    audit_record(
        actor=actor,
        action="corrective_action.update",
        obj=plan,
        detail={"action": action.pk, "status": status},
    )
    return action


@transaction.atomic
def plan_review(
    *,
    actor: Actor,
    plan: CorrectiveActionPlan,
    note: str | None,
    next_review_date: date | None = None,
) -> PlanEntry:
    """Record a review of the plan's progress, and when it is next reviewed."""
    plan = _lock(actor, plan)
    note = _text(note, "note", "Enter the review's note.")
    if next_review_date is not None:
        _future_date(next_review_date, "next_review_date", "Enter the next review date.")
        plan.review_date = next_review_date
        plan.save(update_fields=["review_date"])
    entry = PlanEntry.objects.create(
        plan=plan,
        kind=PlanEntry.Kind.REVIEW,
        note=note,
        next_review_date=next_review_date,
        by=actor.user,
    )
    audit_record(
        actor=actor,
        action="corrective_plan.review",
        obj=plan,
        detail={"next_review_date": str(next_review_date) if next_review_date else None},
    )
    return entry


@transaction.atomic
def plan_close(
    *,
    actor: Actor,
    plan: CorrectiveActionPlan,
    closing_note: str | None,
    close_with_open_actions: bool = False,
) -> CorrectiveActionPlan:
    """Close a plan once every action is done, or before that when `close_with_open_actions`
    is given (the closing note then says why)."""
    plan = _lock(actor, plan, action="close")
    closing_note = _text(closing_note, "closing_note", "Enter a closing note.")
    open_actions = plan.actions.filter(status=ActionStatus.OPEN).count()
    if open_actions and not close_with_open_actions:
        raise DomainError(
            f"{open_actions} action{'s are' if open_actions > 1 else ' is'} not done yet: "
            "mark them done, or confirm you are closing the plan with actions open and say why.",
            "closing_note",
        )
    plan.closed_at = timezone.now()
    plan.closing_note = closing_note
    PLAN_STATES.move(
        plan,
        PlanStatus.CLOSED,
        actor=actor,
        reason=closing_note,
        fields=["closed_at", "closing_note"],
    )
    audit_record(
        actor=actor,
        action="corrective_plan.close",
        obj=plan,
        detail={"open_actions": open_actions},
    )
    _email_provider(plan, "emails/monitoring_plan_closed")
    return plan


@transaction.atomic
def plan_suspend(
    *,
    actor: Actor | None,
    plan: CorrectiveActionPlan,
    enrolment: Enrolment | None,
    reason: str | None,
) -> PlanEntry:
    """The punitive route: the consortium admin suspends one of the provider's enrolments
    because of the plan. The enrolment service makes the change (and emails the provider);
    the plan records it."""
    if actor is None or not actor.is_consortium_admin or actor.api_client is not None:
        raise PermissionDenied("Only the consortium admin can suspend an enrolment.")
    plan = _lock(actor, plan, action=None)
    if enrolment is None or not suspendable_enrolments(plan).filter(pk=enrolment.pk).exists():
        raise DomainError("Choose one of the provider's active enrolments.", "enrolment")
    reason = _text(reason, "reason", "Give a reason for the suspension.")
    full_reason = f"Corrective action plan {plan.pk}: {reason}"
    enrolment = enrolment_suspend(actor=actor, enrolment=enrolment, reason=full_reason)
    entry = PlanEntry.objects.create(
        plan=plan,
        kind=PlanEntry.Kind.SUSPENSION,
        note=full_reason,
        enrolment=enrolment,
        by=actor.user,
    )
    audit_record(
        actor=actor,
        action="corrective_plan.suspend",
        obj=plan,
        detail={"enrolment": enrolment.pk},
    )
    return entry
