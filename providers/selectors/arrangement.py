"""Reads of the arrangement part: the consortium's arrangement, the conditions of membership
in force, its openings, the s.49 schedule of an open framework, the warnings the dashboard
shows, and the exclusions in force. docs/procurement.md gives each rule with its source."""

import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import Q, QuerySet
from django.utils import timezone

from dps.models import Organisation
from dps.tenancy import Actor

from ..models import Application
from ..models.arrangement import (
    LEGACY_DPS_LAST_DAY,
    Arrangement,
    ConditionsVersion,
    Exclusion,
    Opening,
)

Basis = Arrangement.Basis
# Bases under which applications are taken at any time and decided within a set period.
ALWAYS_OPEN = (Basis.LEGACY_DPS, Basis.DYNAMIC_MARKET)
# Open framework (Procurement Act 2023 s.49(2)): a further award within 3 years of the first,
# then within every 5 years from the second; the last framework ends 8 years after the first.
FIRST_GAP_YEARS, LATER_GAP_YEARS, SCHEME_YEARS = 3, 5, 8


def years_after(day: date, years: int) -> date:
    """The last day of the period of `years` years beginning with `day` (29 February counts
    to 28 February)."""
    return day + relativedelta(years=years) - timedelta(days=1)


def arrangement_of(consortium: Organisation | int | None) -> Arrangement | None:
    if consortium is None:
        return None
    return Arrangement.objects.filter(consortium=consortium).first()


def arrangement_visible_to(actor: Actor | None) -> Arrangement | None:
    """The arrangement of the actor's consortium (a consortium's people, a borough's); None for
    providers and anyone without one."""
    if actor is None or actor.consortium is None:
        return None
    return arrangement_of(actor.consortium)


def conditions_in_force(arrangement: Arrangement | None, at: datetime | None = None):
    """The conditions version in force at `at` (now): the latest in force by then."""
    if arrangement is None:
        return None
    return (
        ConditionsVersion.objects.filter(
            arrangement=arrangement, in_force_from__lte=at or timezone.now()
        )
        .order_by("-in_force_from", "-number")
        .first()
    )


def conditions_versions(arrangement: Arrangement | None) -> QuerySet[ConditionsVersion]:
    if arrangement is None:
        return ConditionsVersion.objects.none()
    return ConditionsVersion.objects.filter(arrangement=arrangement).select_related("created_by")


def openings_of(arrangement: Arrangement | None) -> QuerySet[Opening]:
    if arrangement is None:
        return Opening.objects.none()
    return Opening.objects.filter(arrangement=arrangement).order_by("opens_on", "pk")


@dataclass(frozen=True)
class Window:
    """Whether a provider may apply now, and the opening that says so (or the next one)."""

    open: bool
    current: Opening | None = None
    next: Opening | None = None
    basis: str = ""

    @property
    def message(self) -> str:
        if self.open:
            if self.current is None:
                return "Applications are accepted at any time."
            return f"Applications are open until {self.current.closes_on:%-d %B %Y}."
        if self.next is not None:
            return (
                "Applications to this open framework are not open now. The next opening is "
                f"from {self.next.opens_on:%-d %B %Y} to {self.next.closes_on:%-d %B %Y}."
            )
        return "Applications to this open framework are not open now, and no opening is planned."


def application_window(consortium_id: int | None, today: date | None = None) -> Window:
    """May a provider apply to the consortium's lots today? At any time under a dynamic market
    or a legacy DPS (or with no arrangement set up); only during an opening of an open
    framework."""
    arrangement = arrangement_of(consortium_id)
    if arrangement is None or arrangement.basis in ALWAYS_OPEN:
        return Window(open=True, basis=arrangement.basis if arrangement else "")
    today = today or timezone.localdate()
    openings = list(openings_of(arrangement).filter(closes_on__gte=today))
    current = next((o for o in openings if o.opens_on <= today), None)
    if current is not None:
        return Window(open=True, current=current, basis=arrangement.basis)
    return Window(open=False, next=openings[0] if openings else None, basis=arrangement.basis)


def reopening_due_by(arrangement: Arrangement, openings=None) -> date | None:
    """The last day by which an open framework's next framework must be awarded, after its
    latest planned award (None if none is needed before the scheme ends, or no award is
    planned yet)."""
    awards = sorted(
        o.awards_on for o in (openings if openings is not None else openings_of(arrangement))
    )
    if not awards:
        return None
    years = FIRST_GAP_YEARS if len(awards) == 1 else LATER_GAP_YEARS
    due = years_after(awards[-1], years)
    return due if due < arrangement.ends_on else None


def schedule_problems(arrangement: Arrangement, openings) -> list[str]:
    """What is wrong with an open framework's planned awards under s.49(2): a further award
    within 3 years of the first, then within 5 years of each award from the second on, and
    nothing after 8 years from the first award."""
    awards = sorted({o.awards_on for o in openings})
    if not awards:
        return []
    first = awards[0]
    problems = []
    if len(awards) > 1 and awards[1] > years_after(first, FIRST_GAP_YEARS):
        problems.append(
            "The second framework must be awarded within 3 years of the first: by "
            f"{years_after(first, FIRST_GAP_YEARS):%-d %B %Y}."
        )
    for earlier, later in itertools.pairwise(awards):
        if later > years_after(earlier, LATER_GAP_YEARS):
            problems.append(
                f"After the award on {earlier:%-d %B %Y} the next must follow within 5 years: by "
                f"{years_after(earlier, LATER_GAP_YEARS):%-d %B %Y}."
            )
    last_day = years_after(first, SCHEME_YEARS)
    if any(o.closes_on > last_day or o.awards_on > last_day for o in openings):
        problems.append(
            f"Nothing can happen after the scheme ends, 8 years after its first award: "
            f"{last_day:%-d %B %Y}."
        )
    return problems


def arrangement_warnings(arrangement: Arrangement | None, today: date | None = None) -> list[str]:
    """What the consortium admin and commissioners must act on: a legacy DPS within a year of
    the day it must end by; an open framework past the day its next award was due."""
    if arrangement is None:
        return []
    today = today or timezone.localdate()
    warnings = []
    if arrangement.basis == Basis.LEGACY_DPS:
        end = min(arrangement.ends_on, LEGACY_DPS_LAST_DAY)
        if today >= end - relativedelta(years=1):
            warnings.append(
                f"This DPS must end by {LEGACY_DPS_LAST_DAY:%-d %B %Y}, the last day a dynamic "
                "purchasing system set up under the Public Contracts Regulations 2015 may run "
                f"(it ends on {arrangement.ends_on:%-d %B %Y}). Set up a dynamic market or an "
                "open framework to follow it."
            )
    if arrangement.basis == Basis.OPEN_FRAMEWORK:
        due = reopening_due_by(arrangement)
        if due is not None and today > due:
            warnings.append(
                f"This open framework had to be reopened and a further framework awarded by "
                f"{due:%-d %B %Y} (Procurement Act 2023 s.49(2)(a)). Plan its reopening now."
            )
    return warnings


def decision_due(application: Application, arrangement: Arrangement | None) -> date | None:
    """The day a submitted application must be decided by: submitted + the decision days, under
    a dynamic market or a legacy DPS."""
    if arrangement is None or arrangement.basis not in ALWAYS_OPEN or not application.submitted_at:
        return None
    submitted = timezone.localdate(application.submitted_at)
    return submitted + timedelta(days=arrangement.decision_days)


# --- Exclusions ------------------------------------------------------------------------------


def exclusions_visible_to(actor: Actor | None) -> QuerySet[Exclusion]:
    """A consortium admin's own consortium's exclusions, in force and lifted."""
    if actor is None or not actor.is_consortium_admin:
        return Exclusion.objects.none()
    return Exclusion.objects.filter(consortium=actor.organisation).select_related("provider")


def barring_exclusions(consortium_id) -> QuerySet[Exclusion]:
    """The exclusions in force that keep a provider out of the consortium's lots: an excluded
    supplier, and an excludable one the consortium removed."""
    return Exclusion.objects.filter(consortium_id=consortium_id, lifted_on__isnull=True).filter(
        Q(kind=Exclusion.Kind.EXCLUDED) | Q(removed=True)
    )


def is_barred(provider_id, consortium_id) -> bool:
    return barring_exclusions(consortium_id).filter(provider_id=provider_id).exists()


def pending_applications(lot) -> QuerySet[Application]:
    """Applications to the lot not yet decided (submitted, or sent back for more information),
    which a dynamic market or legacy DPS must consider before awarding a competition on it
    (Procurement Act 2023 s.34(4)); none under an open framework or without an arrangement."""
    if lot is None:
        return Application.objects.none()
    arrangement = arrangement_of(lot.consortium_id)
    if arrangement is None or arrangement.basis not in ALWAYS_OPEN:
        return Application.objects.none()
    return (
        Application.objects.filter(
            lot=lot, status__in=[Application.Status.SUBMITTED, Application.Status.MORE_INFO]
        )
        .select_related("provider")
        .order_by("submitted_at", "pk")
    )
