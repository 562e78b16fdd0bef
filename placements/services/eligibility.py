"""Which providers a request is sent to, and why the others on its lot are not.

A provider is eligible when it is actively enrolled on the request's lot and runs an active
service of the lot's type that fits the child: age range, gender, area, every need at its score,
and a vacancy (unless the request allows none). Each provider not invited is counted once, under
the furthest check any of its services reached, so the officer reads "3 providers have no
service for the child's age" rather than a list of every failing service."""

from dataclasses import dataclass, field

from providers.models import Enrolment, Service

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
_ORDER = [code for code, _ in REASONS]
ELIGIBLE = len(_ORDER)


@dataclass
class Eligibility:
    eligible: dict = field(default_factory=dict)  # provider id -> [service ids]
    reasons: dict = field(default_factory=dict)  # reason code -> providers
    reason_of: dict = field(default_factory=dict)  # provider id -> reason code

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


def _service_stage(service, placement_request, areas):
    """The index of the first check the service fails, or ELIGIBLE."""
    age, gender = placement_request.age, placement_request.gender
    if age is not None and not service["age_min"] <= age <= service["age_max"]:
        return _ORDER.index("age")
    if service["genders"] != Service.Genders.ANY and service["genders"] != gender:
        return _ORDER.index("gender")
    if areas and (service["local_authority"] or "").strip().casefold() not in areas:
        return _ORDER.index("area")
    met = service["needs_met"] or {}
    for code, score in (placement_request.needs or {}).items():
        if score and (met.get(code) is None or met[code] < score):
            return _ORDER.index("needs")
    if not placement_request.allow_no_vacancy and service["vacancies"] < 1:
        return _ORDER.index("vacancy")
    return ELIGIBLE


def eligibility_check(placement_request):
    """Two queries: the lot's enrolments, and the active services of its enrolled providers."""
    lot = placement_request.lot
    statuses = dict(Enrolment.objects.filter(lot=lot).values_list("provider_id", "status"))
    active = {p for p, status in statuses.items() if status == Enrolment.Status.ACTIVE}
    services = Service.objects.filter(provider_id__in=active, is_active=True)
    if lot.service_types:
        services = services.filter(service_type__in=lot.service_types)
    areas = {a.strip().casefold() for a in placement_request.areas or [] if a.strip()}

    best = dict.fromkeys(active, _ORDER.index("no_service"))
    result = Eligibility()
    for service in services.values(
        "id", "provider_id", "age_min", "age_max", "genders", "local_authority", "needs_met",
        "vacancies",
    ):  # fmt: skip
        stage = _service_stage(service, placement_request, areas)
        provider = service["provider_id"]
        best[provider] = max(best[provider], stage)
        if stage == ELIGIBLE:
            result.eligible.setdefault(provider, []).append(service["id"])
    for provider, stage in best.items():
        if stage != ELIGIBLE:
            result.reason_of[provider] = _ORDER[stage]
    for provider, status in statuses.items():
        if status != Enrolment.Status.ACTIVE:
            result.reason_of[provider] = "not_active"
    result.reasons = result.counts_excluding(())
    return result
