"""The consortium admin's KPI pages: recompute now, a run's progress, recent runs, and the
thresholds that give each KPI its RAG."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render

from dps.decorators import actor_required
from dps.pages import paginate, render_form, submit

from ..access import get_kpi_run_for_actor
from ..forms.kpis import ThresholdsForm
from ..kpis import KPIS
from ..models import KpiRun
from ..models.kpis import KPI_RUN_STATES
from ..selectors.kpis import runs_visible_to, thresholds_visible_to
from ..services.kpis import kpi_recompute_request, kpi_threshold_set

# Not finished: the statuses a run still leaves.
ACTIVE = tuple(status for status in KpiRun.Status if KPI_RUN_STATES.targets(status))


def _admin(request):
    if not request.actor.is_consortium_admin:
        raise PermissionDenied("The KPI pages are the consortium admin's.")
    return request.actor


@actor_required()
def kpi_run_list(request):
    actor = _admin(request)
    runs = runs_visible_to(actor).select_related("requested_by")
    return render(
        request,
        "monitoring/kpis/runs.html",
        {"page": paginate(request, runs), "active": runs.filter(status__in=ACTIVE).exists()},
    )


@actor_required()
def kpi_recompute(request):
    actor = _admin(request)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    run = kpi_recompute_request(actor=actor)
    messages.success(request, "The KPIs are being recomputed.")
    return redirect("monitoring:kpi_run_detail", pk=run.pk)


@actor_required()
def kpi_run_detail(request, pk):
    actor = _admin(request)
    run = get_kpi_run_for_actor(actor, pk)
    percent = round(100 * run.done_steps / run.total_steps) if run.total_steps else 0
    return render(
        request,
        "monitoring/kpis/run.html",
        {"run": run, "active": run.status in ACTIVE, "percent": percent},
    )


@actor_required()
def kpi_thresholds(request):
    actor = _admin(request)
    thresholds = {t.kpi: t for t in thresholds_visible_to(actor).filter(Q(kpi__in=list(KPIS)))}
    form = ThresholdsForm(request.POST if request.method == "POST" else None, thresholds=thresholds)
    if request.method == "POST" and form.is_valid():
        saved = 0
        for code, amber_at, red_at in form.changed_pairs():
            done = submit(
                form,
                kpi_threshold_set,
                data={"kpi": code, "amber_at": amber_at, "red_at": red_at},
                actor=actor,
            )
            if done is None:
                break
            saved += 1
        if not form.errors:
            messages.success(
                request,
                f"{saved} threshold{'s' if saved != 1 else ''} saved."
                if saved
                else "No thresholds changed.",
            )
            return redirect("monitoring:kpi_thresholds")
    return render_form(request, "monitoring/kpis/thresholds.html", form)
