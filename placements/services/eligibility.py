"""Which providers a request is sent to, and why the others on its lot are not.

A provider is eligible when it is actively enrolled on the request's lot and runs an active
service of the lot's type that fits the child: age range, gender, area, every need at its score,
and a vacancy (unless the request allows none). Each provider not invited is counted once, under
the furthest check any of its services reached, so the officer reads "3 providers have no
service for the child's age" rather than a list of every failing service. Those stopped by the
needs are also counted per need that none of their services meets, so the officer sees which
score to look at again.

The checks run over two queries whatever the number of providers (the needs are JSON, compared
score by score, which the databases we run on cannot do portably in SQL)."""

from dataclasses import dataclass, field

from providers.models import Enrolment, Service
from providers.needs import INDICATOR_CODES, INDICATOR_LABELS

from ..models import PlacementRequest

# The checks in the order they are made; a service's first failure is its reason.
REASONS = [
    ("not_active", "Enrolment on the lot suspended or removed"),
    ("no_service", "No active service of the lot's type"),
    ("age", "No service for the child's age"),
    ("gender", "No service for the child's gender"),
    ("area", "No service in the areas wanted"),
    ("needs", "No service that meets every need at its score"),
    ("vacancy", "No vacancy"),
]
REASON_LABELS = dict(REASONS)
# What the officer can change about the request when a reason stops every provider.
WAYS_FORWARD = {
    "no_service": "check that the lot is the right one for the child",
    "area": "widen the areas wanted, or leave them blank for anywhere",
    "needs": "check the needs scores against the child's needs",
    "vacancy": "also invite providers with no vacancy today",
}
_ORDER = [code for code, _ in REASONS]
ELIGIBLE = len(_ORDER)
NEEDS = _ORDER.index("needs")


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
            parts.append(part)
        return "Not invited: " + "; ".join(parts) + "."


def need_text(label: str, score: int, count: int) -> str:
    return f"no service meets “{label}” at score {score}: {count}"


def _service_stage(service, placement_request, areas):
    """The index of the first check the service fails, or ELIGIBLE."""
    age, gender = placement_request.age, placement_request.gender
    if age is not None and not service["age_min"] <= age <= service["age_max"]:
        return _ORDER.index("age")
    if service["genders"] != Service.Genders.ANY and service["genders"] != gender:
        return _ORDER.index("gender")
    if areas and (service["local_authority"] or "").strip().casefold() not in areas:
        return _ORDER.index("area")
    if _unmet(service, placement_request.needs):
        return NEEDS
    if not placement_request.allow_no_vacancy and service["vacancies"] < 1:
        return _ORDER.index("vacancy")
    return ELIGIBLE


def _unmet(service, needs):
    """The child's needs (scored above 0) the service does not meet at their score."""
    met = service["needs_met"] or {}
    return {
        code
        for code, score in (needs or {}).items()
        if score and (met.get(code) is None or met[code] < score)
    }


def eligibility_check(placement_request: PlacementRequest) -> Eligibility:
    """Two queries: the lot's enrolments, and the active services of its enrolled providers."""
    lot = placement_request.lot
    assert lot is not None, "Only a request with a lot is checked."  # noqa: S101 (narrowing)
    statuses = dict(Enrolment.objects.filter(lot=lot).values_list("provider_id", "status"))
    active = {p for p, status in statuses.items() if status == Enrolment.Status.ACTIVE}
    services = Service.objects.filter(provider_id__in=active, is_active=True)
    if lot.service_types:
        services = services.filter(service_type__in=lot.service_types)
    areas = {a.strip().casefold() for a in placement_request.areas or [] if a.strip()}

    best = dict.fromkeys(active, _ORDER.index("no_service"))
    # provider id -> the needs none of its services stopped by the needs meets
    unmet: dict[int, set[str]] = {}
    result = Eligibility(scores=dict(placement_request.needs or {}))
    for service in services.values(
        "id", "provider_id", "age_min", "age_max", "genders", "local_authority", "needs_met",
        "vacancies",
    ):  # fmt: skip
        stage = _service_stage(service, placement_request, areas)
        provider = service["provider_id"]
        best[provider] = max(best[provider], stage)
        if stage == ELIGIBLE:
            result.eligible.setdefault(provider, []).append(service["id"])
        elif stage == NEEDS:
            missing = _unmet(service, placement_request.needs)
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
