"""Reads of the fee uplift rounds: the placements a provider may ask an uplift for, and what a
round costs.

A round's cost, per status of its requests: the weekly increase (the fee asked less the fee
before, while a request awaits its decision; the fee agreed less the fee before, once agreed)
and that increase to the end of the financial year the round takes effect in: the increase
x the days each placement runs from the effective date to the earliest of the year's end and
its last day (its ending; while it runs, its planned end; with neither, the year's end), / 7,
rounded to the penny once."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import (
    Case,
    DateField,
    DecimalField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least

from dps.expressions import DaysBetween, day
from dps.periods import YEAR, period_containing
from placements.models import Placement
from placements.selectors.schedule import MONEY, pence

from ..access import rounds_visible_to, uplift_requests_visible_to
from ..models import UpliftLine, UpliftRequest, UpliftRound

Status = UpliftRequest.Status
ZERO = Decimal(0)


def round_is_open(round_: UpliftRound, today: date) -> bool:
    """Requests are taken until the closing date, that day included."""
    return today <= round_.requests_close


def _began():
    return Coalesce(F("actual_start_date"), F("start_date"), output_field=DateField())


def eligible_placements(provider, round_: UpliftRound) -> QuerySet[Placement]:
    """The provider's placements in the round's lots that run on its effective date (began
    on or before it, not ended before it) and have a schedule (bought through the DPS or spot
    purchased: an SSDA903 record has no fee rows)."""
    effective = round_.effective_date
    return (
        Placement.objects.filter(
            provider=provider,
            lot__in=round_.lots.all(),
            source__in=[Placement.Source.DPS, Placement.Source.SPOT],
        )
        .alias(began=_began())
        .filter(began__lte=effective)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=effective))
    )


def covered_in_round(round_: UpliftRound, provider) -> QuerySet:
    """Ids of the provider's placements already covered by a request in the round."""
    return UpliftLine.objects.filter(request__round=round_, request__provider=provider).values_list(
        "placement_id", flat=True
    )


def open_to_request(round_: UpliftRound, provider) -> QuerySet[Placement]:
    """What the provider may still ask for in the round: eligible, not yet covered."""
    return (
        eligible_placements(provider, round_)
        .exclude(pk__in=covered_in_round(round_, provider))
        .select_related("borough", "service")
        .order_by("borough__name", "service__name", "child_reference", "pk")
    )


# --- Cost -----------------------------------------------------------------------------------


@dataclass
class Cost:
    weekly: Decimal = ZERO
    to_year_end: Decimal = ZERO
    placements: int = 0


@dataclass
class RoundCost:
    """A round's cost per status, and the year end it is counted to."""

    year_end: date
    by_status: dict[str, Cost] = field(default_factory=dict)

    def of(self, *statuses: str) -> Cost:
        total = Cost()
        for status in statuses:
            cost = self.by_status.get(status)
            if cost is not None:
                total.weekly += cost.weekly
                total.to_year_end += cost.to_year_end
                total.placements += cost.placements
        return total

    @property
    def requested(self) -> Cost:
        return self.of(Status.REQUESTED)

    @property
    def agreed(self) -> Cost:
        return self.of(Status.AGREED, Status.AGREED_IN_PART)


def _increase():
    """A line's weekly increase: asked while awaiting a decision; agreed once decided (none
    when refused, or for a placement left out of a part agreement)."""
    return Case(
        When(request__status=Status.REQUESTED, then=F("fee_asked") - F("fee_before")),
        When(fee_agreed__isnull=False, then=F("fee_agreed") - F("fee_before")),
        default=Value(ZERO),
        output_field=DecimalField(max_digits=9, decimal_places=2),
    )


def _days_to_year_end():
    """Days each line's placement runs from the round's effective date to the year's end
    (both included; none if it ended before the effective date)."""
    effective = F("request__round__effective_date")
    year_end = F("year_end")
    last = Coalesce(
        "placement__end_date", "placement__planned_end_date", year_end, output_field=DateField()
    )
    return Greatest(DaysBetween(Least(last, year_end), effective) + 1, Value(0))


def round_costs(requests: QuerySet[UpliftRequest], rounds) -> dict[int, RoundCost]:
    """{round id: its cost} over `requests` (the ones the reader may see), for the rounds
    given: one query for them all."""
    rounds = list(rounds)
    costs = {
        r.pk: RoundCost(year_end=period_containing(YEAR, r.effective_date).end) for r in rounds
    }
    if not rounds:
        return costs
    year_end = Case(
        *(When(request__round_id=r.pk, then=day(costs[r.pk].year_end)) for r in rounds),
        output_field=DateField(),
    )
    rows = (
        UpliftLine.objects.filter(request__in=requests, request__round__in=[r.pk for r in rounds])
        .annotate(year_end=year_end)
        .values("request__round_id", "request__status")
        .annotate(
            weekly=Sum(_increase()),
            # Summed as pound-days and divided by 7 once, here: exact on either database.
            pound_days=Sum(
                ExpressionWrapper(_increase() * _days_to_year_end(), output_field=MONEY)
            ),
            placements=Sum(Value(1)),
        )
        .order_by()
    )
    for row in rows:
        costs[row["request__round_id"]].by_status[row["request__status"]] = Cost(
            weekly=pence(row["weekly"] or ZERO),
            to_year_end=pence(Decimal(str(row["pound_days"] or 0)) / 7),
            placements=row["placements"],
        )
    return costs


def round_cost(requests: QuerySet[UpliftRequest], round_: UpliftRound) -> RoundCost:
    return round_costs(requests, [round_])[round_.pk]


def uplift_rounds_summary(
    actor, today: date, *, limit: int = 5
) -> list[tuple[UpliftRound, RoundCost]]:
    """The dashboard's panel: the consortium's rounds still open or taking effect within the
    last year, each with its cost over the requests the actor may see. Two queries."""
    year_ago = date(today.year - 1, today.month, 1)
    rounds = list(
        rounds_visible_to(actor)
        .filter(Q(requests_close__gte=today) | Q(effective_date__gte=year_ago))
        .order_by("-effective_date", "-id")[:limit]
    )
    costs = round_costs(uplift_requests_visible_to(actor), rounds)
    return [(r, costs[r.pk]) for r in rounds]
