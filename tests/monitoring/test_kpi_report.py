"""manage.py kpi_report: a borough's KPIs for one return year, computed live."""

import json
from datetime import datetime
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from monitoring.kpis import KPIS
from monitoring.kpis.periods import return_year
from monitoring.models import KpiSnapshot
from tests.monitoring.kpi_helpers import d, place

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    moment = datetime(2026, 12, 4, 12, tzinfo=timezone.get_current_timezone())
    with time_machine.travel(moment, tick=False):
        yield


@pytest.fixture
def endings(world):
    # The year ending 31 March 2025 at borough A: 3 ended, 2 unplanned within 12 months.
    place(world, d("2024-05-01"), d("2024-06-01"), planned=False)
    place(world, d("2024-05-01"), d("2025-01-10"), planned=False)
    place(world, d("2024-05-01"), d("2025-03-31"), planned=True)
    place(world, d("2025-05-01"), d("2025-06-01"), planned=False)  # the next year
    # Borough B's, in the same year: not borough A's.
    place(world, d("2024-05-01"), d("2024-07-01"), planned=False, borough=world.borough_b)
    return world


def report(*args):
    out = StringIO()
    call_command("kpi_report", *args, stdout=out)
    return out.getvalue()


def test_it_prints_every_borough_kpi_of_the_year(endings):
    text = report("--borough", "borough-a", "--year-ending", "2025")
    lines = text.splitlines()
    assert lines[0] == "Alpha Borough: Year ending 31 March 2025"
    assert lines[1] == "code\tlabel\tvalue\tnumerator\tdenominator"
    rows = {line.split("\t")[0]: line.split("\t") for line in lines[2:]}
    assert set(rows) == {code for code, kpi in KPIS.items() if "borough" in kpi.scopes}
    label = KPIS["unplanned_endings_12m"].label
    assert rows["unplanned_endings_12m"] == [
        "unplanned_endings_12m",
        label,
        "66.6667",
        "2.0000",
        "3.0000",
    ]
    assert rows["bids_per_request"][2] == "no data"
    # Nothing is stored.
    assert not KpiSnapshot.objects.exists()


def test_it_prints_json_with_the_period_and_numbers_as_strings(endings):
    document = json.loads(report("--borough", "borough-a", "--year-ending", "2025", "--json"))
    assert document["borough"] == "borough-a"
    assert document["year_ending"] == 2025
    assert document["period"] == {
        "start": "2024-04-01",
        "end": "2025-03-31",
        "counted_to": "2025-03-31",
        "label": "Year ending 31 March 2025",
    }
    unplanned = next(k for k in document["kpis"] if k["code"] == "unplanned_endings_12m")
    assert unplanned == {
        "code": "unplanned_endings_12m",
        "label": KPIS["unplanned_endings_12m"].label,
        "unit": "percent",
        "value": "66.6667",
        "numerator": "2.0000",
        "denominator": "3.0000",
        "note": "",
    }
    mean = next(k for k in document["kpis"] if k["code"] == "mean_duration_days")
    assert Decimal(mean["value"]) == KPIS["mean_duration_days"].value_of(
        Decimal(mean["numerator"]), Decimal(mean["denominator"])
    )
    spend = next(k for k in document["kpis"] if k["code"] == "bids_per_request")
    assert spend["value"] is None
    assert spend["note"] == "no data"


def test_the_current_year_is_counted_to_today(endings):
    document = json.loads(report("--borough", "borough-a", "--year-ending", "2027", "--json"))
    assert document["period"]["counted_to"] == "2026-12-04"
    assert document["period"]["label"] == "Year to date: 1 April 2026 to 4 December 2026"
    assert return_year(2027).end.isoformat() == document["period"]["end"]


def test_the_figures_are_those_a_run_stores(endings):
    from monitoring.models import KpiRun
    from monitoring.services.kpis import kpi_run_execute

    kpi_run_execute(KpiRun.objects.create(trigger="test"))
    document = json.loads(report("--borough", "borough-a", "--year-ending", "2025", "--json"))
    stored = KpiSnapshot.objects.filter(
        scope="borough", scope_id=endings.borough_a.pk, period="year", period_start=d("2024-04-01")
    )
    for snapshot in stored:
        row = next(k for k in document["kpis"] if k["code"] == snapshot.kpi)
        assert Decimal(row["value"]) == snapshot.value, snapshot.kpi


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--borough", "nowhere", "--year-ending", "2025"), "No borough"),
        (("--borough", "consortium", "--year-ending", "2025"), "No borough"),
        (("--borough", "borough-a", "--year-ending", "abc"), "--year-ending"),
        (("--borough", "borough-a", "--year-ending", "1800"), "--year-ending"),
        (("--borough", "borough-a", "--year-ending", "2030"), "--year-ending"),
    ],
)
def test_an_unknown_borough_or_a_bad_year_is_a_clear_error(world, args, message):
    with pytest.raises(CommandError, match=message):
        report(*args)
