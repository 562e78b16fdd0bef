"""The borough's evaluation and shortlist of a closed request: the scores of every bid, the
young person's view of each shortlisted offer, and the award.

Bids are read only through `bids_visible_to`, which is empty until the request closes."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dps.decorators import actor_required
from dps.pages import render_form, submit
from dps.services import DomainError
from providers.needs import INDICATORS
from providers.selectors.arrangement import pending_applications

from ..access import get_bid_for_actor, get_request_for_actor
from ..forms.requests import AwardForm, YoungPersonViewForm
from ..models import Bid, Evaluation, PlacementRequest
from ..models.requests import REQUEST_STATES
from ..selectors.bids import bids_visible_to
from ..selectors.distance import from_home, proximity_limit
from ..services import award as award_services
from ..services import budget
from ..services import requests as request_services
from ..services.transitions import SHORTLIST_SIZE
from .requests import BOROUGH, _posted

Status = PlacementRequest.Status


def _bids(actor, placement_request):
    return (
        bids_visible_to(actor)
        .filter(request=placement_request)
        .select_related("quality_snapshot", "young_person_view_by")
    )


def _valid(bids):
    return [b for b in bids if b.status == Bid.Status.SUBMITTED and b.rank is not None]


def _needs_met(bid, needs):
    """(need label, the child's score, how the bid says it meets it) for each need scored."""
    met = bid.needs_met or {}
    return [
        (label, needs.get(code), met.get(code, ""))
        for code, label, _domain in INDICATORS
        if needs.get(code) or met.get(code)
    ]


@actor_required(kinds=BOROUGH)
def shortlist(request, pk):
    actor = request.actor
    placement_request = get_request_for_actor(actor, pk)
    can_write = actor.is_borough_writer
    bids = list(_bids(actor, placement_request).order_by("rank", "submitted_at", "id"))
    evaluation = None
    if placement_request.bids_unsealed:
        evaluation = Evaluation.objects.filter(request=placement_request).first()
    needs = placement_request.needs or {}
    valid = _valid(bids)
    for bid in valid:
        bid.needs_rows = _needs_met(bid, needs)
        bid.from_home = from_home(placement_request, bid.service)
        _flag_budget(placement_request, bid)
    status = placement_request.status
    view_forms = {}
    if can_write and REQUEST_STATES.allows(status, "young_person_view"):
        view_forms = {
            b.pk: YoungPersonViewForm(prefix=f"bid-{b.pk}", initial={"view": b.young_person_view})
            for b in valid
            if b.rank <= SHORTLIST_SIZE
        }
    return render(
        request,
        "placements/requests/shortlist.html",
        {
            "placement_request": placement_request,
            "evaluation": evaluation,
            "top": [(b, view_forms.get(b.pk)) for b in valid if b.rank <= SHORTLIST_SIZE],
            "rest": [b for b in valid if b.rank > SHORTLIST_SIZE],
            "invalid": [b for b in bids if b.status == Bid.Status.INVALID],
            "can_confirm": can_write and REQUEST_STATES.allows(status, "confirm_shortlist"),
            "can_award": can_write and REQUEST_STATES.allows(status, "award"),
            "placement": getattr(placement_request, "placement", None)
            if status in (Status.AWARDED, Status.PLACED)
            else None,
            "shortlist_size": SHORTLIST_SIZE,
            "proximity_limit": proximity_limit(placement_request),
            "home_confidential": placement_request.home_location
            == PlacementRequest.HomeLocation.BOROUGH,
        },
    )


def _flag_budget(placement_request, bid):
    """What the page says about a bid over the budget, and how it can be awarded: in one
    step (the top-ranked, within budget or where the lot allows it), with a reason, or not."""
    rule = budget.award_rule(placement_request, bid)
    bid.over_budget = rule is not None
    bid.over_budget_by = bid.weekly_fee - placement_request.max_weekly_budget if rule else None
    bid.award_refused = rule == budget.Rule.REFUSED
    bid.award_needs_reason = bid.rank != 1 or rule == budget.Rule.WITH_REASON


@require_POST
@actor_required(kinds=BOROUGH)
def shortlist_confirm(request, pk):
    actor = request.actor
    placement_request = get_request_for_actor(actor, pk, write=True)
    try:
        request_services.request_shortlist_confirm(actor=actor, placement_request=placement_request)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            "Shortlist confirmed. The shortlisted providers have been told, and can now read "
            "the child's story.",
        )
    return redirect("placements:shortlist", pk=pk)


@actor_required(kinds=BOROUGH)
def young_person_view(request, pk, bpk):
    actor = request.actor
    placement_request = get_request_for_actor(actor, pk)
    bid = get_bid_for_actor(actor, bpk, write=True, placement_request=placement_request)
    form = YoungPersonViewForm(
        _posted(request), prefix=f"bid-{bid.pk}", initial={"view": bid.young_person_view}
    )
    if request.method == "POST" and form.is_valid():
        recorded = submit(
            form,
            award_services.young_person_view_record,
            {"view": form.cleaned_data["view"]},
            actor=actor,
            bid=bid,
        )
        if recorded is not None:
            messages.success(
                request, f"The young person's view of {bid.provider.name}'s offer is recorded."
            )
            return redirect("placements:shortlist", pk=pk)
    return render_form(
        request,
        "placements/requests/young_person_view.html",
        form,
        {"placement_request": placement_request, "bid": bid},
    )


@actor_required(kinds=BOROUGH)
def award(request, pk):
    """The top-ranked offer is awarded in one click (the shortlist page posts its id); any
    other needs a reason, asked on this page."""
    actor = request.actor
    placement_request = get_request_for_actor(actor, pk, write=True)
    if not REQUEST_STATES.allows(placement_request, "award"):
        messages.error(
            request,
            "This request has already been awarded."
            if placement_request.status in (Status.AWARDED, Status.PLACED)
            else "Confirm the shortlist before awarding.",
        )
        return redirect("placements:shortlist", pk=pk)
    valid = _valid(_bids(actor, placement_request).order_by("rank", "id"))
    initial = {"bid": request.GET.get("bid")} if request.GET.get("bid") else {}
    pending = list(pending_applications(placement_request.lot))
    form = AwardForm(_posted(request), bids=valid, initial=initial, pending=bool(pending))
    if request.method == "POST" and form.is_valid():
        chosen = next(b for b in valid if b.pk == form.cleaned_data["bid"])
        placement = submit(
            form,
            award_services.award,
            {
                "reason": form.cleaned_data["reason"],
                "pending_applications_considered": form.cleaned_data.get(
                    "pending_applications_considered", False
                ),
            },
            actor=actor,
            placement_request=placement_request,
            bid=chosen,
        )
        if placement is not None:
            messages.success(
                request,
                f"Awarded to {chosen.provider.name}. The emails telling every bidder are "
                "being sent, and the Individual Placement Agreement is being prepared: "
                "download it from this page.",
            )
            return redirect("placements:placement_detail", pk=placement.pk)
    return render_form(
        request,
        "placements/requests/award.html",
        form,
        {
            "placement_request": placement_request,
            "top": valid[0] if valid else None,
            "over_budget": [
                b for b in valid if budget.over_budget(placement_request, b.weekly_fee)
            ],
            "budget_rule": budget.RULE_FOR_BOROUGH[budget.rule_of(placement_request)],
            "pending": pending,
        },
    )
