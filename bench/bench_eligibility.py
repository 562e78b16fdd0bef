"""Eligible providers for a new request: placements.services.eligibility.eligibility_check on the
busiest lot, timed over requests of varied ages, genders and needs. The lower bound is one
hand-written SQL query giving the same eligible providers and services (checked equal)."""

from django.db import connection

from bench.harness import ms_result, timed
from bench.subjects import biggest_lot, new_requests
from placements.services.eligibility import eligibility_check
from providers.models import Service

TARGET_MS = 50

SQL = """
    SELECT s.provider_id, array_agg(s.id ORDER BY s.id)
    FROM providers_service s
    JOIN providers_enrolment e ON e.provider_id = s.provider_id AND e.lot_id = %(lot)s
    WHERE e.status = 'active' AND s.is_active AND s.service_type = ANY(%(types)s)
      AND s.age_min <= %(age)s AND s.age_max >= %(age)s
      AND (s.genders = 'any' OR s.genders = %(gender)s)
      AND s.vacancies >= 1 {needs}
    GROUP BY s.provider_id
"""


def by_sql(request):
    needs = "".join(
        f" AND (s.needs_met ->> '{code}')::int >= {int(score)}"
        for code, score in request.needs.items()
        if score
    )
    types = request.lot.service_types or [t for t, _ in Service.Type.choices]
    with connection.cursor() as cursor:
        cursor.execute(
            SQL.format(needs=needs),
            {"lot": request.lot_id, "types": types, "age": request.age, "gender": request.gender},
        )
        return {provider: list(ids) for provider, ids in cursor.fetchall()}


def run(ctx):
    lot = biggest_lot()
    services = Service.objects.filter(provider__enrolments__lot=lot).count()
    requests = new_requests(lot, ctx.repeat(60, 10))
    for request in requests:
        found = {p: sorted(ids) for p, ids in eligibility_check(request).eligible.items()}
        if found != by_sql(request):
            raise AssertionError("eligibility_check and the SQL lower bound disagree")
    cycle = iter(requests * 3)
    samples = timed(lambda: eligibility_check(next(cycle)), repeat=len(requests))
    cycle = iter(requests * 3)
    bound = timed(lambda: by_sql(next(cycle)), repeat=len(requests))
    invited = sum(len(eligibility_check(r).eligible) for r in requests[:10]) / 10
    result = ms_result(
        "eligible providers for a new request",
        samples,
        target_ms=TARGET_MS,
        bound=sorted(bound)[len(bound) // 2],
        note=f"{services:,} services of {lot.enrolments.count():,} providers on the lot "
        f"'{lot.name}', {invited:.0f} eligible on average",
    )
    return [result]
