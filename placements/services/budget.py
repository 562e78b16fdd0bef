"""A request's maximum weekly budget, and the lot's rule for a bid over it.

Whether a bid is over the budget is decided here once, for the bid form, the API, the shortlist,
closing and the award. The lot's rule (set by the consortium admin) says whether such a bid can
win: `allowed`, `allowed_with_reason` (the award records why) or `refused` (it cannot be made,
confirmed or awarded)."""

from decimal import Decimal

from dps.formatting import money
from dps.services import DomainError
from providers.models import Lot

from ..models import Bid, PlacementRequest

Rule = Lot.OverBudget
# What a bidder is told about the lot's rule, beside the budget.
RULE_FOR_BIDDERS = {
    Rule.ALLOWED: "A bid over the budget can still win.",
    Rule.WITH_REASON: "A bid over the budget can still win, but the borough must record why "
    "it chose it.",
    Rule.REFUSED: "Bids over the budget are not accepted.",
}
# What the borough is told about it when awarding.
RULE_FOR_BOROUGH = {
    Rule.ALLOWED: "This lot allows one to be awarded.",
    Rule.WITH_REASON: "Awarding one needs a reason, kept with the award.",
    Rule.REFUSED: "This lot does not allow one to be awarded.",
}


def over_budget(placement_request: PlacementRequest, weekly_fee: Decimal | None) -> bool:
    """True if the weekly fee is above the request's maximum weekly budget (none set: never)."""
    budget = placement_request.max_weekly_budget
    return budget is not None and weekly_fee is not None and weekly_fee > budget


def rule_of(placement_request: PlacementRequest) -> str:
    lot = placement_request.lot
    return lot.over_budget_rule if lot is not None else Rule.ALLOWED


def award_rule(placement_request: PlacementRequest, bid: Bid) -> str | None:
    """The lot's rule that applies to awarding the bid: None if it is within the budget."""
    if not over_budget(placement_request, bid.weekly_fee):
        return None
    return rule_of(placement_request)


def _over(placement_request, weekly_fee):
    return (
        f"The weekly fee of {money(weekly_fee)} is over the borough's maximum weekly budget "
        f"of {money(placement_request.max_weekly_budget)}"
    )


def bid_check(
    placement_request: PlacementRequest, weekly_fee: Decimal, *, field: str | None = None
) -> None:
    """Refuse a bid over the budget where the lot refuses such bids."""
    if over_budget(placement_request, weekly_fee) and rule_of(placement_request) == Rule.REFUSED:
        raise DomainError(
            f"{_over(placement_request, weekly_fee)}. This lot does not accept bids over the "
            "budget: bid within it.",
            field,
        )


def award_check(
    placement_request: PlacementRequest, bid: Bid, reason: str
) -> dict[str, str] | None:
    """Refuse to award a bid over the budget where the lot refuses it, or without a reason
    where the lot asks for one. Returns what the award records about the budget (or None)."""
    rule = award_rule(placement_request, bid)
    if rule is None:
        return None
    if rule == Rule.REFUSED:
        raise DomainError(
            f"{_over(placement_request, bid.weekly_fee)}. This lot does not allow a bid over "
            "the budget to be awarded: choose another.",
            "bid",
        )
    if rule == Rule.WITH_REASON and not reason:
        raise DomainError(
            f"{_over(placement_request, bid.weekly_fee)}. Say why you are awarding a bid over "
            "the budget.",
            "reason",
        )
    return {
        "budget": str(placement_request.max_weekly_budget),
        "weekly_fee": str(bid.weekly_fee),
        "rule": rule,
    }


def closing_reason(placement_request: PlacementRequest, weekly_fee: Decimal) -> str:
    """Why a bid is invalid at closing for its budget ("" if it is not): only where the lot
    refuses bids over the budget (such a bid can otherwise not have been made, but the budget
    or the rule may have changed since)."""
    if over_budget(placement_request, weekly_fee) and rule_of(placement_request) == Rule.REFUSED:
        return (
            "The weekly fee was over the request's maximum weekly budget, and the lot does not "
            "accept bids over the budget."
        )
    return ""
