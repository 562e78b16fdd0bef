"""Corrective action plans: commissioners and the consortium admin open and review them; the
consortium admin may suspend the provider from a plan; the provider reads its own. Who reads
and who changes which plan: monitoring.access."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone

from dps.decorators import actor_required
from dps.pages import paginate, render_form, submit

from .. import access
from ..forms.plans import (
    ActionAddForm,
    ActionUpdateForm,
    PlanCloseForm,
    PlanOpenForm,
    PlanReviewForm,
    PlanSuspendForm,
)
from ..models import CorrectiveActionPlan
from ..models.plans import PLAN_STATES
from ..selectors import plans as selectors
from ..services import plans as services
from .visits import KINDS, _posted

STATUSES = dict(CorrectiveActionPlan.Status.choices)


def _visible(actor):
    if not actor.is_provider and not actor.is_commissioner_or_admin:
        raise PermissionDenied("Corrective action plans are for commissioners and providers.")
    return selectors.plans_visible_to(actor)


def _plan(actor, pk, *, write=False):
    """The plan the actor may read (404 otherwise), and, to write, may change (403)."""
    _visible(actor)
    return access.get_plan_for_actor(actor, pk, write=write)


@actor_required(kinds=KINDS)
def plan_list(request):
    actor = request.actor
    plans = _visible(actor)
    status = request.GET.get("status", "")
    if status in STATUSES:
        plans = plans.filter(status=status)
    return render(
        request,
        "monitoring/plans/list.html",
        {
            "page": paginate(request, plans),
            "status": status,
            "statuses": STATUSES.items(),
            "can_open": actor.is_commissioner_or_admin,
        },
    )


@actor_required(kinds=KINDS)
def plan_open(request):
    actor = request.actor
    if not actor.is_commissioner_or_admin:
        raise PermissionDenied("Only commissioners and the consortium admin open plans.")
    providers = selectors.enrolled_providers(actor.consortium).filter(
        access.monitored_by(actor, "pk")
    )
    snapshot = selectors.snapshot_for(
        actor, request.POST.get("snapshot") or request.GET.get("snapshot")
    )
    initial = {
        "provider": request.GET.get("provider"),
        "kpi": request.GET.get("kpi") or (snapshot.kpi if snapshot else ""),
        "snapshot": snapshot.pk if snapshot else None,
    }
    form = PlanOpenForm(
        _posted(request), initial=initial, providers=providers, kpis=selectors.kpi_choices()
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        plan = submit(
            form,
            services.plan_open,
            {
                "provider": data["provider"],
                "reason": data["reason"],
                "review_date": data["review_date"],
                "kpi": data["kpi"],
            },
            actor=actor,
            snapshot=snapshot,
            actions=form.actions(),
        )
        if plan is not None:
            messages.success(request, "The plan is open, and the provider has been told.")
            return redirect("monitoring:plan_detail", pk=plan.pk)
    return render_form(request, "monitoring/plans/open.html", form, {"snapshot": snapshot})


def _detail_context(actor, plan, **forms):
    can_change = access.may_act_on_plan(actor, plan) and PLAN_STATES.allows(plan, "change")
    return {
        "plan": plan,
        "actions": plan.actions.all(),
        "entries": plan.entries.select_related("enrolment__lot", "by"),
        "kpi_label": selectors.kpi_label(plan.kpi) if plan.kpi else "",
        "today": timezone.localdate(),
        "can_change": can_change,
        "can_suspend": actor.is_consortium_admin and actor.api_client is None,
        "add_form": forms.get("add_form") or (ActionAddForm() if can_change else None),
        "review_form": forms.get("review_form") or (PlanReviewForm() if can_change else None),
    }


@actor_required(kinds=KINDS)
def plan_detail(request, pk):
    """The plan; a POST adds an action."""
    actor = request.actor
    plan = _plan(actor, pk, write=request.method == "POST")
    if request.method == "POST":
        form = ActionAddForm(request.POST)
        if form.is_valid():
            action = submit(form, services.action_add, actor=actor, plan=plan)
            if action is not None:
                messages.success(request, "The action is added.")
                return redirect("monitoring:plan_detail", pk=pk)
        context = _detail_context(actor, plan, add_form=form)
        return render_form(request, "monitoring/plans/detail.html", form, context)
    return render(request, "monitoring/plans/detail.html", _detail_context(actor, plan))


@actor_required(kinds=KINDS)
def plan_review(request, pk):
    actor = request.actor
    plan = _plan(actor, pk, write=True)
    form = PlanReviewForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        entry = submit(form, services.plan_review, actor=actor, plan=plan)
        if entry is not None:
            messages.success(request, "The review is recorded.")
            return redirect("monitoring:plan_detail", pk=pk)
    return render_form(request, "monitoring/plans/review.html", form, {"plan": plan})


@actor_required(kinds=KINDS)
def action_update(request, pk, action_pk):
    actor = request.actor
    _visible(actor)
    action = access.get_plan_action_for_actor(actor, pk, action_pk, write=True)
    plan = action.plan
    form = ActionUpdateForm(
        _posted(request), initial={"status": action.status, "review_note": action.review_note}
    )
    if request.method == "POST" and form.is_valid():
        done = submit(form, services.action_update, actor=actor, action=action)
        if done is not None:
            messages.success(request, "The action is updated.")
            return redirect("monitoring:plan_detail", pk=pk)
    return render_form(
        request, "monitoring/plans/action.html", form, {"plan": plan, "action": action}
    )


@actor_required(kinds=KINDS)
def plan_close(request, pk):
    actor = request.actor
    plan = _plan(actor, pk, write=True)
    form = PlanCloseForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        done = submit(form, services.plan_close, actor=actor, plan=plan)
        if done is not None:
            messages.success(request, "The plan is closed, and the provider has been told.")
            return redirect("monitoring:plan_detail", pk=pk)
    return render_form(request, "monitoring/plans/close.html", form, {"plan": plan})


@actor_required(kinds=KINDS)
def plan_suspend(request, pk):
    actor = request.actor
    plan = _plan(actor, pk, write=True)
    if not actor.is_consortium_admin:
        raise PermissionDenied("Only the consortium admin suspends an enrolment.")
    form = PlanSuspendForm(_posted(request), enrolments=selectors.suspendable_enrolments(plan))
    if request.method == "POST" and form.is_valid():
        done = submit(form, services.plan_suspend, actor=actor, plan=plan)
        if done is not None:
            messages.success(request, "The enrolment is suspended, and the provider told.")
            return redirect("monitoring:plan_detail", pk=pk)
    return render_form(request, "monitoring/plans/suspend.html", form, {"plan": plan})
