"""The market position statement by local authority: where the children come from (the council
of their home), how many of those placed live more than 20 miles away, the placements made in
each council's area, and the capacity there. Councils from the hand-worked directory slice
(tests/geography/directory.py): borough A is Islington, borough B Newham."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from placements.models import Placement, PlacementRequest
from providers.models import Service
from tests.factories import EnrolmentFactory, LotFactory, ServiceFactory
from tests.monitoring.test_dashboards import rows_of

pytestmark = pytest.mark.usefixtures("directory")
MARKET = "/monitoring/market/"
ISLINGTON, NEWHAM, LAMBETH, MEDWAY = "E09000019", "E09000025", "E09000022", "E06000035"
Status = PlacementRequest.Status


def request(borough, status=Status.OPEN, **home):
    return PlacementRequest.objects.create(borough=borough, status=status, **home)


def placed(borough, provider, council, miles, *, status=Placement.Status.STARTED, **home):
    made = request(borough, Status.PLACED, **home) if home else None
    return Placement.objects.create(
        request=made,
        borough=borough,
        provider=provider,
        weekly_fee=Decimal("3000"),
        start_date="2024-01-01",
        status=status,
        council=council,
        distance_miles=None if miles is None else Decimal(miles),
        outside_boundary=None if not council else council != borough.la_code,
    )


@pytest.fixture
def market(world):
    a, b = world.borough_a, world.borough_b
    a.la_code, b.la_code = ISLINGTON, NEWHAM
    a.save()
    b.save()
    # Open requests of borough A: two homes in Islington (N19, and one not shared), one in
    # Medway (ME2). A request already placed is not waiting.
    request(a, home_district="N19")
    request(a, home_location="borough")
    request(a, home_district="ME2")
    # Borough A's current placements: from N19 to Lambeth (4.4 miles) and to Medway (29.0
    # miles); a spot purchase with no request (home: the borough's own area), distance
    # unknown. An ended placement is not current.
    placed(a, world.provider_a, LAMBETH, "4.4", home_district="N19")
    placed(a, world.provider_a, MEDWAY, "29.0", home_district="N19")
    placed(a, world.provider_b, "", None)
    placed(a, world.provider_a, MEDWAY, "29.0", status=Placement.Status.ENDED, home_district="N19")
    # Borough B's: a home not shared (Newham) placed in Islington, 3.0 miles.
    placed(b, world.provider_a, ISLINGTON, "3.0", home_location="borough")
    # Capacity: provider A is enrolled, with a service in Medway and one in Islington; its
    # inactive service, and provider B's (not enrolled), do not count.
    EnrolmentFactory(provider=world.provider_a, lot=LotFactory(consortium=world.consortium))
    ServiceFactory(provider=world.provider_a, council=MEDWAY, registered_places=4, vacancies=1)
    ServiceFactory(provider=world.provider_a, council=ISLINGTON, registered_places=2)
    ServiceFactory(provider=world.provider_a, council=ISLINGTON, is_active=False)
    ServiceFactory(provider=world.provider_b, council=ISLINGTON, registered_places=9)
    assert Service.objects.count() == 4


def councils(client, user):
    client.force_login(user)
    return rows_of(client.get(MARKET, {"format": "csv", "chart": "market-councils"}))


def test_a_commissioner_sees_demand_and_capacity_by_local_authority(client, world, market):
    header, *rows = councils(client, world.commissioner_a)
    assert header[:5] == [
        "Local authority",
        "Open requests (home here)",
        "Current placements (home here)",
        "Of these, more than 20 miles from home",
        "Share more than 20 miles from home (%)",
    ]
    assert rows == [
        # 2 waiting; 3 placed (two from N19, the spot purchase), 1 of them over 20 miles
        # (33.3%), 1 at a distance unknown; none placed here by borough A; 1 active service
        # of 2 places, no vacancy.
        ["Islington", "2", "3", "1", "33.3", "1", "0", "1", "2", "0"],
        ["Lambeth", "0", "0", "0", "", "0", "1", "0", "0", "0"],
        ["Medway", "1", "0", "0", "", "0", "1", "1", "4", "1"],
    ]
    html = client.get(MARKET).content.decode()
    assert "Demand and capacity by local authority" in html
    assert "Newham" not in html  # borough B's children


def test_the_admin_sees_every_boroughs_children(client, world, market):
    rows = {row[0]: row[1:] for row in councils(client, world.admin)[1:]}
    assert rows["Islington"][5] == "1"  # borough B's placement made in Islington
    assert rows["Newham"] == ["0", "1", "0", "0.0", "0", "0", "0", "0", "0"]


def test_borough_b_sees_its_own_children_only(client, world, market):
    rows = {row[0]: row[1:] for row in councils(client, world.commissioner_b)[1:]}
    assert rows["Newham"][:2] == ["0", "1"]
    assert rows["Islington"][:3] == ["0", "0", "0"]  # borough A's children are not shown
    assert "Lambeth" not in rows


@pytest.mark.parametrize("persona", ["officer_a", "provider_admin_a", "bidder_a"])
def test_others_are_refused_the_table(client, world, market, persona):
    client.force_login(getattr(world, persona))
    response = client.get(MARKET, {"format": "csv", "chart": "market-councils"})
    assert response.status_code == 403


def test_an_anonymous_user_is_sent_to_sign_in(client, world, market):
    response = client.get(MARKET, {"format": "csv", "chart": "market-councils"})
    assert response.status_code == 302


def test_the_table_takes_the_same_queries_for_more_councils(client, world, market):
    client.force_login(world.commissioner_a)
    client.get(MARKET, {"format": "csv", "chart": "market-councils"})
    with CaptureQueriesContext(connection) as few:
        client.get(MARKET, {"format": "csv", "chart": "market-councils"})
    for council in (LAMBETH, NEWHAM, "E09000013"):
        ServiceFactory(provider=world.provider_a, council=council)
        placed(world.borough_a, world.provider_a, council, "8.0", home_district="SE1")
    with CaptureQueriesContext(connection) as many:
        client.get(MARKET, {"format": "csv", "chart": "market-councils"})
    assert len(many) == len(few)
