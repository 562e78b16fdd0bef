"""Placements: what an award becomes. The borough and the provider each see their own, and both
can download the Individual Placement Agreement. The borough's officers record the start."""

from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify

from dps.decorators import actor_required
from dps.models import Organisation
from dps.pages import paginate, render_form, submit
from dps.tenancy import Actor
from providers.needs import DOMAINS

from ..access import get_placement_for_actor
from ..forms.requests import StartForm
from ..models import Placement
from ..models.placements import PLACEMENT_STATES
from ..selectors.distance import recorded_distance
from ..selectors.placements import placements_visible_to
from ..services import award as award_services
from .requests import _posted

BOTH = {Organisation.Kind.BOROUGH, Organisation.Kind.PROVIDER}

# A higher app adds to these pages (monitoring: a placement's timeline, the name of its end
# reason, and the links to record a review, a fee change, the ending or a spot purchase):
# functions returning a dict merged into the page's context, registered from its
# AppConfig.ready(), so placements knows none of them. A list contributor takes the actor; a
# detail contributor the actor and the placement.
LIST_CONTRIBUTORS: list[Callable[[Actor], dict[str, Any]]] = []
DETAIL_CONTRIBUTORS: list[Callable[[Actor, Placement], dict[str, Any]]] = []


def _can_start(actor, placement):
    return (
        actor.is_borough
        and actor.is_borough_writer
        and placement.borough_id == actor.organisation.pk
        and PLACEMENT_STATES.allows(placement, "start")
    )


@actor_required(kinds=BOTH)
def placement_list(request):
    actor = request.actor
    placements = placements_visible_to(actor)
    context = {"page": paginate(request, placements), "can_record": False}
    for contributor in LIST_CONTRIBUTORS:
        context.update(contributor(actor))
    return render(request, "placements/placements/list.html", context)


@actor_required(kinds=BOTH)
def placement_detail(request, pk):
    actor = request.actor
    placement = get_placement_for_actor(actor, pk)
    can_start = _can_start(actor, placement)
    if request.method == "POST" and not can_start:
        raise PermissionDenied("Only the borough's placement officers record the start.")
    form = StartForm(_posted(request)) if can_start else None
    if form is not None and request.method == "POST" and form.is_valid():
        started = submit(
            form,
            partial(award_services.placement_start, placement=placement),
            {"actual_start_date": form.cleaned_data["actual_start_date"]},
            actor=actor,
        )
        if started is not None:
            messages.success(request, "The start is recorded: the child is placed.")
            return redirect("placements:placement_detail", pk=pk)
    outcomes = (placement.request.outcomes or {}) if placement.request else {}
    context = {
        "placement": placement,
        "outcome_rows": [(label, outcomes[c]) for c, label in DOMAINS if outcomes.get(c)],
        "is_borough": actor.is_borough,
        "events": [],
        "can_review": False,
        "can_change_fee": False,
        "can_end": False,
        "end_reason_label": placement.end_reason,
        "distance": recorded_distance(placement),
    }
    for contributor in DETAIL_CONTRIBUTORS:
        context.update(contributor(actor, placement))
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
