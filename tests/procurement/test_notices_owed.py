"""Each event walked to the notices it owes and their due dates (procurement/notice_rules.py),
with the values worked by hand against the GBP 663,540 threshold."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from placements.models import PlacementRequest
from procurement import tasks
from procurement.models import Notice
from procurement.services.notices import notice_change_owe, notices_sync
from providers.models import Arrangement, Exclusion

from . import helpers as h

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 1)


def owed(world, today=TODAY):
    notices_sync(consortium=world.consortium, today=today)
    return sorted(
        (n.kind, n.due_on)
        for n in Notice.objects.filter(consortium=world.consortium).exclude(
            kind__in=["UK13", "UK14"]
        )
    )


def test_no_arrangement_owes_nothing(world):
    h.placement(world, "13000")
    assert notices_sync(consortium=world.consortium, today=TODAY) == []


def test_a_legacy_dps_owes_no_procurement_act_notice(world):
    h.arrangement(world, basis=Arrangement.Basis.LEGACY_DPS)
    h.placement(world, "13000")
    h.competition(world)
    assert notices_sync(consortium=world.consortium, today=TODAY) == []


def test_a_dynamic_market_owes_its_intention_and_establishment(world):
    h.arrangement(world)  # starts 2 March 2026
    notices_sync(consortium=world.consortium, today=TODAY)
    assert sorted(Notice.objects.values_list("kind", "due_on")) == [
        ("UK13", date(2026, 3, 1)),  # the day before it starts
        ("UK14", date(2026, 3, 7)),  # five days after
    ]


def test_an_above_threshold_call_off_owes_a_contract_award_and_details_notice(world):
    h.arrangement(world)
    # 13,000 x 52 weeks = 676,000: above 663,540.
    placement = h.placement(world, "13000", start=date(2026, 4, 6))
    assert owed(world) == [
        ("UK6", date(2026, 4, 6)),  # by the day the contract is entered into
        ("UK7", date(2026, 8, 4)),  # 120 days after: 24 + 31 + 30 + 31 + 4
    ]
    assert set(
        Notice.objects.filter(kind__in=["UK6", "UK7"]).values_list("placement", flat=True)
    ) == {placement.pk}


def test_a_below_threshold_call_off_owes_none(world):
    h.arrangement(world)
    # 12,760.38 x 52 = 663,539.76: below.
    h.placement(world, "12760.38")
    assert owed(world) == []


def test_with_no_planned_end_a_placement_is_valued_over_52_weeks(world):
    h.arrangement(world)
    h.placement(world, "12760.39", weeks=None)  # x 52 = 663,540.28
    assert [kind for kind, _ in owed(world)] == ["UK6", "UK7"]


def test_a_user_choice_direct_award_owes_no_notice(world):
    h.arrangement(world)
    h.placement(
        world,
        "13000",
        source="spot",
        user_choice_grounds="The young person chose to stay with the carers she knows.",
    )
    assert owed(world) == []


def test_a_placement_ended_early_owes_a_termination_notice(world):
    h.arrangement(world)
    h.placement(world, "13000", end_date=date(2026, 10, 1), status="ended")
    assert ("UK11", date(2026, 10, 31)) in owed(world)


def test_a_user_choice_placement_ended_early_owes_none(world):
    h.arrangement(world)
    h.placement(world, "13000", end_date=date(2026, 10, 1), user_choice_grounds="Chosen.")
    assert owed(world) == []


def test_a_competition_above_threshold_owes_a_tender_notice_on_publishing(world):
    h.arrangement(world)
    h.competition(world, budget="13000", weeks=52, published=date(2026, 5, 4))
    assert owed(world) == [("UK4", date(2026, 5, 4))]


def test_a_competition_below_threshold_owes_none(world):
    h.arrangement(world)
    h.competition(world, budget="12000", weeks=52)  # 624,000
    assert owed(world) == []


def test_a_competition_without_a_budget_counts_as_above(world):
    h.arrangement(world)
    h.competition(world, budget=None)
    assert [kind for kind, _ in owed(world)] == ["UK4"]


def test_a_cancelled_competition_that_owed_a_tender_notice_owes_a_termination(world):
    h.arrangement(world)
    closed = datetime(2026, 5, 10, 12, 0, tzinfo=UTC)
    h.competition(world, status=PlacementRequest.Status.CANCELLED, closed_at=closed)
    assert owed(world) == [("UK12", date(2026, 6, 9)), ("UK4", date(2026, 5, 4))]


def test_a_reopening_of_an_open_framework_owes_a_tender_notice_and_its_call_offs_none(world):
    arr = h.arrangement(world, basis=Arrangement.Basis.OPEN_FRAMEWORK)
    h.opening(arr, opens_on=date(2026, 9, 1))
    h.competition(world, budget="13000")
    h.placement(world, "13000")
    assert owed(world) == [
        ("UK4", date(2026, 9, 1)),
        ("UK6", date(2026, 4, 6)),
        ("UK7", date(2026, 8, 4)),
    ]
    assert Notice.objects.get(kind="UK4").opening is not None


def test_a_modification_owes_a_modification_notice_per_new_version(world):
    arr = h.arrangement(world)
    h.conditions(arr, 1)
    h.conditions(arr, 2, in_force_from=date(2026, 6, 1))
    assert owed(world) == [("UK15", date(2026, 6, 6))]


def test_cessation_is_owed_once_the_end_date_is_reached(world):
    h.arrangement(world, ends_on=date(2027, 3, 31))
    assert owed(world, today=date(2027, 3, 30)) == []
    assert owed(world, today=date(2027, 3, 31)) == [("UK16", date(2027, 4, 5))]


def test_an_exclusion_owes_no_notice(world):
    h.arrangement(world)
    before = notices_sync(consortium=world.consortium, today=TODAY)
    Exclusion.objects.create(
        consortium=world.consortium,
        provider=world.provider_b,
        kind=Exclusion.Kind.EXCLUDED,
        ground="Sch. 6 para. 1",
        found_on=TODAY,
        reason="Convicted.",
    )
    assert len(before) == 2
    assert notices_sync(consortium=world.consortium, today=TODAY) == []


def test_a_fee_rise_on_an_above_threshold_placement_owes_a_change_notice(world):
    h.arrangement(world)
    placement = h.placement(world, "13500")
    notice = notice_change_owe(
        placement=placement,
        previous_weekly_fee=Decimal("13000"),
        new_weekly_fee=placement.weekly_fee,
        effective_date=date(2026, 7, 6),
    )
    assert (notice.kind, notice.due_on) == ("UK10", date(2026, 7, 6))
    # A fall owes none; nor a rise below the threshold.
    assert (
        notice_change_owe(
            placement=h.placement(world, "12000"),
            previous_weekly_fee=Decimal("12500"),
            new_weekly_fee=Decimal("12000"),
            effective_date=date(2026, 7, 6),
        )
        is None
    )
    assert (
        notice_change_owe(
            placement=h.placement(world, "12500"),
            previous_weekly_fee=Decimal("12000"),
            new_weekly_fee=Decimal("12500"),
            effective_date=date(2026, 7, 6),
        )
        is None
    )


def test_the_sync_is_idempotent_and_takes_few_queries(world, django_assert_max_num_queries):
    arr = h.arrangement(world)
    h.conditions(arr, 2)
    for fee in ("13000", "14000", "15000"):
        h.placement(world, fee)
    h.competition(world)
    with django_assert_max_num_queries(8):
        created = notices_sync(consortium=world.consortium, today=TODAY)
    assert len(created) == 2 + 1 + 6 + 1
    assert notices_sync(consortium=world.consortium, today=TODAY) == []


def test_saving_an_event_queues_a_sync_of_its_consortium(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(tasks.notices_sync_task, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        arr = h.arrangement(world)
        h.conditions(arr, 2)
        h.placement(world, "13000")
    assert queued
    assert set(queued) == {world.consortium.pk}
    # The task, run as the worker would, twice: the second records nothing.
    assert tasks.notices_sync_task(world.consortium.pk) > 0
    assert tasks.notices_sync_task(world.consortium.pk) == 0
