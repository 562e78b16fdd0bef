"""The DfE's own measures of children looked after, computed from the boroughs' SSDA903
returns (CareEpisode rows) as the DfE computes them for its statistics: children looked after
at 31 March, who started and who ceased to be looked after in the year, children with 3 or
more placements during the year, long-term stability, where children live on 31 March
(placement type, outside the council's boundary). docs/kpis.md gives each rule its source.

Why in Python and not in one SQL aggregation, as the other KPIs are: each child's episodes
are first read into periods of care and placements with one carer (a temporary absence and the
return from it are no new placement; a change of legal status only, or of placement with the
same carer, is none either). That is a walk along the child's episodes in order, which SQL
would express only as a tangle of window functions. The episodes are read once per run (one
ordered query, streamed), every measure is counted in the same pass, and the result is kept
for the run's other measures.

A borough has a figure for a period only if it has imported the return of the year the
period ends in (a year's return alone holds only the episodes open during that year: earlier
years' figures would miss the children who had left)."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import groupby
from typing import Any

from django.db.models import Count, Max

from geography.distance import FAR_FROM_HOME_MILES

from ..models import CareEpisode, Ssda903Return
from .base import ALL_PERIODS, BOROUGH, CONSORTIUM, Kpi, register, rows_of
from .periods import add_months, year_ending_of

# Legal status: accommodated under an agreed series of short-term breaks. The DfE leaves these
# episodes out of every figure here.
SHORT_BREAKS = frozenset({"V3", "V4"})
# Reason for new episode: the episodes that begin with a new carer. L (legal status only), T
# (placement, same carers) and U (legal status and placement, same carers) keep the carer.
STARTED = "S"
NEW_CARER = frozenset({"S", "P", "B"})
# Placement type: temporary placements (hospital, holidays, a carer's holiday, 7 days or less):
# an absence from the child's placement, not a placement of its own.
TEMPORARY = frozenset({"T0", "T1", "T2", "T3", "T4"})
PLACED_FOR_ADOPTION = frozenset({"A3", "A4", "A5", "A6"})
# Reason episode ceased: a new episode began the same day; the child is still looked after.
STILL_LOOKED_AFTER = "X1"
# Where a placement is, against the borough's own area (derived from PL_POST at import).
INSIDE, OUTSIDE = "IN", "OUT"

# The DfE's groups of placement type (PLACE), as its tables of children looked after on
# 31 March show them.
PLACEMENT_GROUPS = {
    "foster": ("Foster placements", {"U1", "U2", "U3", "U4", "U5", "U6"}),
    "adoption": ("Placed for adoption", PLACED_FOR_ADOPTION),
    "parents": ("Placed with parents or others with parental responsibility", {"P1"}),
    "community": ("Other placements in the community", {"P2", "P3"}),
    "childrens_homes": ("Secure units and children's homes", {"K1", "K2"}),
    "supported": ("Semi-independent and supported accommodation", {"H5", "K3"}),
    "residential": ("Other residential settings", {"R1", "R2", "R3", "R5"}),
    "schools": ("Residential schools", {"S1"}),
    "other": ("Other placements", {"Z1"}),
}
GROUP_OF = {code: group for group, (_label, codes) in PLACEMENT_GROUPS.items() for code in codes}


@dataclass(frozen=True)
class Episode:
    decom: date
    ends: date  # the first day the child is no longer in it (CareEpisode.ends)
    dec: date | None
    rne: str
    place: str
    urn: str
    pl_post: str
    rec: str
    pl_location: str
    pl_distance: Decimal | None = None

    def covers(self, day):
        return self.decom <= day < self.ends

    def same_setting(self, other):
        """The same placement: type, Ofsted URN and postcode."""
        return (self.place, self.urn, self.pl_post) == (other.place, other.urn, other.pl_post)


@dataclass
class Spell:
    """A placement with one carer: from the episode that began with that carer to the day the
    child left them, a temporary absence included."""

    start: date
    end: date
    episodes: list = field(default_factory=list)  # its episodes, temporary ones too

    @property
    def lasted(self):
        return self.end > self.start  # a spell of no night at all is none

    @property
    def setting(self):
        """The placement's last episode that was not a temporary absence."""
        usual = [e for e in self.episodes if e.place not in TEMPORARY]
        return (usual or self.episodes)[-1]

    @property
    def first_setting(self):
        """The placement's first episode that was not a temporary absence: where the child
        was placed when the placement began (its PL_DISTANCE and PL_LOCATION)."""
        return next((e for e in self.episodes if e.place not in TEMPORARY), self.episodes[0])


@dataclass
class CarePeriod:
    """A period of care: episodes that follow each other without a day's gap, from one that
    started the child being looked after (or the first known) to the day they left care."""

    start: date
    end: date
    episodes: list = field(default_factory=list)
    spells: list = field(default_factory=list)

    @property
    def ceased_on(self):
        """The day the child left care, if the returns say they did (its last episode ended
        with a reason other than a new episode)."""
        last = self.episodes[-1]
        if last.dec is not None and last.rec != STILL_LOOKED_AFTER:
            return last.dec
        return None


def care_periods(episodes):
    """A child's episodes (in order of DECOM, then file order; short breaks left out) as
    periods of care, each with its spells."""
    periods = []
    for episode in episodes:
        current = periods[-1] if periods else None
        if current is None or episode.rne == STARTED or episode.decom > current.end:
            current = CarePeriod(start=episode.decom, end=episode.ends)
            periods.append(current)
        current.episodes.append(episode)
        current.end = max(current.end, episode.ends)
    for period in periods:
        period.spells = _spells(period.episodes)
    return periods


def _spells(episodes):
    spells = []
    away = False  # the previous episode was a temporary absence
    for episode in episodes:
        last = spells[-1] if spells else None
        if last is not None and episode.place in TEMPORARY:
            away = True
            continues = True
        elif last is not None and away:
            # Back from a temporary absence: to the same placement, or a new one.
            away = False
            continues = episode.same_setting(last.setting) or episode.rne not in NEW_CARER
        else:
            continues = last is not None and episode.rne not in NEW_CARER
        if not continues:
            last = Spell(start=episode.decom, end=episode.ends)
            spells.append(last)
        last.episodes.append(episode)
        last.end = max(last.end, episode.ends)
    return spells


@dataclass(frozen=True)
class ChildOn:
    """What a child's history says about one day (31 March, or the day a period is counted
    to) and the period ending on it."""

    looked_after: bool
    in_period: bool  # looked after at any time in the period
    started: bool  # a period of care began in it
    ceased: bool  # left care in it
    placements: int  # spells that lasted, open at any time in the period
    long_term_cohort: bool
    long_term_stable: bool
    group: str | None  # the DfE group of the placement on the day
    location: str  # IN, OUT or "" (not known)
    # The placements that began in the period (spells that lasted): the first setting of
    # each, for the distance measures of new placements.
    new_placements: tuple = ()


def child_on(periods, dob, start, day):
    """The facts of one child for the period from `start` to `day` (inclusive)."""
    during = [p for p in periods if p.start <= day and p.end > start]
    current = next((p for p in during if p.start <= day < p.end), None)
    spells = [s for p in during for s in p.spells if s.lasted and s.start <= day and s.end > start]
    cohort = stable = False
    group, location = None, ""
    if current is not None:
        spell = next((s for s in current.spells if s.start <= day < s.end), current.spells[-1])
        setting = spell.setting
        group = GROUP_OF.get(setting.place)
        episode = next((e for e in reversed(current.episodes) if e.covers(day)), setting)
        location = episode.pl_location if episode.pl_location in (INSIDE, OUTSIDE) else ""
        cohort = (
            dob is not None
            and dob > add_months(day, -16 * 12)  # under 16: the 16th birthday is after it
            and current.start <= add_months(day, -30)  # 2.5 years
        )
        stable = cohort and _same_carer_two_years(current, spell, day)
    return ChildOn(
        looked_after=current is not None,
        in_period=bool(during),
        started=any(start <= p.start <= day and _began_care(p, periods) for p in during),
        ceased=any(p.ceased_on is not None and start <= p.ceased_on <= day for p in during),
        placements=len(spells),
        long_term_cohort=cohort,
        long_term_stable=stable,
        group=group,
        location=location,
        new_placements=tuple(s.first_setting for s in spells if start <= s.start <= day),
    )


def _began_care(period, periods):
    """The period began with the child starting to be looked after (RNE S), or after a gap;
    the first period the returns know of, begun otherwise, began before them."""
    return period.episodes[0].rne == STARTED or period is not periods[0]


def _same_carer_two_years(period, spell, day):
    """With the same carer for 2 years or more; a child placed for adoption counts when the
    adoptive placement and the placement before it together have lasted 2 years."""
    two_years_before = add_months(day, -24)
    if spell.start <= two_years_before:
        return True
    if spell.setting.place not in PLACED_FOR_ADOPTION:
        return False
    index = period.spells.index(spell)
    return index > 0 and period.spells[index - 1].start <= two_years_before


# --- Counting every borough's children in one pass -------------------------------------


def _return_year(day):
    return year_ending_of(day)


def _returned():
    """{borough id: the years ending 31 March whose return it has imported}."""
    years = defaultdict(set)
    rows = Ssda903Return.objects.filter(status=Ssda903Return.Status.IMPORTED).values_list(
        "borough_id", "year_ending"
    )
    for borough_id, year_ending in rows:
        years[borough_id].add(year_ending)
    return years


def _children(borough_ids):
    """(consortium id, borough id, date of birth, [Episode]) for each child with episodes of
    the boroughs, short breaks left out; one ordered query, streamed."""
    rows = (
        CareEpisode.objects.filter(borough_id__in=borough_ids)
        .exclude(ls__in=SHORT_BREAKS)
        .order_by("child_id", "decom", "seq")
        .values_list(
            "child_id",
            "borough__consortium_id",
            "borough_id",
            "child__date_of_birth",
            "decom",
            "ends",
            "dec",
            "rne",
            "place",
            "urn",
            "pl_post",
            "rec",
            "pl_location",
            "pl_distance",
        )
        .iterator(chunk_size=5000)
    )
    for _child, group in groupby(rows, key=lambda row: row[0]):
        group = list(group)
        _id, consortium_id, borough_id, dob = group[0][:4]
        yield consortium_id, borough_id, dob, [Episode(*row[4:]) for row in group]


def _far(episode):
    return episode.pl_distance is not None and episode.pl_distance > FAR_FROM_HOME_MILES


def _new(test):
    """(how many of the child's new placements pass `test`, how many there are)."""
    return lambda c: (sum(1 for e in c.new_placements if test(e)), len(c.new_placements))


def _known_miles(c):
    known = [e.pl_distance for e in c.new_placements if e.pl_distance is not None]
    return (sum(known, Decimal(0)), len(known))


# Each measure: (numerator, denominator) of one child's facts: 0/1 (a bool) for a measure of
# children, a count (or a sum of miles) for one of placements; None: not counted.
MEASURES: dict[str, Callable[..., tuple[Any, Any] | None]] = {
    "cla_at_end": lambda c: (c.looked_after, c.in_period),
    "started_in_year": lambda c: (c.started, c.in_period),
    "ceased_in_year": lambda c: (c.ceased, c.in_period),
    "three_plus_placements": lambda c: (c.placements >= 3, True) if c.looked_after else None,
    "long_term_stability": lambda c: (c.long_term_stable, True) if c.long_term_cohort else None,
    "placed_outside_boundary": lambda c: (
        (c.location == OUTSIDE, True) if c.looked_after and c.location else None
    ),
}
# The distance of the placements that began in the year (the DfE's new placements).
MEASURES.update(
    {
        "new_outside_boundary": _new(lambda e: e.pl_location == OUTSIDE),
        "new_over_20_miles": _new(_far),
        "new_outside_over_20": _new(lambda e: e.pl_location == OUTSIDE and _far(e)),
        "new_distance_unknown": _new(lambda e: e.pl_distance is None),
        "new_mean_miles": _known_miles,
    }
)
for _group in PLACEMENT_GROUPS:
    MEASURES[f"placement_type_{_group}"] = lambda c, g=_group: (
        (c.group == g, True) if c.looked_after else None
    )
YEARLY = set(MEASURES) - {"cla_at_end"}

_memo: dict[str, Any] = {}


def _version():
    """Changes whenever episodes or imported returns do: what the memo is kept against."""
    episodes = CareEpisode.objects.aggregate(n=Count("pk"), last=Max("pk"))
    returns = Ssda903Return.objects.filter(status=Ssda903Return.Status.IMPORTED).aggregate(
        n=Count("pk"), last=Max("imported_at")
    )
    return (episodes["n"], episodes["last"], returns["n"], returns["last"])


def counted(periods, today):
    """{measure: {(consortium id, borough id, period index): [numerator, denominator]}} for
    every borough with returns, each period counted to period.upto(today). Kept for the
    next measure of the same run (the same periods, day and data)."""
    key = (tuple(periods), today, _version())
    if _memo.get("key") != key:
        _memo.clear()
        _memo["key"], _memo["sums"] = key, _count(periods, today)
    return _memo["sums"]


def _count(periods, today):
    returned = _returned()
    sums = {code: defaultdict(lambda: [0, 0]) for code in MEASURES}
    wanted = [
        (i, p.start, p.upto(today), _return_year(p.upto(today)), p.kind == "year")
        for i, p in enumerate(periods)
    ]
    for consortium_id, borough_id, dob, episodes in _children(list(returned)):
        history = care_periods(episodes)
        if not history:
            continue
        first, last = history[0].start, history[-1].end
        years = returned[borough_id]
        for i, start, day, year, yearly in wanted:
            if year not in years or first > day or last <= start:
                continue
            facts = child_on(history, dob, start, day)
            for code, measure in MEASURES.items():
                if code in YEARLY and not yearly:
                    continue
                counts = measure(facts)
                if counts is None:
                    continue
                total = sums[code][(consortium_id, borough_id, i)]
                total[0] += counts[0]  # a bool adds 0 or 1
                total[1] += counts[1]
    return sums


def compute(code):
    def compute_for(scopes, periods, today):
        sums = counted(periods, today)[code]
        by_scope = {}
        for scope in scopes if isinstance(scopes, tuple) else (scopes,):
            totals = defaultdict(lambda: [Decimal(0), Decimal(0)])
            for (consortium_id, borough_id, i), (n, d) in sums.items():
                scope_id = consortium_id if scope == CONSORTIUM else borough_id
                total = totals[(consortium_id, scope_id, i)]
                total[0] += n
                total[1] += d
            by_scope[scope] = rows_of({key: tuple(v) for key, v in totals.items()})
        return by_scope if isinstance(scopes, tuple) else by_scope[scopes]

    return compute_for


FAMILY = "Children looked after (DfE)"
MIX_FAMILY = "Placement type on 31 March (DfE)"
DISTANCE_FAMILY = "Distance from home: new placements (DfE, SSDA903)"
SCOPES = (CONSORTIUM, BOROUGH)


def _register(code, label, unit, better, periods, description, **extra):
    family = MIX_FAMILY if code.startswith("placement_type_") else FAMILY
    family = DISTANCE_FAMILY if code.startswith("new_") else family
    register(
        Kpi(
            code=code,
            label=label,
            unit=unit,
            higher_is_better=better,
            scopes=SCOPES,
            periods=periods,
            compute=compute(code),
            family=family,
            description=description,
            together=SCOPES,
            **extra,
        )
    )


_register(
    "cla_at_end",
    "Children looked after at the end of the period",
    "count",
    None,
    ALL_PERIODS,
    "Children looked after on the period's last day (31 March for a year), short breaks "
    "left out (DfE measure, from the SSDA903 return).",
    total=True,
)
_register(
    "started_in_year",
    "Children who started to be looked after",
    "count",
    None,
    ("year",),
    "Children who started a period of care during the year, each once (DfE measure).",
    total=True,
)
_register(
    "ceased_in_year",
    "Children who ceased to be looked after",
    "count",
    None,
    ("year",),
    "Children who left care during the year, each once (DfE measure).",
    total=True,
)
_register(
    "three_plus_placements",
    "Children with 3 or more placements in the year",
    "percent",
    False,
    ("year",),
    "Of the children looked after on 31 March, the share with 3 or more placements (with "
    "different carers) during the year ending that day (DfE measure).",
    scale=100,
)
_register(
    "long_term_stability",
    "Long-term stability of children under 16",
    "percent",
    True,
    ("year",),
    "Of the children under 16 on 31 March looked after continuously for 2.5 years or more, "
    "the share living with the same carer for 2 years or more (DfE measure).",
    scale=100,
)
_register(
    "placed_outside_boundary",
    "Children placed outside the council's boundary",
    "percent",
    False,
    ("year",),
    "Of the children looked after on 31 March whose placement's location is known, the "
    "share placed outside the council's own area (DfE measure).",
    scale=100,
)
NEW = (
    "Of the placements that began in the year (a new carer; short breaks and temporary "
    "absences left out)"
)
for _code, _label, _description in (
    (
        "new_outside_boundary",
        "New placements outside the council's boundary",
        f"{NEW}, the share placed outside the council's own area (PL_LOCATION OUT).",
    ),
    (
        "new_over_20_miles",
        "New placements more than 20 miles from home",
        f"{NEW}, the share more than 20 miles from home (PL_DISTANCE over 20.0).",
    ),
    (
        "new_outside_over_20",
        "New placements outside the boundary and more than 20 miles from home",
        f"{NEW}, the share both outside the council's boundary and more than 20 miles from "
        "home: the DfE's headline measure (16% nationally in the year ending 31 March 2025).",
    ),
    (
        "new_distance_unknown",
        "New placements with distance from home unknown",
        f"{NEW}, the share whose distance is not known (HOME_POST or PL_POST blank, not in "
        "the ONS Postcode Directory, terminated or without a grid reference): 13% nationally "
        "in the year ending 31 March 2025.",
    ),
):
    _register(_code, _label, "percent", False, ("year",), _description, scale=100)
_register(
    "new_mean_miles",
    "Mean distance from home of new placements",
    "miles",
    None,
    ("year",),
    f"{NEW} whose distance is known, the mean PL_DISTANCE in miles.",
)
# Every distance KPI of the SSDA903 returns, in the order the pages show them.
NEW_DISTANCE = [
    "new_outside_boundary",
    "new_over_20_miles",
    "new_outside_over_20",
    "new_distance_unknown",
    "new_mean_miles",
]
for _group, (_label, _codes) in PLACEMENT_GROUPS.items():
    _register(
        f"placement_type_{_group}",
        f"Placement on 31 March: {_label.lower()}",
        "percent",
        None,
        ("year",),
        f"Of the children looked after on 31 March, the share in {_label.lower()} "
        f"(placement types {', '.join(sorted(_codes))}).",
        scale=100,
    )
