"""Distance from home on the dashboards: the figures (snapshots, with their RAG), and the chart
of placements made through the DPS by distance band, with its table and CSV; on the provider
performance page, the provider's own placements by band. Each actor sees only what is theirs.

Hand-worked placements, all made through the DPS in the latest complete return year:
borough A with provider A: 0.7 and 4.4 miles (up to 5), 29.0 (over 20, up to 50), 132.0
(over 100), one terminated postcode (unknown); with provider B: 12.0 (over 10, up to 20);
borough B with provider A: 60.0 (over 50, up to 100)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from monitoring.kpis.periods import return_year
from placements.models import Placement
from tests.factories import EnrolmentFactory, LotFactory
from tests.monitoring.test_dashboards import latest_complete_year, page, rows_of, year_snapshot

pytestmark = pytest.mark.django_db
DASHBOARD = "/monitoring/dashboard/"
OWN_PERFORMANCE = "/monitoring/performance/"
BANDS = [
    "Up to 5 miles",
    "Over 5, up to 10 miles",
    "Over 10, up to 20 miles",
    "Over 20, up to 50 miles",
    "Over 50, up to 100 miles",
    "Over 100 miles",
    "Distance unknown",
]


def dps(world, borough, provider, miles, *, unknown="", began=None, source="dps"):
    began = began or return_year(latest_complete_year()).start + timedelta(days=40)
    return Placement.objects.create(
        borough=borough,
        provider=provider,
        source=source,
        weekly_fee=Decimal("3000"),
        start_date=began,
        actual_start_date=began,
        status=Placement.Status.STARTED,
        distance_miles=None if miles is None else Decimal(miles),
        distance_unknown=unknown,
        outside_boundary=None if miles is None else Decimal(miles) > 4,
    )


@pytest.fixture
def distances(world):
    a, b = world.borough_a, world.borough_b
    for miles in ("0.7", "4.4", "29.0", "132.0"):
        dps(world, a, world.provider_a, miles)
    dps(world, a, world.provider_a, None, unknown="terminated")
    dps(world, a, world.provider_b, "12.0")
    dps(world, b, world.provider_a, "60.0")
    # Not counted: a spot purchase, and a placement that began the year before.
    dps(world, a, world.provider_a, "300", source="spot")
    before = return_year(latest_complete_year()).start - timedelta(days=10)
    dps(world, a, world.provider_a, "300", began=before)
    EnrolmentFactory(provider=world.provider_a, lot=LotFactory(consortium=world.consortium))


def bands_csv(client, url, **query):
    return rows_of(client.get(url, {"format": "csv", "chart": "distance-bands", **query}))


def test_a_commissioner_sees_the_boroughs_placements_by_distance_band(client, world, distances):
    response, html = page(client, world.commissioner_a, DASHBOARD)
    assert response.status_code == 200
    assert 'id="distance"' in html
    assert 'data-chart="chart-data-distance-bands"' in html
    assert "Distance from home: placements made through the DPS" in html
    header, *rows = bands_csv(client, DASHBOARD)
    assert header == ["Distance from home", "Placements", "Share (%)"]
    # Borough A's 6: 2 up to 5 (33.3%), 1 each elsewhere (16.7%), none over 50 up to 100.
    assert rows == [
        [BANDS[0], "2", "33.3"],
        [BANDS[1], "0", "0.0"],
        [BANDS[2], "1", "16.7"],
        [BANDS[3], "1", "16.7"],
        [BANDS[4], "0", "0.0"],
        [BANDS[5], "1", "16.7"],
        [BANDS[6], "1", "16.7"],
    ]


def test_the_band_chart_narrows_to_a_provider(client, world, distances):
    client.force_login(world.commissioner_a)
    rows = bands_csv(client, DASHBOARD, provider=world.provider_b.pk)[1:]
    assert [row[1] for row in rows] == ["0", "0", "1", "0", "0", "0", "0"]


def test_the_consortium_admin_sees_every_boroughs_placements_by_band(client, world, distances):
    client.force_login(world.admin)
    rows = bands_csv(client, DASHBOARD)[1:]
    # Borough B's 60.0 miles too: 7 placements.
    assert [row[1] for row in rows] == ["2", "0", "1", "1", "1", "1", "1"]


def test_a_quarter_without_placements_says_so(client, world, distances):
    client.force_login(world.commissioner_a)
    # Every placement began in May: none in January to March.
    html = client.get(DASHBOARD, {"period": 4}).content.decode()
    assert "No placement made through the DPS began in this period." in html


def test_the_distance_figures_show_with_their_rag(client, world, distances):
    year = latest_complete_year()
    snap = year_snapshot(
        world, "borough", world.borough_a.pk, "16.6667", year, "dps_outside_over_20"
    )
    snap.rag = "red"
    snap.save()
    year_snapshot(
        world, "borough", world.borough_a.pk, "25", latest_complete_year(), "new_distance_unknown"
    )
    _response, html = page(client, world.commissioner_a, DASHBOARD)
    assert "Placed outside the boundary and more than 20 miles from home (DPS)" in html
    assert "16.7%" in html
    assert "govuk-tag--red" in html
    assert "New placements with distance from home unknown" in html
    assert "25.0%" in html
    figures = rows_of(client.get(DASHBOARD, {"format": "csv", "chart": "distance-figures"}))
    headline = next(r for r in figures if r[0].startswith("Placed outside the boundary and"))
    assert headline[1:5] == ["percent", "16.7", headline[3], "red"]
    dfe = rows_of(client.get(DASHBOARD, {"format": "csv", "chart": "dfe-distance-figures"}))
    assert [r[2] for r in dfe if r[0] == "New placements with distance from home unknown"] == [
        "25.0"
    ]


def test_the_provider_performance_page_shows_its_placements_by_band(client, world, distances):
    url = f"/monitoring/providers/{world.provider_a.pk}/performance/"
    response, html = page(client, world.commissioner_a, url)
    assert response.status_code == 200
    assert "Placed more than 20 miles from home (DPS)" in html  # its KPI rows
    # Provider A's placements of both boroughs (no borough named): 0.7, 4.4, 29.0, 132.0,
    # unknown, and borough B's 60.0.
    rows = bands_csv(client, url)[1:]
    assert [row[1] for row in rows] == ["2", "0", "0", "1", "1", "1", "1"]


def test_a_provider_sees_its_own_placements_by_band_only(client, world, distances):
    response, _html = page(client, world.provider_admin_a, OWN_PERFORMANCE)
    assert response.status_code == 200
    rows = bands_csv(client, OWN_PERFORMANCE)[1:]
    assert [row[1] for row in rows] == ["2", "0", "0", "1", "1", "1", "1"]
    # Provider B is not enrolled: no figures of anyone's.
    _response, other = page(client, world.provider_admin_b, OWN_PERFORMANCE)
    assert "distance-bands" not in other


@pytest.mark.parametrize("persona", ["officer_a", "provider_admin_b", "bidder_a"])
def test_others_are_refused_the_providers_distance_chart(client, world, distances, persona):
    client.force_login(getattr(world, persona))
    url = f"/monitoring/providers/{world.provider_a.pk}/performance/"
    response = client.get(url, {"format": "csv", "chart": "distance-bands"})
    assert response.status_code in (403, 404)


def test_an_anonymous_user_is_sent_to_sign_in(client, world, distances):
    response = client.get(DASHBOARD, {"format": "csv", "chart": "distance-bands"})
    assert response.status_code == 302


def episode(world, reference, *, ls="C2", place="U4", reason="not_given"):
    from monitoring.models import CareEpisode
    from placements.models import Child

    child = Child.objects.create(borough=world.borough_a, reference=reference)
    decom = return_year(latest_complete_year()).start + timedelta(days=50)
    return CareEpisode.objects.create(
        borough=world.borough_a,
        child=child,
        decom=decom,
        rne="S",
        ls=ls,
        place=place,
        distance_unknown=reason,
        year_ending=latest_complete_year(),
        ends=return_year(latest_complete_year()).end,
    )


def test_the_dashboard_says_why_distances_are_unknown(client, world, distances):
    episode(world, "E1")
    episode(world, "E2", reason="terminated")
    episode(world, "E3", ls="V3")  # a short break: left out
    client.force_login(world.commissioner_a)
    rows = rows_of(client.get(DASHBOARD, {"format": "csv", "chart": "distance-unknown"}))
    assert rows == [
        ["Reason", "Placements made through the DPS", "SSDA903 episodes (new carer)"],
        ["No postcode recorded", "0", "1"],
        ["Postcode no longer in use (terminated)", "1", "1"],
    ]
    # Narrowed to a provider, the episodes (which name none) are not counted.
    rows = rows_of(
        client.get(
            DASHBOARD,
            {"format": "csv", "chart": "distance-unknown", "provider": world.provider_a.pk},
        )
    )
    assert rows[1:] == [["Postcode no longer in use (terminated)", "1", "–"]]
    # Borough B has none of borough A's.
    client.force_login(world.commissioner_b)
    rows = rows_of(client.get(DASHBOARD, {"format": "csv", "chart": "distance-unknown"}))
    assert rows[1:] == []
