"""Monitoring visits: commissioners and the consortium admin schedule and record them; the
provider reads its own. Who reads and who records which visit: monitoring.access."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone

from dps.decorators import actor_required
from dps.models import Organisation
from dps.pages import paginate, render_form, submit

from .. import access
from ..forms.visits import VisitCancelForm, VisitRecordForm, VisitScheduleForm
from ..models import MonitoringVisit
from ..models.visits import VISIT_STATES
from ..selectors.visits import monitored_services, overdue_visits
from ..services import visits as services

KINDS = {Organisation.Kind.CONSORTIUM, Organisation.Kind.BOROUGH, Organisation.Kind.PROVIDER}
STATUSES = dict(MonitoringVisit.Status.choices)


def _visible(actor):
    if not actor.is_provider and not actor.is_commissioner_or_admin:
        raise PermissionDenied("Monitoring visits are for commissioners and providers.")
    return access.visits_visible_to(actor)


def _visit(actor, pk, *, write=False):
    """The visit the actor may read (404 otherwise), and, to write, may record (403)."""
    _visible(actor)
    return access.get_visit_for_actor(actor, pk, write=write)


def _posted(request):
    return request.POST if request.method == "POST" else None


@actor_required(kinds=KINDS)
def visit_list(request):
    actor = request.actor
    visits = _visible(actor)
    status = request.GET.get("status", "")
    if status in STATUSES:
        visits = visits.filter(status=status)
    return render(
        request,
        "monitoring/visits/list.html",
        {
            "page": paginate(request, visits),
            "status": status,
            "statuses": STATUSES.items(),
            "today": timezone.localdate(),
            "can_record": actor.is_commissioner_or_admin,
            "heading": "Monitoring visits",
        },
    )


@actor_required(kinds=KINDS)
def visit_overdue(request):
    actor = request.actor
    _visible(actor)
    return render(
        request,
        "monitoring/visits/list.html",
        {
            "page": paginate(request, overdue_visits(actor)),
            "today": timezone.localdate(),
            "can_record": actor.is_commissioner_or_admin,
            "heading": "Overdue monitoring visits",
            "overdue": True,
        },
    )


@actor_required(kinds=KINDS)
def visit_schedule(request):
    actor = request.actor
    if not actor.is_commissioner_or_admin:
        raise PermissionDenied("Only commissioners and the consortium admin schedule visits.")
    monitored = monitored_services(actor.consortium).filter(access.monitored_by(actor))
    form = VisitScheduleForm(_posted(request), services=monitored)
    if request.method == "POST" and form.is_valid():
        visit = submit(form, services.visit_schedule_manual, actor=actor)
        if visit is not None:
            messages.success(request, "The visit is scheduled.")
            return redirect("monitoring:visit_detail", pk=visit.pk)
    return render_form(request, "monitoring/visits/schedule.html", form)


@actor_required(kinds=KINDS)
def visit_detail(request, pk):
    actor = request.actor
    visit = _visit(actor, pk, write=request.method == "POST")
    can_record = access.may_act_on_visit(actor, visit) and VISIT_STATES.allows(visit, "record")
    if request.method == "POST" and not can_record:
        raise PermissionDenied("This visit cannot be recorded.")
    form = VisitRecordForm(_posted(request)) if can_record else None
    if form is not None and request.method == "POST" and form.is_valid():
        done = submit(form, services.visit_record, actor=actor, visit=visit)
        if done is not None:
            messages.success(request, "The visit is recorded and the next one scheduled.")
            return redirect("monitoring:visit_detail", pk=pk)
    context = {"visit": visit, "today": timezone.localdate(), "can_record": can_record}
    if form is None:
        return render(request, "monitoring/visits/detail.html", context)
    return render_form(request, "monitoring/visits/detail.html", form, context)


@actor_required(kinds=KINDS)
def visit_cancel(request, pk):
    actor = request.actor
    visit = _visit(actor, pk, write=True)
    form = VisitCancelForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        done = submit(form, services.visit_cancel, actor=actor, visit=visit)
        if done is not None:
            messages.success(request, "The visit is cancelled.")
            return redirect("monitoring:visit_detail", pk=pk)
    return render_form(request, "monitoring/visits/cancel.html", form, {"visit": visit})
