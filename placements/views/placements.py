"""Placements: what an award becomes. The borough and the provider each see their own, and both
can download the Individual Placement Agreement. The borough's officers record the start."""

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify

from dps.decorators import actor_required
from dps.models import Organisation
from dps.pages import paginate, render_form
from monitoring.services import lifecycle as lifecycle_services
from monitoring.ssda903_codes import end_reason_label
from providers.needs import DOMAINS

from ..access import get_placement_for_actor
from ..forms.requests import StartForm
from ..models import Placement
from ..selectors.placements import placements_visible_to
from ..services import award as award_services
from .requests import _posted, run

BOTH = {Organisation.Kind.BOROUGH, Organisation.Kind.PROVIDER}


def _can_start(actor, placement):
    return (
        actor.is_borough
        and actor.is_borough_writer
        and placement.borough_id == actor.organisation.pk
        and placement.status == Placement.Status.AWARDED
    )


@actor_required(kinds=BOTH)
def placement_list(request):
    actor = request.actor
    placements = placements_visible_to(actor)
    return render(
        request,
        "placements/placements/list.html",
        {
            "page": paginate(request, placements),
            "can_record": lifecycle_services.can_record(actor),
        },
    )


@actor_required(kinds=BOTH)
def placement_detail(request, pk):
    actor = request.actor
    placement = get_placement_for_actor(actor, pk)
    can_start = _can_start(actor, placement)
    if request.method == "POST" and not can_start:
        raise PermissionDenied("Only the borough's placement officers record the start.")
    form = StartForm(_posted(request)) if can_start else None
    if form is not None and request.method == "POST" and form.is_valid():
        started = run(
            form,
            partial(award_services.placement_start, placement=placement),
            actor=actor,
            actual_start_date=form.cleaned_data["actual_start_date"],
        )
        if started is not None:
            messages.success(request, "The start is recorded: the child is placed.")
            return redirect("placements:placement_detail", pk=pk)
    outcomes = (placement.request.outcomes or {}) if placement.request else {}
    can_record = lifecycle_services.can_record(actor, placement)
    context = {
        "placement": placement,
        "outcome_rows": [(label, outcomes[c]) for c, label in DOMAINS if outcomes.get(c)],
        "is_borough": actor.is_borough,
        "events": lifecycle_services.placement_events(placement, for_borough=actor.is_borough),
        "can_review": can_record and placement.status == Placement.Status.STARTED,
        "can_change_fee": can_record and placement.status != Placement.Status.AWARDED,
        "can_end": can_record and placement.status == Placement.Status.STARTED,
        "end_reason_label": end_reason_label(placement.end_reason),
    }
    if form is None:
        return render(request, "placements/placements/detail.html", context)
    return render_form(request, "placements/placements/detail.html", form, context)


@actor_required(kinds=BOTH)
def placement_ipa(request, pk):
    placement = get_placement_for_actor(request.actor, pk)
    if placement.request_id is None:
        # Only a placement awarded through the DPS has an agreement (not a spot purchase).
        raise Http404
    content = award_services.ipa_ensure(placement)
    reference = slugify(placement.child_reference) or str(placement.pk)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="ipa-{reference}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
