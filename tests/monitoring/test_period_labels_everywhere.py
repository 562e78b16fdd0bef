"""One period label, one figure: the dashboard, its CSV, the PDF report's context and the API
show a snapshot with the same label (monitoring.kpis.periods.period_label)."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from monitoring.kpis import KPIS
from monitoring.models import KpiSnapshot
from monitoring.selectors import reports

pytestmark = pytest.mark.django_db
CODE = "unplanned_endings_12m"


@pytest.fixture(autouse=True)
def frozen():
    moment = datetime(2026, 12, 4, 12, tzinfo=timezone.get_current_timezone())
    with time_machine.travel(moment, tick=False):
        yield


def snap(world, period, start, end, counted_to, value):
    return KpiSnapshot.objects.create(
        kpi=CODE,
        consortium=world.consortium,
        scope="consortium",
        scope_id=world.consortium.pk,
        period=period,
        period_start=start,
        period_end=end,
        counted_to=counted_to,
        value=Decimal(value),
        numerator=Decimal(1),
        denominator=Decimal(3),
        computed_at=timezone.now(),
    )


def api_row(client, snapshot):
    rows = client.get("/api/v1/kpi-snapshots/", {"kpi": CODE}).json()["results"]
    return next(r for r in rows if r["id"] == snapshot.pk)


@pytest.mark.parametrize(
    ("year_ending", "start", "end", "counted_to", "label"),
    [
        (2026, date(2025, 4, 1), date(2026, 3, 31), date(2026, 3, 31), "Year ending 31 March 2026"),
        (
            2027,
            date(2026, 4, 1),
            date(2027, 3, 31),
            date(2026, 12, 4),
            "Year to date: 1 April 2026 to 4 December 2026",
        ),
    ],
)
def test_a_yearly_figure_is_labelled_alike_on_the_dashboard_its_csv_and_the_api(
    client, world, year_ending, start, end, counted_to, label
):
    snapshot = snap(world, "year", start, end, counted_to, "33.3333")
    client.force_login(world.admin)

    html = client.get("/monitoring/dashboard/", {"year_ending": year_ending}).content.decode()
    response = client.get(
        "/monitoring/dashboard/",
        {"year_ending": year_ending, "format": "csv", "chart": "headline-figures"},
    )
    row = next(
        r for r in csv.reader(io.StringIO(response.content.decode())) if r[0] == KPIS[CODE].label
    )
    api = api_row(client, snapshot)

    headline = html.split(f"{KPIS[CODE].label}</th>")[1].split("</tr>")[0]
    assert "33.3%" in headline
    assert label in headline
    assert row[2:4] == ["33.3", label]  # rounded as the page shows it
    assert (api["value"], api["period_label"]) == ("33.3333", label)
    assert api["complete"] is (counted_to == end)


def test_a_quarters_figure_is_labelled_alike_in_the_report_and_the_api(client, world):
    snapshot = snap(
        world, "quarter", date(2026, 7, 1), date(2026, 9, 30), date(2026, 9, 30), "33.3333"
    )
    client.force_login(world.admin)

    context = reports.report_context(
        kind="consortium", consortium=world.consortium, provider=None, period_start=date(2026, 7, 1)
    )
    row = next(r for r in context["kpis"] if r["kpi"] == CODE)
    api = api_row(client, snapshot)

    assert context["quarter"] == "Quarter ending 30 September 2026"
    assert (row["raw"], row["period"]) == (Decimal("33.3333"), "Quarter ending 30 September 2026")
    assert row["value"] == "33.3%"
    assert (api["value"], api["period_label"]) == ("33.3333", row["period"])
