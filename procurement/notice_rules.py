"""Which Find a Tender notices each event owes, and when each is due: one table.

Each rule names the notice, the kind of thing that owes it (its subject: the arrangement, a
version of the conditions, an opening, a competition or a placement), the arrangements it
applies to, when it is owed and its due date. docs/procurement.md, "Notices", gives each
rule's source; the rules marked "product's choice" there are ours where the law says only
"as soon as reasonably practicable" or leaves the reading open.

A legacy DPS (Public Contracts Regulations 2015) owes no Procurement Act notice: a procurement
under earlier legislation keeps that legislation's notices. An exclusion owes none either."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from placements.models import Placement, PlacementRequest
from providers.models import Arrangement

from .selectors.valuation import placement_valuation, request_valuation

Basis = Arrangement.Basis
DYNAMIC_MARKET = frozenset({Basis.DYNAMIC_MARKET})
OPEN_FRAMEWORK = frozenset({Basis.OPEN_FRAMEWORK})
PROCUREMENT_ACT = DYNAMIC_MARKET | OPEN_FRAMEWORK
DAYS = timedelta(days=1)
# "As soon as reasonably practicable" (s.39) read as within five days: the product's choice.
PROMPTLY = 5 * DAYS
ENDED_WITHOUT_AWARD = {PlacementRequest.Status.CANCELLED, PlacementRequest.Status.NO_SUITABLE_OFFER}


@dataclass(frozen=True)
class Rule:
    kind: str
    # The Notice field naming what owes it ("" for the arrangement itself).
    subject: str
    bases: frozenset
    event: str
    owed: Callable[[Arrangement, Any, date], bool]
    due: Callable[[Any], date]


def _always(arrangement, subject, today):
    return True


# --- Competitions and placements ---------------------------------------------------------


def competition_above_threshold(arrangement, request) -> bool:
    """A published competition whose value (max weekly budget x weeks) reaches the threshold;
    one without a budget counts as above (the cautious reading: the product's choice)."""
    if request.published_at is None:
        return False
    value = request_valuation(request, arrangement)
    return value is None or value.above_threshold


def _competition_ended(arrangement, request, today):
    return request.status in ENDED_WITHOUT_AWARD and competition_above_threshold(
        arrangement, request
    )


def _ended_on(request) -> date:
    return timezone.localdate(request.closed_at or request.updated_at)


def award_owes_notices(arrangement, placement) -> bool:
    """An award above the threshold, not a user choice (Sch. 5 para. 15), owes its notices."""
    return (
        not placement.user_choice_grounds
        and placement_valuation(placement, arrangement).above_threshold
    )


def _award(arrangement, placement, today):
    return award_owes_notices(arrangement, placement)


def _ended_early(arrangement, placement, today):
    return (
        placement.end_date is not None
        and placement.planned_end_date is not None
        and placement.end_date < placement.planned_end_date
        and award_owes_notices(arrangement, placement)
    )


def change_owes_notice(arrangement, placement, previous_weekly_fee, new_weekly_fee) -> bool:
    """A fee rise on a placement above the threshold owes a UK10 (the product's choice: a rise
    only; a fall or a change of dates owes none)."""
    return new_weekly_fee > previous_weekly_fee and award_owes_notices(arrangement, placement)


RULES: tuple[Rule, ...] = (
    # Dynamic market notices (Procurement Act 2023 s.39; content: Procurement Regulations 2024
    # reg. 25).
    Rule(
        "UK13",
        "",
        DYNAMIC_MARKET,
        "Intention to establish the dynamic market",
        _always,
        lambda arrangement: arrangement.starts_on - DAYS,
    ),
    Rule(
        "UK14",
        "",
        DYNAMIC_MARKET,
        "Establishment of the dynamic market",
        _always,
        lambda arrangement: arrangement.starts_on + PROMPTLY,
    ),
    Rule(
        "UK15",
        "conditions",
        DYNAMIC_MARKET,
        "Modification of the dynamic market: new conditions of membership",
        lambda arrangement, conditions, today: conditions.number >= 2,
        lambda conditions: timezone.localdate(conditions.in_force_from) + PROMPTLY,
    ),
    Rule(
        "UK16",
        "",
        DYNAMIC_MARKET,
        "Cessation of the dynamic market",
        lambda arrangement, subject, today: arrangement.ends_on <= today,
        lambda arrangement: arrangement.ends_on + PROMPTLY,
    ),
    # Tender notices (s.21): a competition above the threshold on a dynamic market (its
    # call-offs under an open framework need none), and each opening of an open framework.
    Rule(
        "UK4",
        "request",
        DYNAMIC_MARKET,
        "Competition above the light-touch threshold",
        lambda arrangement, request, today: competition_above_threshold(arrangement, request),
        lambda request: timezone.localdate(request.published_at),
    ),
    Rule(
        "UK4",
        "opening",
        OPEN_FRAMEWORK,
        "Opening of the open framework",
        _always,
        lambda opening: opening.opens_on,
    ),
    # Procurement termination notice (s.55): a competition that owed a UK4, ended unawarded.
    Rule(
        "UK12",
        "request",
        DYNAMIC_MARKET,
        "Competition above the threshold ended without an award",
        _competition_ended,
        lambda request: _ended_on(request) + 30 * DAYS,
    ),
    # Contract award (s.50) and contract details (s.53) notices: an award above the threshold.
    Rule(
        "UK6",
        "placement",
        PROCUREMENT_ACT,
        "Award of a placement above the light-touch threshold",
        _award,
        lambda placement: placement.start_date,
    ),
    Rule(
        "UK7",
        "placement",
        PROCUREMENT_ACT,
        "Placement above the light-touch threshold entered into",
        _award,
        lambda placement: placement.start_date + 120 * DAYS,
    ),
    # Contract termination notice (s.80): ended before its planned end.
    Rule(
        "UK11",
        "placement",
        PROCUREMENT_ACT,
        "Placement above the threshold ended before its planned end",
        _ended_early,
        lambda placement: placement.end_date + 30 * DAYS,
    ),
)

# The contract change notice (s.75) is owed when a fee change is recorded, not found by the
# sync: see change_owes_notice and procurement.services.notices.notice_change_owe.
CHANGE_EVENT = "Fee rise on a placement above the light-touch threshold"


def placements_under(arrangement):
    """The placements an arrangement's rules look at: awards through the DPS and spot
    purchases (direct awards) of its consortium's boroughs starting on or after its start;
    never placements read from an SSDA903 return."""
    return Placement.objects.filter(
        borough__consortium_id=arrangement.consortium_id,
        source__in=[Placement.Source.DPS, Placement.Source.SPOT],
        start_date__gte=arrangement.starts_on,
    )


def rules_for(arrangement, subject: str) -> list[Rule]:
    return [r for r in RULES if r.subject == subject and arrangement.basis in r.bases]
