"""The commissioner's dashboard narrows by return year, quarter, lot and provider (a GET form,
no JavaScript); the headline figures come first; a chart's table is folded in a details
element; a provider's performance is a link away from the dashboard and the directory."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from monitoring.models import KpiSnapshot
from monitoring.views.dashboards import QUARTERS
from placements.models import Placement
from providers.models import Service
from tests.factories import ConsortiumFactory, LotFactory
from tests.monitoring.test_dashboards import (
    DASHBOARD,
    dashboard_world,
    latest_complete_year,
    page,
    rows_of,
)

pytestmark = pytest.mark.django_db


def second_lot_placement(world):
    """Borough A's placement on a second lot of the consortium (its others are on the first)."""
    other = LotFactory(consortium=world.consortium, name="Fostering lot")
    Placement.objects.create(
        borough=world.borough_a,
        provider=world.provider_b,
        service=Service.objects.filter(provider=world.provider_b).first(),
        lot=other,
        child_reference="FOSTER-CHILD",
        weekly_fee=Decimal("900"),
        start_date=date(2024, 1, 1),
        status=Placement.Status.STARTED,
    )
    return other


def quarter_snapshot(world, value, quarter_start, quarter_end):
    KpiSnapshot.objects.create(
        kpi="unplanned_endings_12m",
        consortium=world.consortium,
        scope="borough",
        scope_id=world.borough_a.pk,
        period="quarter",
        period_start=quarter_start,
        period_end=quarter_end,
        value=Decimal(value),
        computed_at=timezone.now(),
    )


def test_a_quarter_shows_that_quarters_figures(client, world):
    dashboard_world(world)
    year = latest_complete_year()
    quarter_snapshot(world, "12.3", date(year - 1, 7, 1), date(year - 1, 9, 30))

    _response, whole = page(client, world.commissioner_a, DASHBOARD)
    client.force_login(world.commissioner_a)
    html = client.get(DASHBOARD, {"year_ending": year, "period": 2}).content.decode()

    assert "41.7%" in whole
    assert "12.3%" not in whole
    assert "12.3%" in html
    assert "41.7%" not in html
    assert f"Quarter ending 30 September {year - 1}" in html
    assert '<option value="2" selected>July to September</option>' in html


def test_a_lot_narrows_the_placements_and_adds_the_lots_trend(client, world):
    dashboard_world(world)
    fostering = second_lot_placement(world)
    client.force_login(world.commissioner_a)

    spend = rows_of(
        client.get(DASHBOARD, {"lot": fostering.pk, "format": "csv", "chart": "spend-by-lot"})
    )
    scatter = client.get(
        DASHBOARD, {"lot": fostering.pk, "format": "csv", "chart": "fee-against-need-left-out"}
    )
    trend = rows_of(
        client.get(
            DASHBOARD,
            {"lot": fostering.pk, "format": "csv", "chart": "trend-unplanned-endings-12m"},
        )
    )
    html = client.get(DASHBOARD, {"lot": fostering.pk}).content.decode()

    assert spend[1:] == [["Fostering lot", "1", "900.00"]]
    assert [row[1] for row in rows_of(scatter)[1:]] == ["FOSTER-CHILD"]
    assert trend[0][-1] == "Fostering lot (all boroughs)"
    assert f"lot={fostering.pk}&" in html  # the CSV links keep the choice


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"period": "5"}, "Choose the whole year or one of its quarters."),
        ({"period": "x"}, "Choose the whole year or one of its quarters."),
        ({"lot": "not-a-lot"}, "Choose a lot from the list."),
    ],
)
def test_a_bad_choice_is_a_form_error_not_a_server_error(client, world, query, message):
    client.force_login(world.commissioner_a)
    response = client.get(DASHBOARD, query)

    assert response.status_code == 400
    assert message in response.content.decode()


def test_another_consortiums_lot_is_refused_and_shows_nothing_of_it(client, world):
    dashboard_world(world)
    elsewhere = LotFactory(consortium=ConsortiumFactory(), name="Elsewhere lot")
    client.force_login(world.commissioner_a)
    response = client.get(DASHBOARD, {"lot": elsewhere.pk})

    assert response.status_code == 400
    assert "Choose a lot from the list." in response.content.decode()
    assert "Elsewhere lot" not in response.content.decode()


def test_the_headline_figures_come_first_and_chart_tables_are_folded(client, world):
    dashboard_world(world)
    _response, html = page(client, world.commissioner_a, DASHBOARD)
    main = html.split('id="main-content"')[1]

    assert main.index("Headline figures") < main.index("<details")
    trend = main.split('id="trend-unplanned-endings-12m-heading"')[1].split("</section>")[0]
    # Folded, yet in the page without JavaScript, for screen readers too.
    assert '<details class="govuk-details">' in trend
    assert trend.index("<details") < trend.index("<table") < trend.index("</details>")
    assert 'role="region"' in trend
    assert 'tabindex="0"' in trend


def test_the_period_choices_are_the_four_quarters_of_the_return_year():
    assert [label for _v, label in QUARTERS] == [
        "April to June",
        "July to September",
        "October to December",
        "January to March",
    ]


def test_a_providers_performance_is_linked_from_the_dashboard_and_the_directory(client, world):
    dashboard_world(world)
    link = f'href="/monitoring/providers/{world.provider_a.pk}/performance/"'

    _response, dashboard = page(client, world.commissioner_a, DASHBOARD)
    _response, directory = page(client, world.commissioner_a, f"/directory/{world.provider_a.pk}/")
    _response, officers = page(client, world.officer_a, f"/directory/{world.provider_a.pk}/")

    spend = dashboard.split('id="spend-by-provider-heading"')[1].split("</section>")[0]
    assert link in spend
    assert link in directory
    assert world.provider_a.name in officers
    assert link not in officers  # a placement officer has no performance pages
