"""The distance KPIs are defined once and read the same everywhere: a run stores them with the
RAG of the consortium's thresholds (the defaults in monitoring.demo.THRESHOLDS), the KPI API
gives them with their unit, and the quarterly report (PDF) lists them.

In the quarter January to March 2024, provider A's placements made through the DPS for
borough A: N19 4EB to SE1 7PB (4.4 miles, across the boundary), to ME2 1NF (29.0 miles,
across the boundary: the DfE's headline), and one with a terminated home postcode (unknown).
Outside and over 20 miles: 1 of 3 = 33.3% (red: over 16.05); unknown 1 of 3 = 33.3% (red:
over 13.05); over 20 miles 33.3% (red); outside 2 of 3 = 66.7% (red); mean 16.7 miles."""

from datetime import date
from decimal import Decimal

import pytest

from monitoring.demo import THRESHOLDS
from monitoring.models import KpiRun, KpiSnapshot, Report
from monitoring.services import reports
from monitoring.services.kpis import kpi_run_execute, kpi_threshold_set
from placements.models import Placement
from tests.monitoring.kpi_helpers import d, place
from tests.monitoring.test_reports import report_text
from tests.placements.helpers import actor_of

pytestmark = pytest.mark.django_db
TODAY = date(2024, 6, 15)
Q1 = date(2024, 1, 1)
DISTANCE = [
    "dps_outside_boundary",
    "dps_over_20_miles",
    "dps_outside_over_20",
    "dps_distance_unknown",
]


@pytest.fixture(autouse=True)
def few_periods(settings, tmp_path):
    settings.KPI_PERIODS = {"month": 3, "quarter": 2, "year": 2}
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def computed(world):
    admin = actor_of(world.admin)
    for code in [*DISTANCE, "new_outside_over_20"]:
        amber_at, red_at = THRESHOLDS[code]
        kpi_threshold_set(actor=admin, kpi=code, amber_at=amber_at, red_at=red_at)
    made = [("4.4", True, ""), ("29.0", True, ""), (None, False, "terminated")]
    for miles, outside, unknown in made:
        place(
            world,
            d("2024-02-01"),
            source=Placement.Source.DPS,
            distance_miles=None if miles is None else Decimal(miles),
            outside_boundary=outside,
            distance_unknown=unknown,
        )
    kpi_run_execute(KpiRun.objects.create(trigger="test"), today=TODAY)


def quarter(code, scope, scope_id):
    return KpiSnapshot.objects.get(
        kpi=code, scope=scope, scope_id=scope_id, period="quarter", period_start=Q1
    )


def test_a_run_stores_the_distance_kpis_with_their_rag(world, computed):
    headline = quarter("dps_outside_over_20", "provider", world.provider_a.pk)
    assert (headline.numerator, headline.denominator) == (Decimal(1), Decimal(3))
    assert headline.value == Decimal("33.3333")
    assert headline.rag == "red"
    unknown = quarter("dps_distance_unknown", "borough", world.borough_a.pk)
    assert (unknown.value, unknown.rag) == (Decimal("33.3333"), "red")
    mean = quarter("dps_mean_miles", "consortium", world.consortium.pk)
    assert (mean.value, mean.rag) == (Decimal("16.7000"), "")


def test_the_default_thresholds_give_green_amber_and_red_as_documented(world):
    from monitoring.kpis import KPIS
    from monitoring.services.kpis import rag_of

    threshold = tuple(Decimal(v) for v in THRESHOLDS["dps_outside_over_20"])
    kpi = KPIS["dps_outside_over_20"]
    assert rag_of(kpi, Decimal("10.0"), threshold) == "green"
    assert rag_of(kpi, Decimal("10.1"), threshold) == "amber"
    assert rag_of(kpi, Decimal("16.0"), threshold) == "amber"
    assert rag_of(kpi, Decimal("16.1"), threshold) == "red"
    unknown = tuple(Decimal(v) for v in THRESHOLDS["new_distance_unknown"])
    assert rag_of(KPIS["new_distance_unknown"], Decimal("5.0"), unknown) == "green"
    assert rag_of(KPIS["new_distance_unknown"], Decimal("13.0"), unknown) == "amber"
    assert rag_of(KPIS["new_distance_unknown"], Decimal("13.1"), unknown) == "red"


def test_the_api_gives_the_distance_kpis_with_their_unit(client, world, computed):
    client.force_login(world.commissioner_a)
    rows = client.get("/api/v1/kpi-snapshots/", {"kpi": "dps_outside_over_20"}).json()["results"]
    borough = next(r for r in rows if r["scope"] == "borough" and r["period"] == "quarter")
    assert (borough["unit"], borough["value"], borough["rag"]) == ("percent", "33.3333", "red")
    rows = client.get("/api/v1/kpi-snapshots/", {"kpi": "dps_mean_miles"}).json()["results"]
    assert {r["unit"] for r in rows} == {"miles"}


def test_the_api_keeps_a_boroughs_distance_figures_from_another_borough(client, world, computed):
    client.force_login(world.commissioner_b)
    rows = client.get("/api/v1/kpi-snapshots/", {"kpi": "dps_outside_over_20"}).json()["results"]
    assert {r["scope"] for r in rows} == {"consortium"}
    client.force_login(world.provider_admin_b)
    assert (
        client.get("/api/v1/kpi-snapshots/", {"kpi": "dps_outside_over_20"}).json()["results"] == []
    )
    client.logout()
    assert client.get("/api/v1/kpi-snapshots/").status_code in (401, 403)


def test_the_quarterly_report_lists_the_distance_kpis(world, computed):
    report = reports.report_generate(
        kind=Report.Kind.PROVIDER,
        consortium=world.consortium,
        provider=world.provider_a,
        period_start=Q1,
    )
    text = report_text(report)
    assert "Placed outside the boundary and more than 20 miles from home (DPS) 33.3%" in text
    assert "Mean distance from home (DPS) 16.7 miles" in text
