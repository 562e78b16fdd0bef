"""GET /api/v1/kpi-snapshots/: who reads which snapshots, and the filters."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from monitoring.models import KpiSnapshot
from providers.models import Service
from tests.factories import ConsortiumFactory, ServiceFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/kpi-snapshots/"
Scope = KpiSnapshot.Scope


def snap(consortium, scope, scope_id, value, *, kpi="unplanned_endings_12m", start=None):
    start = start or date(2024, 1, 1)
    return KpiSnapshot.objects.create(
        kpi=kpi,
        consortium=consortium,
        scope=scope,
        scope_id=scope_id,
        period=KpiSnapshot.Period.QUARTER,
        period_start=start,
        period_end=start.replace(month=start.month + 2, day=28),
        value=Decimal(value),
        numerator=Decimal("1"),
        denominator=Decimal("2"),
        rag="red",
        computed_at=timezone.now(),
    )


@pytest.fixture
def snapshots(world):
    c = world.consortium
    service_a = ServiceFactory(provider=world.provider_a)
    other = ConsortiumFactory()
    return {
        "consortium": snap(c, Scope.CONSORTIUM, c.pk, "1"),
        "borough_a": snap(c, Scope.BOROUGH, world.borough_a.pk, "2"),
        "borough_b": snap(c, Scope.BOROUGH, world.borough_b.pk, "3"),
        "provider_a": snap(c, Scope.PROVIDER, world.provider_a.pk, "4"),
        "provider_b": snap(c, Scope.PROVIDER, world.provider_b.pk, "5"),
        "service_a": snap(c, Scope.SERVICE, service_a.pk, "6"),
        "other": snap(other, Scope.CONSORTIUM, other.pk, "7"),
        "borough_a_later": snap(
            c, Scope.BOROUGH, world.borough_a.pk, "8", kpi="spend", start=date(2024, 4, 1)
        ),
    }


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def names(snapshots, *keys):
    return {snapshots[k].pk for k in keys}


@pytest.mark.parametrize(
    ("persona", "seen"),
    [
        ("commissioner_a", ("consortium", "borough_a", "borough_a_later")),
        ("officer_a", ("consortium", "borough_a", "borough_a_later")),
        ("commissioner_b", ("consortium", "borough_b")),
        ("provider_admin_a", ("provider_a", "service_a")),
        ("bidder_b", ("provider_b",)),
        (
            "admin",
            (
                "consortium",
                "borough_a",
                "borough_b",
                "provider_a",
                "provider_b",
                "service_a",
                "borough_a_later",
            ),
        ),
    ],
)
def test_each_caller_reads_only_the_snapshots_it_may_see(client, world, snapshots, persona, seen):
    client.force_login(getattr(world, persona))

    assert ids(client.get(URL)) == names(snapshots, *seen)


def test_a_boroughs_api_key_reads_its_borough_and_the_consortium(
    client, world, snapshots, api_key_for
):
    response = client.get(URL, headers={"Authorization": api_key_for(world.borough_a, False)})

    assert ids(response) == names(snapshots, "consortium", "borough_a", "borough_a_later")


def test_a_snapshot_has_its_kpis_label_unit_and_rag(client, world, snapshots):
    client.force_login(world.commissioner_a)

    row = next(r for r in client.get(URL).json()["results"] if r["id"] == snapshots["borough_a"].pk)

    assert row["kpi"] == "unplanned_endings_12m"
    assert row["unit"] == "percent"
    assert row["scope"] == "borough"
    assert row["scope_id"] == world.borough_a.pk
    assert row["value"] == "2.0000"
    assert row["rag"] == "red"
    assert row["period_start"] == "2024-01-01"


@pytest.mark.parametrize(
    ("query", "seen"),
    [
        ("kpi=spend", ("borough_a_later",)),
        ("scope=consortium", ("consortium",)),
        ("scope=provider", ("provider_a", "provider_b")),
        ("borough={borough_a}", ("borough_a", "borough_a_later")),
        ("provider={provider_b}", ("provider_b",)),
        ("scope_id={provider_a}&scope=provider", ("provider_a",)),
        ("period=quarter&period_start_after=2024-04-01", ("borough_a_later",)),
        (
            "period_start_before=2024-01-01&scope=borough",
            ("borough_a", "borough_b"),
        ),
        ("period=month", ()),
    ],
)
def test_filters(client, world, snapshots, query, seen):
    client.force_login(world.admin)
    query = query.format(
        borough_a=world.borough_a.pk,
        provider_a=world.provider_a.pk,
        provider_b=world.provider_b.pk,
    )

    assert ids(client.get(f"{URL}?{query}")) == names(snapshots, *seen)


@pytest.mark.parametrize(
    "query",
    ["kpi=nonsense", "scope=galaxy", "borough=x", "scope_id=0", "period_start_after=not-a-date"],
)
def test_bad_filters_are_a_400(client, world, snapshots, query):
    client.force_login(world.admin)

    assert client.get(f"{URL}?{query}").status_code == 400


def test_a_borough_filtering_for_another_borough_gets_nothing(client, world, snapshots):
    client.force_login(world.commissioner_a)

    assert ids(client.get(f"{URL}?borough={world.borough_b.pk}")) == set()


def test_pages_are_cursor_paginated(client, world, snapshots):
    client.force_login(world.admin)

    first = client.get(f"{URL}?page_size=3").json()

    assert len(first["results"]) == 3
    assert "cursor=" in first["next"]
    second = client.get(first["next"]).json()
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


def test_anonymous_callers_are_refused(client, db):
    assert client.get(URL).status_code in (401, 403)


def test_services_of_another_provider_are_not_a_providers(client, world, snapshots):
    other_service = Service.objects.exclude(provider=world.provider_a).first() or ServiceFactory(
        provider=world.provider_b
    )
    hidden = snap(world.consortium, Scope.SERVICE, other_service.pk, "9")
    client.force_login(world.provider_admin_a)

    assert hidden.pk not in ids(client.get(URL))


# --- Return years ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "seen"),
    [
        # The quarters from January 2024 are in the year ending 31 March 2024; April 2024's in
        # the next.
        ("year_ending=2024", ("consortium", "borough_a", "borough_b", "provider_a")),
        ("year_ending=2025&scope=borough", ("borough_a_later",)),
        ("year_ending=2023", ()),
    ],
)
def test_year_ending_keeps_the_periods_within_the_return_year(
    client, world, snapshots, query, seen
):
    client.force_login(world.admin)
    expected = set(seen)
    if "2024" in query:  # the admin also sees provider B's and the service's
        expected |= {"provider_b", "service_a"}

    assert ids(client.get(f"{URL}?{query}")) == names(snapshots, *expected)


def test_year_ending_is_a_boroughs_own_even_with_another_borough_asked_for(
    client, world, snapshots
):
    client.force_login(world.commissioner_b)

    assert ids(client.get(f"{URL}?year_ending=2025")) == set()
    assert ids(client.get(f"{URL}?year_ending=2024&borough={world.borough_a.pk}")) == set()


@pytest.mark.parametrize("bad", ["abc", "1800", "12345", "2024.5"])
def test_a_bad_year_ending_is_a_400_with_the_fields_error(client, world, snapshots, bad):
    client.force_login(world.admin)

    response = client.get(f"{URL}?year_ending={bad}")

    assert response.status_code == 400
    assert "year_ending" in str(response.json())


def test_a_snapshot_says_when_it_counts_to_whether_complete_and_its_period(
    client, world, snapshots
):
    running = snapshots["borough_a_later"]
    running.period_end, running.counted_to = date(2024, 6, 30), date(2024, 6, 12)
    running.save()
    client.force_login(world.commissioner_a)

    rows = {r["id"]: r for r in client.get(URL).json()["results"]}

    done = rows[snapshots["borough_a"].pk]
    assert done["complete"] is True
    assert done["period_label"] == "Quarter ending 28 March 2024"
    assert rows[running.pk]["counted_to"] == "2024-06-12"
    assert rows[running.pk]["complete"] is False
    assert rows[running.pk]["period_label"] == "Quarter to date: 1 April to 12 June 2024"
