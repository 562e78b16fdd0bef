"""The return year the dashboards and the provider performance pages show: the choice, its
default, its figures and their period labels, the trends and CSVs that follow it, and bad
input. Time is frozen on 4 December 2026: the latest complete year ends 31 March 2026."""

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from monitoring.kpis import KPIS
from monitoring.kpis.periods import add_months, return_year
from monitoring.models import KpiSnapshot
from tests.factories import EnrolmentFactory, LotFactory

pytestmark = pytest.mark.django_db
DASHBOARD = "/monitoring/dashboard/"
OWN_PERFORMANCE = "/monitoring/performance/"
TODAY = date(2026, 12, 4)
CODE = "unplanned_endings_12m"
LABEL = KPIS[CODE].label


@pytest.fixture(autouse=True)
def frozen():
    moment = datetime(2026, 12, 4, 12, tzinfo=timezone.get_current_timezone())
    with time_machine.travel(moment, tick=False):
        yield


def snap(world, scope, scope_id, period, start, end, value, counted_to=None):
    return KpiSnapshot.objects.create(
        kpi=CODE,
        consortium=world.consortium,
        scope=scope,
        scope_id=scope_id,
        period=period,
        period_start=start,
        period_end=end,
        counted_to=counted_to or end,
        value=Decimal(value),
        numerator=Decimal(1),
        denominator=Decimal(3),
        rag="amber",
        computed_at=timezone.now(),
    )


def year(world, scope, scope_id, year_ending, value):
    period = return_year(year_ending)
    return snap(world, scope, scope_id, "year", period.start, period.end, value, period.upto(TODAY))


def month(world, scope, scope_id, start, value):
    end = add_months(start, 1) - timedelta(days=1)
    return snap(world, scope, scope_id, "month", start, end, value)


@pytest.fixture
def years(world):
    """Borough A's, borough B's, the consortium's and provider A's figures for the years
    ending 2024, 2026 and (to date) 2027; each figure names its year and scope: 24.1%
    is borough A's for 2024, 26.2% borough B's for 2026, 27.9% the consortium's to date."""
    scopes = {
        ("borough", world.borough_a.pk): "1",
        ("borough", world.borough_b.pk): "2",
        ("provider", world.provider_a.pk): "5",
        ("consortium", world.consortium.pk): "9",
    }
    for (scope, scope_id), digit in scopes.items():
        for year_ending in (2024, 2026, 2027):
            year(world, scope, scope_id, year_ending, f"{year_ending % 100}.{digit}")
        # Months of the year ending 2024 (one of them outside it), and of 2026.
        for start, value in (
            (date(2023, 3, 1), "3.3"),
            (date(2023, 4, 1), f"4.{digit}"),
            (date(2024, 3, 1), f"6.{digit}"),
            (date(2026, 2, 1), f"8.{digit}"),
        ):
            month(world, scope, scope_id, start, value)
    lot = LotFactory(consortium=world.consortium)
    EnrolmentFactory(provider=world.provider_a, lot=lot)
    return world


def get(client, user, path, **query):
    client.force_login(user)
    response = client.get(path, query)
    return response, response.content.decode()


def rows_of(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_year_choice_lists_the_years_with_figures_newest_first_and_the_latest_complete_is_shown(
    client, years
):
    response, html = get(client, years.commissioner_a, DASHBOARD)
    assert response.status_code == 200
    options = html.split('name="year_ending"')[1].split("</select>")[0]
    assert options.index("Year to date: 1 April 2026 to 4 December 2026") < options.index(
        "Year ending 31 March 2026"
    )
    assert options.index("Year ending 31 March 2026") < options.index("Year ending 31 March 2024")
    assert '<option value="2026" selected>Year ending 31 March 2026</option>' in options
    assert "2025" not in options  # no figures for it
    assert "31 March 2027" not in html  # never a day to come
    # The headline: borough A's year ending 2026, against the consortium's.
    assert "26.1%" in html
    assert "26.9%" in html
    assert "24.1%" not in html
    assert "26.2%" not in html  # borough B's
    assert "Headline figures: Year ending 31 March 2026" in html


def test_a_chosen_year_shows_its_figures_labels_and_months_only(client, years):
    response, html = get(client, years.commissioner_a, DASHBOARD, year_ending="2024")
    assert response.status_code == 200
    assert '<option value="2024" selected>' in html
    assert "24.1%" in html
    assert "26.1%" not in html
    trend = html.split('id="trend-unplanned-endings-12m-heading"')[1].split("</section>")[0]
    assert "April 2023" in trend
    assert "March 2024" in trend
    assert "March 2023" not in trend  # before the year
    assert "February 2026" not in trend
    assert "year_ending=2024&amp;format=csv&amp;chart=trend-unplanned-endings-12m" in html
    header, *rows = rows_of(
        client.get(
            DASHBOARD,
            {"year_ending": "2024", "format": "csv", "chart": "trend-unplanned-endings-12m"},
        )
    )
    assert header == ["Month", "Alpha Borough", "Test Consortium (all boroughs)"]
    assert rows == [["2023-04-01", "4.1", "4.9"], ["2024-03-01", "6.1", "6.9"]]


def test_the_current_year_is_shown_to_date(client, years):
    _response, html = get(client, years.commissioner_a, DASHBOARD, year_ending="2027")
    assert "27.1%" in html
    assert "Year to date: 1 April 2026 to 4 December 2026" in html
    figures = rows_of(
        client.get(DASHBOARD, {"year_ending": "2027", "format": "csv", "chart": "headline-figures"})
    )
    row = next(r for r in figures if r[0] == LABEL)
    assert row[2:] == [
        "27.1",
        "Year to date: 1 April 2026 to 4 December 2026",
        "amber",
        "27.9",
    ]


@pytest.mark.parametrize("bad", ["abc", "1800", "2025", ""])
def test_a_bad_year_is_a_form_error_not_a_server_error(client, years, bad):
    for user, path in (
        (years.commissioner_a, DASHBOARD),
        (years.admin, DASHBOARD),
        (years.commissioner_a, f"/monitoring/providers/{years.provider_a.pk}/performance/"),
        (years.provider_admin_a, OWN_PERFORMANCE),
    ):
        response, html = get(client, user, path, year_ending=bad)
        assert response.status_code == 400, path
        assert "govuk-error-summary" in html
        assert "Choose a return year from the list." in html


def test_the_admin_sees_every_borough_in_the_chosen_year(client, years):
    _response, html = get(client, years.admin, DASHBOARD, year_ending="2024")
    assert "By borough: Year ending 31 March 2024" in html
    assert "24.1%" in html
    assert "24.2%" in html
    assert "26.1%" not in html


def test_the_provider_performance_page_follows_the_year(client, years):
    path = f"/monitoring/providers/{years.provider_a.pk}/performance/"
    _response, html = get(client, years.commissioner_a, path, year_ending="2024")
    assert "24.5%" in html
    assert "24.9%" in html
    assert "Year ending 31 March 2024" in html
    assert "26.5%" not in html
    _response, html = get(client, years.provider_admin_a, OWN_PERFORMANCE)
    assert "26.5%" in html  # the latest complete year by default
    assert '<option value="2026" selected>' in html
    assert "26.1%" not in html  # no borough's figure
    figures = rows_of(
        client.get(
            OWN_PERFORMANCE, {"year_ending": "2027", "format": "csv", "chart": "provider-kpis"}
        )
    )
    row = next(r for r in figures if r[0] == LABEL)
    assert row[2:4] == ["27.5", "Year to date: 1 April 2026 to 4 December 2026"]


def test_other_tenants_and_anonymous_users_are_refused_the_years(client, years):
    # Borough B sees its own year, never borough A's.
    _response, html = get(client, years.commissioner_b, DASHBOARD, year_ending="2024")
    assert "24.2%" in html
    assert "24.1%" not in html
    # Another provider sees none of provider A's figures, in any year.
    _response, html = get(client, years.provider_admin_b, OWN_PERFORMANCE, year_ending="2024")
    assert "24.5%" not in html
    path = f"/monitoring/providers/{years.provider_a.pk}/performance/"
    response, _html = get(client, years.provider_admin_b, path, year_ending="2024")
    assert response.status_code == 403
    client.logout()
    for url in (DASHBOARD, path, OWN_PERFORMANCE):
        response = client.get(url, {"year_ending": "2024"})
        assert response.status_code == 302
        assert "login" in response["Location"]
