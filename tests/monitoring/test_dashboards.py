"""The dashboards: the commissioner's, the consortium admin's, a provider's performance and the
market position statement. They read KPI snapshots made here directly (the engine is tested on
its own), and the placements of the actor's own borough.

Each borough's figures are distinct markers: borough A's unplanned endings are 41.7%, borough
B's 63.9%, the consortium's 52.8%, provider A's 35.5%. Borough A's children are ALPHA-CHILD-n,
borough B's BRAVO-CHILD-1."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from monitoring.kpis.periods import return_year, year_ending_of
from monitoring.models import CorrectiveActionPlan, KpiSnapshot, MonitoringVisit
from monitoring.selectors.dashboards import outliers
from monitoring.services import lifecycle
from placements.models import Placement, PlacementRequest
from providers.models import Lot, QualityScore, Service
from providers.needs import INDICATOR_CODES
from tests.factories import EnrolmentFactory, LotFactory, ServiceFactory
from tests.monitoring.kpi_helpers import with_agreed_fee
from tests.placements import helpers

DASHBOARD = "/monitoring/dashboard/"
MARKET = "/monitoring/market/"
OWN_PERFORMANCE = "/monitoring/performance/"
VALUES = {"borough_a": "41.7", "borough_b": "63.9", "consortium": "52.8", "provider_a": "35.5"}
NEEDS = dict.fromkeys(INDICATOR_CODES, 1)  # a total of 12


def months_back(n):
    """(start, end) of the complete month n months before this one (n=1: last month)."""
    start = timezone.localdate().replace(day=1)
    for _ in range(n):
        start = (start - timedelta(days=1)).replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return start, end


def snapshot(world, scope, scope_id, value, kpi="unplanned_endings_12m", months=1, rag="amber"):
    start, end = months_back(months)
    snap, _ = KpiSnapshot.objects.update_or_create(
        kpi=kpi,
        consortium=world.consortium,
        scope=scope,
        scope_id=scope_id,
        period="month",
        period_start=start,
        defaults={
            "period_end": end,
            "value": Decimal(value),
            "rag": rag,
            "computed_at": timezone.now(),
        },
    )
    return snap


def latest_complete_year():
    return year_ending_of(timezone.localdate()) - 1


def last_months_year():
    """The return year of last month (the one before this if this is April)."""
    return year_ending_of(months_back(1)[0])


def year_snapshot(world, scope, scope_id, value, year_ending, kpi="unplanned_endings_12m"):
    year = return_year(year_ending)
    snap, _ = KpiSnapshot.objects.update_or_create(
        kpi=kpi,
        consortium=world.consortium,
        scope=scope,
        scope_id=scope_id,
        period="year",
        period_start=year.start,
        defaults={
            "period_end": year.end,
            "counted_to": year.upto(timezone.localdate()),
            "value": Decimal(value),
            "rag": "amber",
            "computed_at": timezone.now(),
        },
    )
    return snap


def snapshots(world):
    """Three months of each scope's figures; the latest month carries the marker values, as
    does the latest complete return year (the year the pages show until another is chosen).
    Last month's year has figures too, for the pages to offer it, and the latest complete
    year a month, for the trends the pages draw by default."""
    scopes = [
        ("borough", world.borough_a.pk, VALUES["borough_a"]),
        ("borough", world.borough_b.pk, VALUES["borough_b"]),
        ("consortium", world.consortium.pk, VALUES["consortium"]),
        ("provider", world.provider_a.pk, VALUES["provider_a"]),
    ]
    for scope, scope_id, value in scopes:
        for months in (3, 2):
            snapshot(world, scope, scope_id, "10", months=months)
        snapshot(world, scope, scope_id, value)
        if last_months_year() != latest_complete_year():
            year_snapshot(world, scope, scope_id, "10", last_months_year())
        year_snapshot(world, scope, scope_id, value, latest_complete_year())
        # A month of the latest complete year, for the default page's trends to draw.
        march = return_year(latest_complete_year()).end
        if march.replace(day=1) not in {months_back(n)[0] for n in (1, 2, 3)}:
            KpiSnapshot.objects.update_or_create(
                kpi="unplanned_endings_12m",
                consortium=world.consortium,
                scope=scope,
                scope_id=scope_id,
                period="month",
                period_start=march.replace(day=1),
                defaults={
                    "period_end": march,
                    "value": Decimal("10"),
                    "computed_at": timezone.now(),
                },
            )
        snapshot(world, scope, scope_id, "1000", kpi="cost_avoidance", rag="green")
        snapshot(world, scope, scope_id, "500", kpi="cost_avoidance", months=2, rag="green")
    # This month is not complete: never a headline.
    start = timezone.localdate().replace(day=1)
    KpiSnapshot.objects.update_or_create(
        kpi="unplanned_endings_12m",
        consortium=world.consortium,
        scope="borough",
        scope_id=world.borough_a.pk,
        period="month",
        period_start=start,
        defaults={
            "period_end": (start + timedelta(days=32)).replace(day=1) - timedelta(days=1),
            "value": Decimal("99.9"),
            "computed_at": timezone.now(),
        },
    )


def lot(world):
    found = Lot.objects.filter(consortium=world.consortium, code="dash-residential").first()
    if found:
        return found
    made = LotFactory(consortium=world.consortium, code="dash-residential", name="Homes lot")
    for provider, area in ((world.provider_a, "Kent"), (world.provider_b, "Surrey")):
        EnrolmentFactory(provider=provider, lot=made)
        ServiceFactory(
            provider=provider,
            name=f"{provider.name} House",
            local_authority=area,
            registered_places=4,
            vacancies=1,
        )
    return made


def place(world, borough, provider, fee, reference, needs=None, status="started"):
    the_lot = lot(world)
    request = PlacementRequest.objects.create(
        borough=borough,
        lot=the_lot,
        status=PlacementRequest.Status.PLACED,
        needs=needs or NEEDS,
    )
    return with_agreed_fee(
        Placement.objects.create(
            request=request,
            borough=borough,
            provider=provider,
            service=Service.objects.filter(provider=provider).first(),
            lot=the_lot,
            child_reference=reference,
            weekly_fee=Decimal(fee),
            needs_total=request.total_need_score,  # as the award keeps it
            start_date=date(2024, 1, 1),
            status=status,
        )
    )


def placements(world, n=4):
    """Borough A's placements with provider A (one far above the others' fee per need point,
    one with provider B), and borough B's one."""
    base = Placement.objects.filter(borough=world.borough_a).count()
    for i in range(n):
        place(world, world.borough_a, world.provider_a, 3000 + i, f"ALPHA-CHILD-{base + i}")
    if not Placement.objects.filter(child_reference="ALPHA-CHILD-OUT").exists():
        place(world, world.borough_a, world.provider_a, 19999, "ALPHA-CHILD-OUT")
        place(world, world.borough_a, world.provider_b, 3500, "ALPHA-CHILD-B")
        place(world, world.borough_b, world.provider_b, 4444, "BRAVO-CHILD-1")
        place(world, world.borough_a, world.provider_a, 1, "ALPHA-ENDED", status="ended")


def dashboard_world(world):
    snapshots(world)
    placements(world)
    return lot(world)


def performance_world(world):
    """Provider A's performance: snapshots, a quality score, a visit, and a plan for each
    borough."""
    snapshots(world)
    lot(world)
    if not CorrectiveActionPlan.objects.filter(reason="ALPHA-PLAN").exists():
        CorrectiveActionPlan.objects.create(
            provider=world.provider_a,
            consortium=world.consortium,
            borough=world.borough_a,
            reason="ALPHA-PLAN",
        )
        CorrectiveActionPlan.objects.create(
            provider=world.provider_a,
            consortium=world.consortium,
            borough=world.borough_b,
            reason="BRAVO-PLAN",
        )
        QualityScore.objects.create(
            provider=world.provider_a,
            consortium=world.consortium,
            total=Decimal("77.25"),
            inspection=80,
            outcomes=70,
            compliance=90,
            responsiveness=60,
            weights={},
            inputs={},
            trigger="test",
        )
        MonitoringVisit.objects.create(
            service=Service.objects.filter(provider=world.provider_a).first(),
            provider=world.provider_a,
            consortium=world.consortium,
            due_date=timezone.localdate() - timedelta(days=10),
        )
    return world.provider_a


def market_world(world):
    placements(world, n=1)
    if not PlacementRequest.objects.filter(reference="ALPHA-OPEN").exists():
        PlacementRequest.objects.create(
            borough=world.borough_a,
            lot=lot(world),
            reference="ALPHA-OPEN",
            status=PlacementRequest.Status.OPEN,
            needs=dict.fromkeys(INDICATOR_CODES, 3),
        )
    return lot(world)


def page(client, user, path):
    client.force_login(user)
    response = client.get(path)
    return response, response.content.decode()


def rows_of(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


# --- The commissioner's dashboard -------------------------------------------------------


def test_a_commissioner_sees_the_borough_against_the_consortium_and_no_other_borough(client, world):
    dashboard_world(world)
    response, html = page(client, world.commissioner_a, DASHBOARD)
    assert response.status_code == 200
    assert "41.7%" in html
    assert "52.8%" in html
    assert "63.9%" not in html  # borough B's figure
    assert "99.9" not in html  # the month not yet complete
    assert "BRAVO-CHILD-1" not in html
    assert "Bravo Borough" not in html
    assert "ALPHA-CHILD-OUT" in html
    assert "ALPHA-ENDED" not in html  # ended: not a current placement
    # Every chart: a canvas reading its data island, and a table with a caption (the trends
    # of the year with last month in it).
    year = client.get(DASHBOARD, {"year_ending": last_months_year()}).content.decode()
    for name in ("trend-unplanned-endings-12m", "spend-by-lot", "spend-by-provider"):
        assert f'data-chart="chart-data-{name}"' in year
        assert f'id="chart-data-{name}" type="application/json"' in year
        assert f"chart={name}" in year
    assert 'data-chart="chart-data-fee-against-need"' in html
    assert "<caption" in html
    assert 'scope="col"' in html
    assert "Cost avoidance to date: <strong>£1,500.00</strong>" in html


def test_borough_b_sees_its_own_figures_not_borough_a(client, world):
    dashboard_world(world)
    _response, html = page(client, world.commissioner_b, DASHBOARD)
    assert "63.9%" in html
    assert "52.8%" in html
    assert "41.7%" not in html
    assert "ALPHA-CHILD" not in html
    assert "Alpha Borough" not in html
    assert "BRAVO-CHILD-1" in html


def test_the_scatter_marks_the_outlier(client, world):
    dashboard_world(world)
    client.force_login(world.commissioner_a)
    response = client.get(DASHBOARD, {"format": "csv", "chart": "fee-against-need"})
    rows = rows_of(response)
    assert rows[0] == [
        "Placement",
        "Child reference",
        "Provider",
        "Total needs score",
        "Weekly fee (£)",
        "Outlier",
    ]
    flagged = {row[1]: row[5] for row in rows[1:]}
    assert flagged["ALPHA-CHILD-OUT"] == "Yes"
    assert flagged["ALPHA-CHILD-0"] == "No"
    assert {row[3] for row in rows[1:]} == {"12"}
    assert "BRAVO-CHILD-1" not in flagged


def test_outliers_need_four_points_and_use_the_interquartile_range():
    assert outliers([(10, Decimal(100))] * 3) == set()
    points = [(10, Decimal(v)) for v in (100, 101, 102, 103, 104)] + [(10, Decimal(900))]
    assert outliers(points) == {5}
    assert outliers([(0, Decimal(5)), *points]) == {6}  # no needs: no ratio


def test_the_provider_filter_narrows_the_placements_and_adds_the_provider_trend(client, world):
    dashboard_world(world)
    client.force_login(world.commissioner_a)
    html = client.get(
        DASHBOARD, {"provider": world.provider_b.pk, "year_ending": last_months_year()}
    ).content.decode()
    assert "ALPHA-CHILD-B" in html
    assert "ALPHA-CHILD-OUT" not in html
    assert "Bravo Care (all boroughs)" in html
    response = client.get(
        DASHBOARD, {"provider": world.provider_a.pk, "format": "csv", "chart": "spend-by-provider"}
    )
    assert rows_of(response) == [
        ["Provider", "Placements", "Weekly spend (£)"],
        ["Alpha Care", "5", "32005.00"],
    ]
    trend = client.get(
        DASHBOARD,
        {
            "provider": world.provider_a.pk,
            "year_ending": last_months_year(),
            "format": "csv",
            "chart": "trend-unplanned-endings-12m",
        },
    )
    header, *rows = rows_of(trend)
    assert header == [
        "Month",
        "Alpha Borough",
        "Test Consortium (all boroughs)",
        "Alpha Care (all boroughs)",
    ]
    assert rows[-1][1:] == ["41.7", "52.8", "35.5"]  # rounded as the page shows them


def test_a_bad_provider_is_a_form_error_not_a_server_error(client, world):
    client.force_login(world.commissioner_a)
    response = client.get(DASHBOARD, {"provider": "nonsense"})
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()


def test_spend_by_lot_csv_is_the_boroughs_own(client, world):
    dashboard_world(world)
    client.force_login(world.commissioner_b)
    response = client.get(DASHBOARD, {"format": "csv", "chart": "spend-by-lot"})
    assert response["Content-Type"].startswith("text/csv")
    assert rows_of(response) == [
        ["Lot", "Placements", "Weekly spend (£)"],
        ["Homes lot", "1", "4444.00"],
    ]


def test_spend_is_at_todays_fee_after_a_fee_change(client, world):
    dashboard_world(world)
    placement = Placement.objects.get(child_reference="BRAVO-CHILD-1")
    officer = helpers.actor_of(world.officer_b)
    lifecycle.fee_change_record(
        actor=officer,
        placement=placement,
        effective_date=timezone.localdate() - timedelta(days=3),
        weekly_fee="5000",
        reason="Extra night staffing.",
    )
    client.force_login(world.commissioner_b)

    response = client.get(DASHBOARD, {"format": "csv", "chart": "spend-by-lot"})

    assert rows_of(response)[1] == ["Homes lot", "1", "5000.00"]


def test_an_unknown_chart_is_not_found(client, world):
    client.force_login(world.commissioner_a)
    assert client.get(DASHBOARD, {"format": "csv", "chart": "nope"}).status_code == 404


def test_the_dashboard_shows_overdue_visits(client, world):
    from tests.monitoring.helpers_m4 import place_with

    performance_world(world)
    place_with(world.borough_a, Service.objects.filter(provider=world.provider_a).first())
    _response, html = page(client, world.commissioner_a, DASHBOARD)
    assert "Alpha Care House" in html


@pytest.mark.parametrize("persona", ["officer_a", "provider_admin_a", "bidder_a"])
def test_others_are_refused_the_dashboard(client, world, persona):
    response, _html = page(client, getattr(world, persona), DASHBOARD)
    assert response.status_code == 403


def test_the_dashboard_answers_in_the_same_number_of_queries_for_more_rows(client, world):
    dashboard_world(world)
    client.force_login(world.commissioner_a)
    client.get(DASHBOARD)
    with CaptureQueriesContext(connection) as few:
        client.get(DASHBOARD, {"provider": world.provider_a.pk})
    placements(world, n=10)
    for months in range(4, 10):
        snapshot(world, "borough", world.borough_a.pk, "5", months=months)
    with CaptureQueriesContext(connection) as many:
        client.get(DASHBOARD, {"provider": world.provider_a.pk})
    assert len(many) == len(few)


# --- The consortium dashboard -----------------------------------------------------------


def test_the_consortium_admin_sees_every_borough(client, world):
    dashboard_world(world)
    response, html = page(client, world.admin, DASHBOARD)
    assert response.status_code == 200
    assert "Consortium dashboard" in html
    assert "41.7%" in html
    assert "63.9%" in html
    assert "52.8%" in html
    assert "Alpha Borough" in html
    assert "Bravo Borough" in html
    assert "BRAVO-CHILD-1" in html
    assert "ALPHA-CHILD-OUT" in html
    response = client.get(DASHBOARD, {"format": "csv", "chart": "spend-by-lot"})
    assert rows_of(response)[1] == ["Homes lot", "7", "39949.00"]
    response = client.get(DASHBOARD, {"format": "csv", "chart": "spend-by-provider"})
    assert rows_of(response)[1:] == [
        ["Alpha Care", "5", "32005.00"],
        ["Bravo Care", "2", "7944.00"],
    ]
    # Each placement is named with its borough and provider.
    response = client.get(DASHBOARD, {"format": "csv", "chart": "fee-against-need"})
    header, *rows = rows_of(response)
    assert header[2:4] == ["Borough", "Provider"]
    bravo = next(row for row in rows if row[1] == "BRAVO-CHILD-1")
    assert bravo[2:] == ["Bravo Borough", "Bravo Care", "12", "4444.00", "No"]


# --- Provider performance ---------------------------------------------------------------


def test_a_commissioner_sees_a_providers_performance_and_only_the_boroughs_plans(client, world):
    pk = performance_world(world).pk
    response, html = page(client, world.commissioner_a, f"/monitoring/providers/{pk}/performance/")
    assert response.status_code == 200
    assert "35.5%" in html
    assert "52.8%" in html
    assert "77.2" in html  # the quality score
    assert "ALPHA-PLAN" in html
    assert "BRAVO-PLAN" not in html
    assert "Alpha Care House" in html  # the visit
    csv_rows = rows_of(
        client.get(
            f"/monitoring/providers/{pk}/performance/",
            {"format": "csv", "chart": "quality-history"},
        )
    )
    assert csv_rows[1][1:] == ["77.25", "80.00", "70.00", "90.00", "60.00"]


def test_the_admin_sees_every_plan(client, world):
    pk = performance_world(world).pk
    _response, html = page(client, world.admin, f"/monitoring/providers/{pk}/performance/")
    assert "ALPHA-PLAN" in html
    assert "BRAVO-PLAN" in html


def test_a_provider_sees_its_own_performance_against_the_consortiums_but_no_boroughs(client, world):
    performance_world(world)
    response, html = page(client, world.provider_admin_a, OWN_PERFORMANCE)
    assert response.status_code == 200
    assert "35.5%" in html
    assert "52.8%" in html  # the consortium's aggregate: the benchmark
    assert "41.7%" not in html  # borough A's own figure
    _response, other = page(client, world.provider_admin_b, OWN_PERFORMANCE)
    assert "35.5%" not in other
    assert "ALPHA-PLAN" not in other


def test_providers_cannot_open_the_commissioners_performance_page(client, world):
    pk = performance_world(world).pk
    response, _html = page(
        client, world.provider_admin_a, f"/monitoring/providers/{pk}/performance/"
    )
    assert response.status_code == 403


def test_a_provider_not_enrolled_sees_a_message(client, world):
    response, html = page(client, world.provider_admin_b, OWN_PERFORMANCE)
    assert response.status_code == 200
    assert "not enrolled" in html


def test_an_unknown_provider_is_not_found(client, world):
    response, _html = page(
        client, world.commissioner_a, "/monitoring/providers/999999/performance/"
    )
    assert response.status_code == 404


# --- Market position --------------------------------------------------------------------


def test_the_market_position_shows_needs_against_capacity(client, world):
    market_world(world)
    response, html = page(client, world.commissioner_a, MARKET)
    assert response.status_code == 200
    assert "Bravo Borough" not in html
    client.force_login(world.commissioner_a)
    needs = rows_of(client.get(MARKET, {"format": "csv", "chart": "market-needs"}))
    assert needs[1][:4] == ["Homes lot", "Alpha Borough", "1", "3"]
    assert needs[1][4:] == ["6"] * 12  # 3 from the request, 1 from each of three placements
    capacity = rows_of(client.get(MARKET, {"format": "csv", "chart": "market-capacity"}))
    assert capacity[1:] == [
        ["Homes lot", "Kent", "1", "4", "1"],
        ["Homes lot", "Surrey", "1", "4", "1"],
    ]
    gaps = rows_of(client.get(MARKET, {"format": "csv", "chart": "market-gaps"}))
    assert gaps[1] == ["Homes lot", "1", "2", "3", "8", "0"]


def test_the_admin_sees_every_boroughs_needs(client, world):
    market_world(world)
    client.force_login(world.admin)
    needs = rows_of(client.get(MARKET, {"format": "csv", "chart": "market-needs"}))
    assert [row[1] for row in needs[1:]] == ["Alpha Borough", "Bravo Borough"]


def test_a_large_scatter_lists_only_its_outliers_and_the_csv_has_every_placement(
    client, world, monkeypatch
):
    from monitoring.views import dashboards

    dashboard_world(world)
    monkeypatch.setattr(dashboards, "SCATTER_LISTED", 1)
    client.force_login(world.commissioner_a)
    csv_rows = rows_of(client.get(DASHBOARD, {"format": "csv", "chart": "fee-against-need"}))
    placements = csv_rows[1:]
    outliers = [row for row in placements if row[-1] == "Yes"]
    assert len(placements) > len(outliers) >= 1
    _response, html = page(client, world.commissioner_a, DASHBOARD)
    assert f"lists the {len(outliers)} outliers of these {len(placements)} placements" in html
    table = html.split('id="fee-against-need-heading"')[1].split("</section>")[0]
    assert table.count('<tr class="govuk-table__row"><th scope="row"') == len(outliers)
    assert 'data-chart="chart-data-fee-against-need"' in table


def test_the_provider_picker_lists_the_providers_and_marks_the_one_shown(client, world):
    dashboard_world(world)
    world.provider_b.name = "Bravo & Sons <Care>"
    world.provider_b.save()
    client.force_login(world.commissioner_a)

    html = client.get(DASHBOARD, {"provider": world.provider_b.pk}).content.decode()

    assert f'<option value="{world.provider_a.pk}">Alpha Care</option>' in html
    assert (
        f'<option value="{world.provider_b.pk}" selected>Bravo &amp; Sons &lt;Care&gt;</option>'
        in html
    )
    assert "<Care>" not in html
