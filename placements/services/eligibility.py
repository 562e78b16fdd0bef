"""Which providers a request is sent to, and why the others on its lot are not.

A provider is eligible when it is actively enrolled on the request's lot and runs an active
service of the lot's type that fits the child: age range, gender, area, inside or outside the
borough when the request asks, within the maximum distance of the child's home, every need at
its score, and a vacancy (unless the request allows none). Each provider not invited is counted
once, under the furthest check any of its services reached, so the officer reads "3 providers
have no service for the child's age" rather than a list of every failing service. Those stopped
by the needs are also counted per need that none of their services meets, so the officer sees
which score to look at again.

The checks run over two queries whatever the number of providers (the needs are JSON, compared
score by score, which the databases we run on cannot do portably in SQL)."""

import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, TextField, Value, When
from django.db.models.functions import Cast

from geography.distance import METRES_PER_MILE, miles_between
from providers.models import Enrolment, Service
from providers.needs import INDICATOR_CODES, INDICATOR_LABELS

from ..models import PlacementRequest
from ..selectors.distance import home_grid, outside_boundary

Area = PlacementRequest.PlacementArea

# The checks in the order they are made; a service's first failure is its reason.
REASONS = [
    ("not_active", "Enrolment on the lot suspended or removed"),
    ("no_service", "No active service of the lot's type"),
    ("age", "No service for the child's age"),
    ("gender", "No service for the child's gender"),
    ("area", "No service in the areas wanted"),
    ("in_borough", "No service inside the borough"),
    ("out_of_area", "No service outside the borough"),
    ("distance", "No service within the maximum distance"),
    ("needs", "No service that meets every need at its score"),
    ("vacancy", "No vacancy"),
]
REASON_LABELS = dict(REASONS)
# What the officer can change about the request when a reason stops every provider.
WAYS_FORWARD = {
    "no_service": "check that the lot is the right one for the child",
    "area": "widen the areas wanted, or leave them blank for anywhere",
    "in_borough": "allow a placement outside the borough",
    "out_of_area": "allow a placement inside the borough, if it is safe",
    "distance": "raise the maximum distance from home, or remove it",
    "needs": "check the needs scores against the child's needs",
    "vacancy": "also invite providers with no vacancy today",
}
_ORDER = [code for code, _ in REASONS]
ELIGIBLE = len(_ORDER)
NEEDS = _ORDER.index("needs")
DISTANCE = _ORDER.index("distance")


@dataclass
class Eligibility:
    eligible: dict = field(default_factory=dict)  # provider id -> [service ids]
    reasons: dict = field(default_factory=dict)  # reason code -> providers
    reason_of: dict = field(default_factory=dict)  # provider id -> reason code
    # need code -> providers stopped by the needs none of whose services meets that one (a
    # provider may count under several needs)
    unmet_needs: dict = field(default_factory=dict)
    scores: dict = field(default_factory=dict)  # need code -> the child's score

    def counts_excluding(self, providers):
        """The reasons counted over the providers not in `providers` (e.g. those invited
        under earlier terms)."""
        counts = {}
        for provider, code in self.reason_of.items():
            if provider not in providers:
                counts[code] = counts.get(code, 0) + 1
        return counts

    @property
    def reason_rows(self):
        """(label, count) for every reason with a count, in check order."""
        return [(REASON_LABELS[c], self.reasons[c]) for c in _ORDER if self.reasons.get(c)]

    @property
    def need_rows(self):
        """(need code, label, the child's score, providers) for each need that stops a
        provider, the need stopping most first."""
        rows = [(code, n) for code, n in self.unmet_needs.items() if n]
        rows.sort(key=lambda row: (-row[1], INDICATOR_CODES.index(row[0])))
        return [(code, INDICATOR_LABELS[code], self.scores[code], n) for code, n in rows]

    @property
    def ways_forward(self):
        """(reason code, what could be changed on the request) for the reasons that stop a
        provider."""
        return [(c, WAYS_FORWARD[c]) for c in _ORDER if self.reasons.get(c) and c in WAYS_FORWARD]

    def explain(self):
        """The reasons in one sentence, for an API answer or a log."""
        if not self.reasons:
            return "No provider is enrolled on the lot."
        parts = []
        for code in _ORDER:
            if not self.reasons.get(code):
                continue
            part = f"{REASON_LABELS[code]}: {self.reasons[code]}"
            if code == "needs" and self.need_rows:
                part += " (" + "; ".join(need_text(*row[1:]) for row in self.need_rows) + ")"
            if code == "distance":
                part += " (a service whose location is not known counts as too far)"
            parts.append(part)
        return "Not invited: " + "; ".join(parts) + "."


def need_text(label: str, score: int, count: int) -> str:
    return f"no service meets “{label}” at score {score}: {count}"


@dataclass(frozen=True)
class _Where:
    """What the location checks need, worked out once per request."""

    borough: str  # the borough's council code, when inside or outside is asked for
    area: str  # PlacementArea
    home: tuple[int, int] | None  # the home's grid, when a maximum distance is set
    miles: Decimal | None  # the maximum distance
    # Squared distances in metres clearly within, and clearly beyond, the maximum as the DfE
    # measures it (to 0.1 mile); between them the distance in miles decides.
    inside: float = 0.0
    beyond: float = 0.0


def _where(placement_request):
    area = placement_request.placement_area or Area.ANY
    borough = placement_request.borough.la_code if area != Area.ANY else ""
    limit = placement_request.max_distance_miles
    home = home_grid(placement_request) if limit else None
    if home is None:
        return _Where(borough, area, None, None)
    # A distance is within the maximum when, rounded to 0.1 mile, it is at most the maximum:
    # below the maximum plus 0.05 mile. Comparing squares keeps the square root and the
    # rounding for the few services near the line.
    inside = (limit + 0.04) * METRES_PER_MILE
    beyond = (limit + 0.06) * METRES_PER_MILE
    return _Where(borough, area, home, Decimal(limit), inside * inside, beyond * beyond)


# The columns each service is read with, in order (tuples: a dict per row costs more than the
# checks). The needs come as text, decoded only for a service that reaches the needs check.
COLUMNS = (
    "id", "provider_id", "age_min", "age_max", "genders", "local_authority", "vacancies",
    "easting", "northing", "council", "needs_text",
)  # fmt: skip
ID, PROVIDER, AGE_MIN, AGE_MAX, GENDERS, AREA, VACANCIES, EASTING, NORTHING, COUNCIL, NEEDS_TEXT = (
    range(len(COLUMNS))
)
AGE, GENDER, AREA_STAGE = _ORDER.index("age"), _ORDER.index("gender"), _ORDER.index("area")
IN_BOROUGH, OUT_OF_AREA = _ORDER.index("in_borough"), _ORDER.index("out_of_area")
VACANCY = _ORDER.index("vacancy")


def _stage_of(placement_request, areas, where, met):
    """The function giving a service's stage: the index of the first check it fails, or
    ELIGIBLE. Everything it reads of the request is bound once here: it runs for each of
    thousands of services."""
    age, gender, needs = placement_request.age, placement_request.gender, placement_request.needs
    any_gender = str(Service.Genders.ANY)
    vacancy_needed = not placement_request.allow_no_vacancy
    area, borough, home = str(where.area), where.borough, where.home
    in_borough, out_of_area = area == Area.IN_BOROUGH, area == Area.OUT_OF_AREA
    inside, beyond, limit = where.inside, where.beyond, where.miles

    def stage(service):
        if age is not None and not service[AGE_MIN] <= age <= service[AGE_MAX]:
            return AGE
        genders = service[GENDERS]
        if genders != any_gender and genders != gender:
            return GENDER
        if areas and (service[AREA] or "").strip().casefold() not in areas:
            return AREA_STAGE
        if in_borough or out_of_area:
            outside = outside_boundary(borough, service[COUNCIL])
            if in_borough and outside is not False:
                return IN_BOROUGH
            if out_of_area and outside is not True:
                return OUT_OF_AREA
        if home is not None:
            easting, northing = service[EASTING], service[NORTHING]
            if easting is None or northing is None:
                return DISTANCE  # not known to be within it
            de, dn = easting - home[0], northing - home[1]
            squared = de * de + dn * dn
            if squared > beyond or (
                squared > inside and miles_between(home, (easting, northing)) > limit
            ):
                return DISTANCE
        if _unmet(service, needs, met):
            return NEEDS
        if vacancy_needed and service[VACANCIES] < 1:
            return VACANCY
        return ELIGIBLE

    return stage


def _unmet(service, needs, met):
    """The child's needs (scored above 0) the service does not meet at their score. The
    service's needs are read as text and decoded only here: most services a request with a
    maximum distance reads are stopped before the needs, and decoding every one's would cost
    more than all the checks together."""
    pk = service[ID]
    if pk not in met:
        met[pk] = json.loads(service[NEEDS_TEXT] or "null") or {}
    scores = met[pk]
    return {
        code
        for code, score in (needs or {}).items()
        if score and (scores.get(code) is None or scores[code] < score)
    }


def _needs_text(where):
    """The service's needs as text; with a maximum distance, only for a service inside the
    square around the home that holds the circle (the others are too far, so their needs are
    never read, and neither sent nor decoded)."""
    text = Cast("needs_met", output_field=TextField())
    if where.home is None:
        return text
    reach = int(where.beyond**0.5) + 1
    east, north = where.home
    return Case(
        When(
            easting__range=(east - reach, east + reach),
            northing__range=(north - reach, north + reach),
            then=text,
        ),
        default=Value(None),
        output_field=TextField(),
    )


def eligibility_check(placement_request: PlacementRequest) -> Eligibility:
    """Two queries: the lot's enrolments, and the active services of its enrolled providers."""
    lot = placement_request.lot
    assert lot is not None, "Only a request with a lot is checked."  # noqa: S101 (narrowing)
    statuses = dict(Enrolment.objects.filter(lot=lot).values_list("provider_id", "status"))
    active = {p for p, status in statuses.items() if status == Enrolment.Status.ACTIVE}
    # Joined to the lot's active enrolments rather than given their ids: a thousand
    # parameters cost more to send and plan than the join.
    where = _where(placement_request)
    services = Service.objects.filter(
        provider__enrolments__lot=lot,
        provider__enrolments__status=Enrolment.Status.ACTIVE,
        is_active=True,
    ).annotate(needs_text=_needs_text(where))
    if lot.service_types:
        services = services.filter(service_type__in=lot.service_types)
    areas = {a.strip().casefold() for a in placement_request.areas or [] if a.strip()}

    best = dict.fromkeys(active, _ORDER.index("no_service"))
    # provider id -> the needs none of its services stopped by the needs meets
    unmet: dict[int, set[str]] = {}
    met: dict[int, dict] = {}
    result = Eligibility(scores=dict(placement_request.needs or {}))
    stage_of = _stage_of(placement_request, areas, where, met)
    for service in services.values_list(*COLUMNS):
        stage = stage_of(service)
        provider = service[PROVIDER]
        if stage > best[provider]:
            best[provider] = stage
        if stage == ELIGIBLE:
            result.eligible.setdefault(provider, []).append(service[ID])
        elif stage == NEEDS:
            missing = _unmet(service, placement_request.needs, met)
            unmet[provider] = unmet[provider] & missing if provider in unmet else missing
    for provider, stage in best.items():
        if stage != ELIGIBLE:
            result.reason_of[provider] = _ORDER[stage]
        if stage == NEEDS:
            for code in unmet[provider]:
                result.unmet_needs[code] = result.unmet_needs.get(code, 0) + 1
    for provider, status in statuses.items():
        if status != Enrolment.Status.ACTIVE:
            result.reason_of[provider] = "not_active"
    result.reasons = result.counts_excluding(())
    return result
