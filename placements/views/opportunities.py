"""The provider's side of a request: the requests it is invited to, the anonymised profile (and,
once shortlisted, the child's story), its bid, questions, declining, and the result.

Everything starts from the selectors, so a provider only ever reaches its own invitations and
its own bid: other providers' bids, and how many there are, are never read here."""

from functools import partial

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from dps.decorators import actor_required
from dps.formatting import money
from dps.models import Organisation
from dps.pages import paginate, render_form, submit
from dps.services import DomainError
from dps.tenancy import BIDDERS
from providers.models import Enrolment
from providers.needs import DOMAINS, INDICATORS, SCORES

from ..access import get_invitation_for_actor
from ..forms.bids import BidForm, DeclineForm, OpportunityFilterForm, QuestionForm
from ..models import Bid, PlacementRequest
from ..selectors.bids import bids_visible_to
from ..selectors.distance import band_from_home
from ..selectors.invitations import invitations_visible_to
from ..selectors.questions import questions_visible_to
from ..selectors.story import story_released_to
from ..services import bids as bid_services
from ..services import budget
from ..services import questions as question_services
from ..services.story import story_view
from ..services.transitions import SHORTLIST_SIZE

PROVIDER = {Organisation.Kind.PROVIDER}
Status = PlacementRequest.Status
SCORE_LABELS = dict(SCORES)


# --- The provider's state on a request ----------------------------------------------------


def accepting_bids(placement_request, now=None):
    """Bids, changes and questions are accepted: open, and the deadline not yet passed."""
    now = now or timezone.now()
    return placement_request.status == Status.OPEN and now < placement_request.bid_deadline


def placement_of(bid):
    """The placement a bid won, or None."""
    if bid is None:
        return None
    try:
        return bid.placement
    except ObjectDoesNotExist:
        return None


def provider_state(invitation, bid, now=None):
    """(label, tag colour) of where the provider stands on the request."""
    placement_request = invitation.request
    status = placement_request.status
    submitted = bid is not None and bid.status == Bid.Status.SUBMITTED
    invalid = bid is not None and bid.status == Bid.Status.INVALID
    if status == Status.CANCELLED:
        return "Cancelled", "grey"
    if status == Status.OPEN:
        if submitted and bid.needs_reconfirmation:
            return "Bid needs re-confirmation", "orange"
        if submitted:
            return "Bid submitted", "blue"
        if invitation.declined_at:
            return "Declined", "grey"
        if bid is not None and bid.status == Bid.Status.WITHDRAWN:
            return "Bid withdrawn", "grey"
        if accepting_bids(placement_request, now):
            return "Not answered", "yellow"
        return "No bid", "grey"
    if invalid:
        return "Bid invalid", "red"
    if not submitted:
        return ("Declined", "grey") if invitation.declined_at else ("No bid", "grey")
    if status == Status.CLOSED:
        return "Bid submitted", "blue"
    if status == Status.SHORTLISTED:
        if bid.rank and bid.rank <= SHORTLIST_SIZE:
            return "Shortlisted", "turquoise"
        return "Not shortlisted", "grey"
    if status in (Status.AWARDED, Status.PLACED):
        if placement_of(bid) is not None:
            return "Awarded", "green"
        return "Unsuccessful", "red"
    if status == Status.NO_SUITABLE_OFFER:
        return "No suitable offer", "grey"
    return placement_request.get_status_display(), "grey"


# --- Helpers --------------------------------------------------------------------------------


def _own_bid(actor, placement_request):
    bid = (
        bids_visible_to(actor)
        .select_related("placement")
        .filter(request_id=placement_request.pk)
        .first()
    )
    if bid is not None:
        bid.request = placement_request
    return bid


def _detail(invitation, anchor=""):
    return redirect(reverse("placements:opportunity_detail", args=[invitation.pk]) + anchor)


def _closed_message(placement_request):
    if placement_request.status == Status.OPEN:
        deadline = timezone.localtime(placement_request.bid_deadline)
        return (
            f"The deadline for bids passed at {deadline:%H:%M} on {deadline.day} "
            f"{deadline:%B %Y}. Bids can no longer be made or changed."
        )
    return (
        f"This request is {placement_request.get_status_display().lower()}: bids, changes and "
        "questions are no longer accepted."
    )


def _profile_needs(placement_request, details=None):
    """(domain label, desired outcome, [(need label, score, score label, detail)]) by domain."""
    needs = placement_request.needs or {}
    outcomes = placement_request.outcomes or {}
    groups = []
    for domain, domain_label in DOMAINS:
        rows = []
        for code, label, d in INDICATORS:
            if d != domain:
                continue
            score = needs.get(code)
            detail = (details or {}).get(code, "") if details is not None else None
            rows.append((label, score, SCORE_LABELS.get(score, "Not scored"), detail))
        groups.append((domain_label, outcomes.get(domain, ""), rows))
    return groups


def _met_needs(bid):
    """(need label, how) for each need the bid says it meets, in the profile's order."""
    met = (bid.needs_met or {}) if bid is not None else {}
    return [(label, met[code]) for code, label, _d in INDICATORS if met.get(code)]


def _enrolment_active(actor, placement_request):
    status = (
        Enrolment.objects.filter(provider=actor.organisation, lot_id=placement_request.lot_id)
        .values_list("status", flat=True)
        .first()
    )
    return status == Enrolment.Status.ACTIVE


# --- Pages ----------------------------------------------------------------------------------


@actor_required(kinds=PROVIDER, roles=BIDDERS)
def opportunity_list(request):
    actor = request.actor
    now = timezone.now()
    filters = OpportunityFilterForm(request.GET or None, initial={"status": ""})
    shown = filters.cleaned_data.get("status", "") if filters.is_valid() else ""
    invitations = invitations_visible_to(actor).order_by("-invited_at", "-id")
    if shown == "open":
        invitations = invitations.filter(request__status=Status.OPEN, request__bid_deadline__gt=now)
    elif shown == "closed":
        invitations = invitations.exclude(
            request__status=Status.OPEN, request__bid_deadline__gt=now
        )
    page = paginate(request, invitations)
    requests_by_id = {i.request_id: i.request for i in page}
    bids = {}
    for bid in (
        bids_visible_to(actor).select_related("placement").filter(request_id__in=requests_by_id)
    ):
        bid.request = requests_by_id[bid.request_id]
        bids[bid.request_id] = bid
    rows = []
    for invitation in page:
        label, colour = provider_state(invitation, bids.get(invitation.request_id), now)
        placement_request = invitation.request
        rows.append(
            {
                "invitation": invitation,
                "request": placement_request,
                "state": label,
                "colour": colour,
                "accepting": accepting_bids(placement_request, now),
            }
        )
    return render(
        request,
        "placements/opportunities/list.html",
        {"page": page, "rows": rows, "shown": shown, "filters": filters},
    )


@actor_required(kinds=PROVIDER, roles=BIDDERS)
def opportunity_detail(request, pk):
    actor = request.actor
    invitation = get_invitation_for_actor(actor, pk)
    placement_request = invitation.request
    bid_services.invitation_mark_viewed(invitation=invitation)
    bid = _own_bid(actor, placement_request)
    now = timezone.now()
    accepting = accepting_bids(placement_request, now)
    # The child's story: only once released (shortlisted, or the winner after the award), and
    # each view of it is audited.
    story = None
    if story_released_to(actor, placement_request):
        story = story_view(actor=actor, placement_request=placement_request)
    label, colour = provider_state(invitation, bid, now)
    submitted = bid is not None and bid.status == Bid.Status.SUBMITTED
    questions = [
        {"question": q, "own": q.provider_id == actor.organisation.pk}
        for q in questions_visible_to(actor, placement_request).order_by("asked_at", "id")
    ]
    return render(
        request,
        "placements/opportunities/detail.html",
        {
            "invitation": invitation,
            "placement_request": placement_request,
            "bid": bid,
            "met_needs": _met_needs(bid),
            "bid_over_budget": bid is not None
            and budget.over_budget(placement_request, bid.weekly_fee),
            "budget_rule": budget.RULE_FOR_BIDDERS[budget.rule_of(placement_request)],
            "submitted": submitted,
            "state": label,
            "colour": colour,
            "accepting": accepting,
            "closed_message": "" if accepting else _closed_message(placement_request),
            "story": story,
            "needs": _profile_needs(
                placement_request, story.get("need_details") if story else None
            ),
            "services": [
                (service, band_from_home(placement_request, service))
                for service in invitation.services.all()
            ],
            "questions": questions,
            "question_form": QuestionForm() if accepting else None,
            "enrolment_active": _enrolment_active(actor, placement_request),
            "placement": placement_of(bid) if submitted else None,
            "result_shown": submitted
            and placement_request.status in (Status.AWARDED, Status.PLACED),
        },
    )


@actor_required(kinds=PROVIDER, roles=BIDDERS)
def bid(request, pk):
    """Make a bid, change it, or bid again after withdrawing. The deadline is checked by the
    service when the form is sent: a form loaded in time but sent late is refused, with what
    was typed kept on the page."""
    actor = request.actor
    invitation = get_invitation_for_actor(actor, pk, write=True)
    placement_request = invitation.request
    current = _own_bid(actor, placement_request)
    if request.method != "POST" and not accepting_bids(placement_request):
        messages.error(request, _closed_message(placement_request))
        return _detail(invitation)
    form = BidForm(
        request.POST if request.method == "POST" else None,
        invitation=invitation,
        initial=BidForm.initial_for(current),
    )
    over_budget = None
    if request.method == "POST" and form.is_valid():
        data = form.bid_data()
        over_budget = _over_budget_unconfirmed(request, placement_request, data)
        saved = None
        if over_budget is None:
            saved = submit(
                form,
                partial(bid_services.bid_save, invitation=invitation),
                data,
                actor=actor,
            )
        if saved is not None:
            changed = current is not None and current.status == Bid.Status.SUBMITTED
            over = budget.over_budget(placement_request, saved.weekly_fee)
            messages.success(
                request,
                f"Your bid has been {'changed' if changed else 'submitted'}: "
                f"a weekly fee of {money(saved.weekly_fee)}"
                + (
                    f", over the maximum weekly budget of "
                    f"{money(placement_request.max_weekly_budget)}."
                    if over
                    else "."
                ),
            )
            return _detail(invitation)
    return render_form(
        request,
        "placements/opportunities/bid_form.html",
        form,
        {
            "invitation": invitation,
            "placement_request": placement_request,
            "current": current,
            "editing": current is not None and current.status == Bid.Status.SUBMITTED,
            "budget_rule": budget.RULE_FOR_BIDDERS[budget.rule_of(placement_request)],
            "over_budget": over_budget,
        },
    )


def _over_budget_unconfirmed(request, placement_request, data):
    """A bid over the budget is shown back with a warning, once, before it is submitted: the
    bidder confirms that weekly fee (a hidden field on the warning). Returns the warning's
    figures, or None to go ahead (within budget, confirmed, or refused by the lot's rule, which
    the service then says)."""
    weekly_fee = data["core_weekly_fee"] + data["extra_staffing_cost"]
    if not budget.over_budget(placement_request, weekly_fee):
        return None
    if budget.rule_of(placement_request) == budget.Rule.REFUSED:
        return None
    confirm = f"{weekly_fee:.2f}"
    if request.POST.get("over_budget_confirmed") == confirm:
        return None
    limit = placement_request.max_weekly_budget
    return {"weekly_fee": weekly_fee, "budget": limit, "by": weekly_fee - limit, "confirm": confirm}


@actor_required(kinds=PROVIDER, roles=BIDDERS)
def bid_withdraw(request, pk):
    actor = request.actor
    invitation = get_invitation_for_actor(actor, pk, write=True)
    placement_request = invitation.request
    current = _own_bid(actor, placement_request)
    if current is None or current.status != Bid.Status.SUBMITTED:
        messages.error(request, "You have no bid to withdraw on this request.")
        return _detail(invitation)
    if request.method == "POST":
        try:
            bid_services.bid_withdraw(actor=actor, bid=current)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, "Your bid has been withdrawn. You can bid again until the deadline."
            )
        return _detail(invitation)
    if not accepting_bids(placement_request):
        messages.error(request, _closed_message(placement_request))
        return _detail(invitation)
    return render(
        request,
        "placements/opportunities/withdraw.html",
        {
            "invitation": invitation,
            "placement_request": placement_request,
            "bid": current,
            "met_needs": _met_needs(current),
        },
    )


@require_POST
@actor_required(kinds=PROVIDER, roles=BIDDERS)
def bid_confirm(request, pk):
    """Confirm the bid still stands on the request's changed terms."""
    actor = request.actor
    invitation = get_invitation_for_actor(actor, pk, write=True)
    current = _own_bid(actor, invitation.request)
    if current is None:
        messages.error(request, "You have no bid to confirm on this request.")
        return _detail(invitation)
    try:
        bid_services.bid_confirm(actor=actor, bid=current)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Your bid is confirmed on the changed terms.")
    return _detail(invitation)


@actor_required(kinds=PROVIDER, roles=BIDDERS)
def opportunity_decline(request, pk):
    actor = request.actor
    invitation = get_invitation_for_actor(actor, pk, write=True)
    placement_request = invitation.request
    if request.method != "POST" and not accepting_bids(placement_request):
        messages.error(request, _closed_message(placement_request))
        return _detail(invitation)
    form = DeclineForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        declined = submit(
            form,
            partial(bid_services.invitation_decline, invitation=invitation),
            actor=actor,
        )
        if declined is not None:
            messages.success(
                request, "You have declined this request. You can still bid until the deadline."
            )
            return _detail(invitation)
    return render_form(
        request,
        "placements/opportunities/decline.html",
        form,
        {
            "invitation": invitation,
            "placement_request": placement_request,
        },
    )


@actor_required(kinds=PROVIDER, roles=BIDDERS)
def question_ask(request, pk):
    actor = request.actor
    invitation = get_invitation_for_actor(actor, pk, write=True)
    placement_request = invitation.request
    if request.method != "POST" and not accepting_bids(placement_request):
        messages.error(request, _closed_message(placement_request))
        return _detail(invitation)
    form = QuestionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        question = submit(
            form,
            partial(question_services.question_ask, placement_request=placement_request),
            actor=actor,
        )
        if question is not None:
            messages.success(request, "Your question has been sent to the borough.")
            return _detail(invitation, "#questions")
    return render_form(
        request,
        "placements/opportunities/ask.html",
        form,
        {"invitation": invitation, "placement_request": placement_request},
    )
