"""Fee uplift rounds: the consortium admin opens them; providers ask for an uplift on their
placements; the borough (or the consortium, framework-wide) decides. Who may: finance.access;
the rules: finance.services.uplifts."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from dps.decorators import actor_required
from dps.formatting import money
from dps.pages import paginate, render_form, submit
from placements.models import Placement
from providers.models import Service
from providers.uploads import EXTENSIONS

from ..access import (
    get_round_for_actor,
    get_uplift_request_for_actor,
    may_decide_uplift,
    may_open_rounds,
    rounds_visible_to,
    uplift_requests_visible_to,
)
from ..forms.uplifts import DecideForm, RequestForm, RoundOpenForm
from ..models.uplifts import UPLIFT_STATES
from ..selectors.uplifts import (
    eligible_placements,
    open_to_request,
    round_cost,
    round_is_open,
)
from ..services.uplifts import (
    uplift_decide,
    uplift_evidence_download_record,
    uplift_request_submit,
    uplift_round_open,
)

CONTENT_TYPES = {extension: kind for kind, extension in EXTENSIONS.items()}


def _readable(actor):
    if actor is None or not (actor.is_consortium_admin or actor.is_borough or actor.is_provider):
        raise PermissionDenied("Uplift rounds are for the consortium, boroughs and providers.")


def _cost_display(cost):
    return {
        "requested_weekly": money(cost.requested.weekly),
        "requested_year": money(cost.requested.to_year_end),
        "requested_placements": cost.requested.placements,
        "agreed_weekly": money(cost.agreed.weekly),
        "agreed_year": money(cost.agreed.to_year_end),
        "agreed_placements": cost.agreed.placements,
        "year_end": cost.year_end,
    }


@actor_required()
def uplift_list(request):
    actor = request.actor
    _readable(actor)
    today = timezone.localdate()
    rounds = rounds_visible_to(actor)
    if actor.is_provider:
        rounds = rounds.filter(requests_close__gte=today)
    requests = (
        uplift_requests_visible_to(actor)
        .select_related("round", "provider", "borough")
        .order_by("-requested_at", "-id")
    )
    return render(
        request,
        "finance/uplifts/list.html",
        {
            # The latest rounds (a round a year); the requests page by page.
            "rounds": rounds.order_by("-effective_date", "-id")[:20],
            "page": paginate(request, requests),
            "can_open": may_open_rounds(actor),
            "today": today,
        },
    )


@actor_required()
def uplift_round_open_view(request):
    actor = request.actor
    if not may_open_rounds(actor):
        raise PermissionDenied("Only the consortium admin can open an uplift round.")
    form = RoundOpenForm(
        request.POST if request.method == "POST" else None, consortium=actor.organisation
    )
    opened = (
        submit(form, uplift_round_open, actor=actor)
        if request.method == "POST" and form.is_valid()
        else None
    )
    if opened is not None:
        messages.success(request, f"The round {opened.name} is open to requests.")
        return redirect("finance:uplift_round", pk=opened.pk)
    return render_form(request, "finance/uplifts/round_open.html", form)


@actor_required()
def uplift_round(request, pk):
    actor = request.actor
    _readable(actor)
    round_ = get_round_for_actor(actor, pk)
    visible = uplift_requests_visible_to(actor)
    requests = visible.filter(round=round_).select_related("provider", "borough")
    today = timezone.localdate()
    return render(
        request,
        "finance/uplifts/round.html",
        {
            "round": round_,
            "lots": round_.lots.all(),
            "page": paginate(request, requests),
            "cost": _cost_display(round_cost(visible, round_)),
            "is_open": round_is_open(round_, today),
            "can_request": actor.is_bidder and round_is_open(round_, today),
        },
    )


@actor_required()
def uplift_request_new(request, pk):
    actor = request.actor
    if not actor.is_bidder:
        raise PermissionDenied("Only a provider's admins and bidders can ask for an uplift.")
    round_ = get_round_for_actor(actor, pk)
    if not round_is_open(round_, timezone.localdate()):
        messages.error(request, "This round is closed to requests.")
        return redirect("finance:uplift_round", pk=round_.pk)
    provider = actor.organisation
    placements = open_to_request(round_, provider)
    services = Service.objects.filter(
        provider=provider,
        pk__in=eligible_placements(provider, round_).values("service_id"),
    ).order_by("name")
    form = RequestForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        placements=placements,
        services=services,
    )
    submitted = (
        submit(form, uplift_request_submit, actor=actor, round=round_)
        if request.method == "POST" and form.is_valid()
        else None
    )
    if submitted is not None:
        count = len(submitted.requests)
        messages.success(
            request,
            f"Your request is sent: {count} borough{'' if count == 1 else 's'} will decide it.",
        )
        return redirect("finance:uplift_request", pk=submitted.requests[0].pk)
    return render_form(
        request,
        "finance/uplifts/request_form.html",
        form,
        {"round": round_, "has_placements": placements.exists()},
    )


@actor_required()
def uplift_request(request, pk):
    actor = request.actor
    _readable(actor)
    found = get_uplift_request_for_actor(actor, pk)
    lines = found.lines.select_related("placement", "placement__service").order_by(
        "placement__child_reference", "placement_id"
    )
    rows = [
        {
            "child": line.placement.child_reference or f"Placement {line.placement_id}",
            "service": line.placement.service.name if line.placement.service else "",
            "before": money(line.fee_before),
            "asked": money(line.fee_asked),
            "agreed": money(line.fee_agreed),
        }
        for line in lines
    ]
    return render(
        request,
        "finance/uplifts/request.html",
        {
            "uplift": found,
            "rows": rows,
            "can_decide": may_decide_uplift(actor, found) and UPLIFT_STATES.allows(found, "decide"),
        },
    )


@require_GET
@actor_required()
def uplift_evidence(request, pk):
    """The evidence, to the provider, the borough and the consortium; 404 for everyone else.
    Never cached, never sniffed, always a download."""
    actor = request.actor
    _readable(actor)
    found = get_uplift_request_for_actor(actor, pk)
    if not found.evidence:
        raise Http404
    try:
        with found.evidence.open("rb") as stored:
            content = stored.read()
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    uplift_evidence_download_record(actor=actor, request=found)
    extension = "." + found.evidence.name.rsplit(".", 1)[-1].lower()
    response = HttpResponse(
        content, content_type=CONTENT_TYPES.get(extension, "application/octet-stream")
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"uplift-evidence-{found.pk}{extension}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@actor_required()
def uplift_decide_view(request, pk):
    actor = request.actor
    _readable(actor)
    found = get_uplift_request_for_actor(actor, pk)
    if not may_decide_uplift(actor, found):
        raise PermissionDenied("You cannot decide this request.")
    if not UPLIFT_STATES.allows(found, "decide"):
        messages.error(request, "This request has already been decided.")
        return redirect("finance:uplift_request", pk=found.pk)
    placements = Placement.objects.filter(pk__in=found.lines.values("placement_id")).select_related(
        "borough", "service"
    )
    form = DecideForm(request.POST if request.method == "POST" else None, placements=placements)
    decided = (
        submit(form, uplift_decide, data=form.service_data(), actor=actor, request=found)
        if request.method == "POST" and form.is_valid()
        else None
    )
    if decided is not None:
        text = f"The request is {decided.request.get_status_display().lower()}."
        if decided.applied:
            text += f" {len(decided.applied)} placements have the uplift from its date."
        if decided.skipped:
            ended = ", ".join(p.child_reference or str(p.pk) for p in decided.skipped)
            text += f" Not uplifted, as they ended before the date: {ended}."
        messages.success(request, text)
        return redirect("finance:uplift_request", pk=found.pk)
    return render_form(request, "finance/uplifts/decide.html", form, {"uplift": found})
