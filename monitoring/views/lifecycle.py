"""The borough's pages recording a placement's life: a review, a change of fee, the ending, and a
spot purchase. Placement officers write; everyone else is refused. The timeline they build is
shown on the placement's own page (placements.views.placements), to the borough and provider."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from dps.decorators import actor_required
from dps.models import Organisation
from dps.pages import render_form, submit
from placements.models.placements import PLACEMENT_STATES
from providers.needs import DOMAINS

from .. import access
from ..forms.lifecycle import EndForm, FeeChangeForm, SpotForm, review_form
from ..selectors import lifecycle as selectors
from ..services import lifecycle as services

BOROUGH = {Organisation.Kind.BOROUGH}


def _posted(request):
    return request.POST if request.method == "POST" else None


def _placement(request, pk):
    """The borough's own placement, for its officers only."""
    return access.get_placement_for_actor(request.actor, pk, write=True)


def _context(placement, **extra):
    return {"placement": placement, **extra}


@actor_required(kinds=BOROUGH)
def review_create(request, pk):
    placement = _placement(request, pk)
    required = selectors.desired_outcome_domains(placement)
    domains = required if placement.request_id else [code for code, _ in DOMAINS]
    initial = {}
    last = placement.reviews.order_by("-review_date", "-id").first()
    needs = last.needs if last else ((placement.request.needs or {}) if placement.request else {})
    initial.update({f"need_{code}": str(score) for code, score in needs.items()})
    form = review_form(
        _posted(request), domains=domains, required_domains=required, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        review = submit(
            form,
            services.review_record,
            form.service_data(),
            actor=request.actor,
            placement=placement,
        )
        if review is not None:
            messages.success(request, "The review is recorded.")
            return redirect("placements:placement_detail", pk=placement.pk)
    outcomes = (placement.request.outcomes or {}) if placement.request else {}
    rows = [
        (label, form[f"progress_{code}"], form[f"progress_note_{code}"], outcomes.get(code))
        for code, label in form.domain_rows
    ]
    return render_form(
        request,
        "monitoring/lifecycle/review.html",
        form,
        _context(placement, domain_rows=rows, started=PLACEMENT_STATES.allows(placement, "review")),
    )


@actor_required(kinds=BOROUGH)
def fee_change_create(request, pk):
    placement = _placement(request, pk)
    form = FeeChangeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        change = submit(form, services.fee_change_record, actor=request.actor, placement=placement)
        if change is not None:
            messages.success(request, "The new weekly fee is recorded.")
            return redirect("placements:placement_detail", pk=placement.pk)
    return render_form(request, "monitoring/lifecycle/fee_change.html", form, _context(placement))


@actor_required(kinds=BOROUGH)
def placement_end(request, pk):
    placement = _placement(request, pk)
    form = EndForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        ended = submit(
            form, services.placement_end_record, actor=request.actor, placement=placement
        )
        if ended is not None:
            messages.success(request, "The ending is recorded.")
            return redirect("placements:placement_detail", pk=placement.pk)
    return render_form(request, "monitoring/lifecycle/end.html", form, _context(placement))


@actor_required(kinds=BOROUGH)
def spot_create(request):
    actor = request.actor
    if not access.may_record(actor):
        raise PermissionDenied("Only the borough's placement officers can record this.")
    form = SpotForm(
        _posted(request), services=selectors.spot_services(actor), lots=selectors.spot_lots(actor)
    )
    if request.method == "POST" and form.is_valid():
        placement = submit(form, services.spot_placement_create, actor=actor)
        if placement is not None:
            messages.success(request, "The spot purchase is recorded.")
            return redirect("placements:placement_detail", pk=placement.pk)
    return render_form(request, "monitoring/lifecycle/spot.html", form, {})
