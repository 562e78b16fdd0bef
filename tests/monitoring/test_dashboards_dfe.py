"""The DfE's measures on the dashboards: a borough's hand-worked returns of two years,
computed by a KPI run, shown for the return year chosen, with their CSVs."""

import csv
import io
from datetime import datetime

import pytest
import time_machine
from django.utils import timezone

from monitoring.models import KpiRun
from monitoring.services.kpis import kpi_run_execute
from tests.monitoring.dfe_returns import returned

pytestmark = pytest.mark.django_db
DASHBOARD = "/monitoring/dashboard/"


@pytest.fixture
def computed(world):
    with time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=timezone.get_current_timezone())):
        # 2025: two children looked after on 31 March, one fostered, one in a children's home.
        returned(
            world,
            2025,
            "F1 2024-01-01 S C2 U4 - -\nH1 2024-06-01 S C2 K2 - -",
        )
        # 2026: three, all fostered; H1 moved to foster carers.
        returned(
            world,
            2026,
            """
            F1 2024-01-01 S C2 U4 -          -
            H1 2024-06-01 S C2 K2 2025-06-01 X1
            H1 2025-06-01 P C2 U6 -          -
            N1 2025-09-01 S C2 U4 -          -
            """,
        )
        returned(world, 2026, "B1 2025-09-01 S C2 U4 - -", borough=world.borough_b)
        kpi_run_execute(KpiRun.objects.create(trigger="test"))
        yield


def rows_of(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_a_commissioner_sees_the_dfe_measures_of_the_year_chosen(client, world, computed):
    client.force_login(world.commissioner_a)
    page = client.get(DASHBOARD, {"year_ending": 2025}).content.decode()
    assert "Children looked after: the DfE's measures" in page
    figures = rows_of(
        client.get(DASHBOARD, {"year_ending": 2025, "format": "csv", "chart": "dfe-figures"})
    )
    cla = next(row for row in figures if row[0] == "Children looked after at the end of the period")
    assert cla[2] == "2"
    assert cla[3] == "Year ending 31 March 2025"
    # The consortium's figure beside it: borough B imported no 2025 return.
    assert cla[5] == "2"
    mix = rows_of(
        client.get(DASHBOARD, {"year_ending": 2025, "format": "csv", "chart": "placement-type"})
    )
    assert ["Foster placements", "50.0", "50.0"] in mix

    later = rows_of(
        client.get(DASHBOARD, {"year_ending": 2026, "format": "csv", "chart": "dfe-figures"})
    )
    cla = next(row for row in later if row[0] == "Children looked after at the end of the period")
    assert (cla[2], cla[5]) == ("3", "4")


def test_a_year_without_a_return_says_so(client, world, computed):
    client.force_login(world.commissioner_b)
    page = client.get(DASHBOARD, {"year_ending": 2025}).content.decode()
    assert "No SSDA903 return of this year has been imported." in page
