"""Eligible providers for a new request with distance: placements.services.eligibility.
eligibility_check on a lot of 5,000 services spread across England, for requests with a
maximum distance from the child's home (and some asking for a placement outside the borough),
timed over homes in several regions. Target: p50 under 50 ms at national scale.

The benchmark builds its own fixture (a consortium "Bench distance" whose lot has 1,000
providers of 5 children's homes each, their grid references and councils set directly, as
providers.services.location would derive them from postcodes), so it runs on any database
and needs no postcode directory. Each answer is checked: every service invited is within the
maximum distance, as geography.distance.miles_between measures it, and on the right side of
the boundary. The lower bound is one hand-written SQL query with the same filters."""

import random

from django.db import connection

from bench import fixtures
from bench.harness import ms_result, timed

SLUG = "bench-distance"
PROVIDERS = {"national": 1000, "small": 100}
SERVICES_EACH = 5
TARGET_MS = 50
HOME_NAME = "Distance House"
# The borough's council, and the homes of the children (grid references of district centres:
# Islington N19, Leeds LS9, Bristol BS5, Newcastle NE6, Norwich NR3).
BOROUGH_CODE = "E09000019"
HOMES = [(529845, 186835), (432500, 433800), (362100, 174300), (427600, 565200), (623000, 310900)]
# Services are placed around these centres (England's larger towns), each with a council code.
CENTRES = [
    ((531000, 181000), "E09000019"),
    ((530000, 178000), "E09000022"),
    ((572000, 168000), "E06000035"),
    ((432000, 434000), "E08000035"),
    ((359000, 173000), "E06000023"),
    ((425000, 564000), "E08000021"),
    ((623000, 309000), "E10000020"),
    ((383000, 398000), "E08000003"),
    ((407000, 287000), "E08000025"),
    ((445000, 115000), "E06000045"),
]


def run(ctx):
    size = PROVIDERS["small" if ctx.small else "national"]
    lot, borough = distance_fixture(size)
    services = lot_services(lot)
    requests = new_requests(lot, borough, ctx.repeat(60, 10))
    for request in requests:
        check(request, services)
    cycle = iter(requests * 3)
    from placements.services.eligibility import eligibility_check

    samples = timed(lambda: eligibility_check(next(cycle)), repeat=len(requests))
    cycle = iter(requests * 3)
    bound = timed(lambda: by_sql(next(cycle)), repeat=len(requests))
    too_far = sum(eligibility_check(r).reasons.get("distance", 0) for r in requests[:10]) / 10
    invited = sum(len(eligibility_check(r).eligible) for r in requests[:10]) / 10
    return [
        ms_result(
            "eligible providers for a new request, with distance",
            samples,
            target_ms=TARGET_MS,
            bound=sorted(bound)[len(bound) // 2],
            note=f"{len(services):,} services of {size:,} providers on the lot, "
            f"{invited:.0f} eligible and {too_far:.0f} too far on average",
        )
    ]


def distance_fixture(size):
    """The consortium, its borough (Islington's code), and a lot of `size` providers, each
    actively enrolled with SERVICES_EACH children's homes placed across England. Creates only
    what is missing."""
    from dps.models import Organisation
    from providers.models import Lot

    consortium, _ = Organisation.objects.get_or_create(
        slug=SLUG, defaults={"name": "Bench distance", "kind": Organisation.Kind.CONSORTIUM}
    )
    borough, _ = Organisation.objects.update_or_create(
        slug=f"{SLUG}-borough",
        defaults={
            "name": "Bench distance Borough",
            "kind": Organisation.Kind.BOROUGH,
            "consortium": consortium,
            "la_code": BOROUGH_CODE,
        },
    )
    lot, _ = Lot.objects.update_or_create(
        consortium=consortium,
        code=f"distance-{size}",
        defaults={
            "name": f"Distance over {size * SERVICES_EACH} homes",
            "is_active": True,
            "service_types": ["childrens_home"],
        },
    )
    slugs = [f"{SLUG}-p{i:04d}" for i in range(size)]
    providers = fixtures.providers(slugs, lambda slug: f"Distance Care {slug[-4:]}")
    fixtures.enrol(providers, lot)
    _homes(providers)
    return lot, borough


def _homes(providers):
    """SERVICES_EACH homes per provider, fitting any child, with a grid reference and council
    drawn (always the same for the same provider) around one of CENTRES."""
    from providers.models import Service
    from providers.needs import INDICATOR_CODES

    have = set(
        Service.objects.filter(provider__in=providers, name__startswith=HOME_NAME).values_list(
            "provider_id", "name"
        )
    )
    new = []
    for provider in providers:
        rng = random.Random(provider.slug)
        for k in range(SERVICES_EACH):
            name = f"{HOME_NAME} {k + 1}"
            if (provider.pk, name) in have:
                continue
            (east, north), council = rng.choice(CENTRES)
            # Most within about 25 miles of their centre; one in ten not located at all.
            located = rng.random() >= 0.1
            new.append(
                Service(
                    provider=provider,
                    name=name,
                    service_type=Service.Type.CHILDRENS_HOME,
                    is_active=True,
                    age_min=8,
                    age_max=17,
                    genders=Service.Genders.ANY,
                    registered_places=4,
                    vacancies=rng.choice([0, 1, 1, 2]),
                    needs_met={c: rng.choice([1, 2, 3, 3]) for c in INDICATOR_CODES},
                    easting=east + int(rng.gauss(0, 25000)) if located else None,
                    northing=north + int(rng.gauss(0, 25000)) if located else None,
                    council=council if located else "",
                    location_unknown="" if located else "not_found",
                )
            )
    Service.objects.bulk_create(new, batch_size=1000)


def lot_services(lot):
    from providers.models import Enrolment, Service

    active = Enrolment.objects.filter(lot=lot, status=Enrolment.Status.ACTIVE)
    return {
        row["id"]: row
        for row in Service.objects.filter(
            provider__in=active.values("provider_id"), is_active=True
        ).values("id", "easting", "northing", "council")
    }


def new_requests(lot, borough, count, seed=7):
    """Unsaved requests on the lot, each with a child's home located in one of HOMES, a
    maximum distance of 10 to 50 miles, and a third asking for a placement outside the borough."""
    from placements.models import PlacementRequest
    from providers.needs import INDICATOR_CODES

    rng = random.Random(seed)
    requests = []
    for i in range(count):
        east, north = HOMES[i % len(HOMES)]
        requests.append(
            PlacementRequest(
                borough=borough,
                lot=lot,
                age=rng.randint(10, 17),
                gender=rng.choice(["female", "male"]),
                needs={c: rng.choice([0, 1, 1, 2]) for c in INDICATOR_CODES},
                areas=[],
                home_district="N19",
                home_easting=east,
                home_northing=north,
                max_distance_miles=rng.choice([10, 20, 20, 30, 50]),
                placement_area="out_of_area" if i % 3 == 0 else "any",
            )
        )
    return requests


def check(request, services):
    """Every service invited is within the maximum distance and on the right side."""
    from decimal import Decimal

    from geography.distance import miles_between
    from placements.services.eligibility import eligibility_check

    home = (request.home_easting, request.home_northing)
    result = eligibility_check(request)
    if not result.eligible:
        raise AssertionError("no provider eligible: the fixture does not exercise the check")
    for ids in result.eligible.values():
        for pk in ids:
            row = services[pk]
            grid = (row["easting"], row["northing"])
            if miles_between(home, grid) > Decimal(request.max_distance_miles):
                raise AssertionError(f"service {pk} invited beyond the maximum distance")
            if request.placement_area == "out_of_area" and row["council"] == BOROUGH_CODE:
                raise AssertionError(f"service {pk} invited inside the borough")


SQL = """
    SELECT s.provider_id, count(*)
    FROM providers_service s
    JOIN providers_enrolment e ON e.provider_id = s.provider_id AND e.lot_id = %(lot)s
    WHERE e.status = 'active' AND s.is_active AND s.service_type = 'childrens_home'
      AND s.age_min <= %(age)s AND s.age_max >= %(age)s
      AND (s.genders = 'any' OR s.genders = %(gender)s)
      AND s.easting IS NOT NULL AND s.northing IS NOT NULL
      AND POWER(CAST(s.easting - %(east)s AS DOUBLE PRECISION), 2)
        + POWER(CAST(s.northing - %(north)s AS DOUBLE PRECISION), 2) <= %(limit)s
      {area}
      AND s.vacancies >= 1 {needs}
    GROUP BY s.provider_id
"""


def by_sql(request):
    """The lower bound: the same filters in one query (the needs as in bench_eligibility)."""
    vendor = connection.vendor
    needs = "".join(
        (
            f" AND (s.needs_met ->> '{code}')::int >= {int(score)}"
            if vendor == "postgresql"
            else f" AND CAST(json_extract(s.needs_met, '$.{code}') AS INTEGER) >= {int(score)}"
        )
        for code, score in request.needs.items()
        if score
    )
    area = "AND s.council <> %(borough)s" if request.placement_area == "out_of_area" else ""
    metres = (request.max_distance_miles + 0.05) * 1609.3
    with connection.cursor() as cursor:
        cursor.execute(
            SQL.format(needs=needs, area=area),
            {
                "lot": request.lot_id,
                "age": request.age,
                "gender": request.gender,
                "east": request.home_easting,
                "north": request.home_northing,
                "limit": metres * metres,
                "borough": BOROUGH_CODE,
            },
        )
        return dict(cursor.fetchall())
