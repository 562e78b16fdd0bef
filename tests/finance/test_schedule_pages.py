"""A placement's schedule page and its API: the fee rows, the borough's billing periods with
days and amounts, for the borough's and the provider's people only."""

from datetime import date

import pytest
import time_machine

from finance.models import BillingSettings
from placements.models import Fee
from tests.factories import scheduled_placement

TODAY = date(2026, 3, 11)


@pytest.fixture
def placement(world):
    # Monday 2 March 2026 at £700 a week; from Thursday 5 March £1,400 (1:1 staffing); planned
    # end 30 April. Weekly billing from Monday 6 April 2026.
    BillingSettings.objects.create(
        borough=world.borough_a, cycle=BillingSettings.Cycle.WEEKLY, anchor=date(2026, 4, 6)
    )
    return scheduled_placement(
        borough=world.borough_a,
        provider=world.provider_a,
        start=date(2026, 3, 2),
        weekly_fee="700",
        planned_end=date(2026, 4, 30),
        changes=[(date(2026, 3, 5), "1400", Fee.Kind.ADDITIONAL_SUPPORT)],
        child_reference="SCHED-1",
    )


def get(client, user, path):
    client.force_login(user)
    return client.get(path)


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("who", ["commissioner_a", "officer_a", "finance_a", "bidder_a"])
def test_the_borough_and_the_provider_see_the_rows_and_the_periods(client, world, placement, who):
    response = get(client, getattr(world, who), f"/finance/placements/{placement.pk}/schedule/")

    text = response.content.decode()
    assert response.status_code == 200
    assert "Additional support (such as 1:1 hours)" in text
    assert "£200.00" in text  # a day at £1,400 a week
    # The first week: Monday to Wednesday at £100, Thursday to Sunday at £200.
    assert "2 Mar to 8 Mar 2026" in text
    assert "£1,100.00" in text
    # Cost to date: 2 to 10 March = 3 x £100 + 6 x £200; committed: 11 March to 30 April, 51
    # days at £200.
    assert "£1,500.00" in text
    assert "£10,200.00" in text


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("who", ["commissioner_b", "finance_b", "bidder_b", "provider_admin_b"])
def test_another_borough_or_provider_gets_not_found(client, world, placement, who):
    response = get(client, getattr(world, who), f"/finance/placements/{placement.pk}/schedule/")

    assert response.status_code == 404


def test_anonymous_users_are_sent_to_sign_in(client, world, placement):
    response = client.get(f"/finance/placements/{placement.pk}/schedule/")

    assert response.status_code == 302


@time_machine.travel(date(2026, 5, 1), tick=False)
def test_a_four_weekly_period_across_the_year_end_shows_its_split(client, world):
    # Four-weekly from Monday 1 April 2024 (the default): 30 March to 26 April 2026.
    placement = scheduled_placement(
        borough=world.borough_a,
        provider=world.provider_a,
        start=date(2026, 3, 30),
        weekly_fee="700",
        end=date(2026, 4, 26),
    )
    response = get(client, world.commissioner_a, f"/finance/placements/{placement.pk}/schedule/")

    text = response.content.decode()
    assert "30 Mar to 26 Apr 2026" in text
    assert "2025-26: 2 days, £200.00; 2026-27: 26 days, £2,600.00" in text


@time_machine.travel(TODAY, tick=False)
def test_the_placement_page_links_to_its_schedule(client, world, placement):
    for who in (world.commissioner_a, world.bidder_a):
        response = get(client, who, f"/placements/{placement.pk}/")
        assert f"/finance/placements/{placement.pk}/schedule/" in response.content.decode()


# --- The API --------------------------------------------------------------------------------


def api(client, user, path):
    client.force_login(user)
    return client.get(path, HTTP_ACCEPT="application/json")


@time_machine.travel(TODAY, tick=False)
def test_the_api_gives_the_rows_and_the_periods_in_the_range(client, world, placement):
    path = f"/api/v1/placements/{placement.pk}/schedule/?from=2026-03-02&to=2026-03-15"
    response = api(client, world.bidder_a, path)

    body = response.json()
    assert response.status_code == 200
    assert [(f["kind"], f["weekly_fee"]) for f in body["fees"]] == [
        ("agreed", "700.00"),
        ("additional_support", "1400.00"),
    ]
    assert body["periods"] == [
        {
            "start": "2026-03-02",
            "end": "2026-03-08",
            "label": "2 Mar to 8 Mar 2026",
            "days": 7,
            "amount": "1100.00",
        },
        {
            "start": "2026-03-09",
            "end": "2026-03-15",
            "label": "9 Mar to 15 Mar 2026",
            "days": 7,
            "amount": "1400.00",
        },
    ]


@time_machine.travel(TODAY, tick=False)
def test_the_api_range_defaults_to_the_start_and_the_planned_end(client, world, placement):
    body = api(client, world.commissioner_a, f"/api/v1/placements/{placement.pk}/schedule/").json()

    assert (body["range_from"], body["range_to"]) == ("2026-03-02", "2026-04-30")
    assert body["periods"][-1]["label"] == "27 Apr to 3 May 2026"
    # A planned end is not an ending: while the placement runs, each day of the period is owed.
    assert body["periods"][-1]["days"] == 7


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-13-01", "from"),
        ("to=yesterday", "to"),
        ("from=2026-03-10&to=2026-03-01", "to"),
        ("from=2020-01-01&to=2026-03-01", "to"),
    ],
)
def test_the_api_refuses_bad_dates_with_field_errors(client, world, placement, query, field):
    path = f"/api/v1/placements/{placement.pk}/schedule/?{query}"
    response = api(client, world.commissioner_a, path)

    assert response.status_code == 400
    assert field in str(response.json())


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("who", ["commissioner_b", "bidder_b"])
def test_the_api_gives_another_tenant_not_found(client, world, placement, who):
    response = api(client, getattr(world, who), f"/api/v1/placements/{placement.pk}/schedule/")

    assert response.status_code == 404


def test_the_api_refuses_anonymous_callers(client, world, placement):
    response = client.get(f"/api/v1/placements/{placement.pk}/schedule/")

    assert response.status_code in (401, 403)
