"""Races on PostgreSQL, with real threads and real row locks: bidders saving right around the
deadline while the closing task runs, two workers closing at once, two officers awarding at
once. (SQLite has no row locks, so these run only with the integration services.)"""

import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connections
from django.utils import timezone

from dps.models import OutboundEmail, Role
from dps.services import DomainError
from placements.models import Bid, Placement, PlacementRequest, RequestTransition
from placements.services import award as award_services
from placements.services import bids as bid_services
from placements.services import closing
from placements.services import requests as request_services
from providers.needs import INDICATOR_CODES
from tests.factories import (
    EnrolmentFactory,
    MembershipFactory,
    ProviderFactory,
    ServiceFactory,
    UserFactory,
)
from tests.placements import helpers
from tests.placements.helpers import actor_of

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
Status = PlacementRequest.Status
DEADLINE_PASSED = "The deadline for bids passed at"


def in_thread(target, *args):
    """Run target(*args) in a thread with its own database connection, closed at the end; the
    result is ("ok", value) or ("error", exception)."""
    box = {}

    def run():
        try:
            box["result"] = ("ok", target(*args))
        except Exception as exc:
            box["result"] = ("error", exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.box = box
    return thread


def run_all(threads, timeout=60):
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        assert not thread.is_alive(), "a thread did not finish"
    return [thread.box["result"] for thread in threads]


def more_bidders(lot, count):
    """`count` more providers enrolled on the lot, each with a fitting home and a bidder."""
    made = []
    for number in range(count):
        provider = ProviderFactory(slug=f"racer-{number}", name=f"Racer {number}")
        EnrolmentFactory(provider=provider, lot=lot)
        service = ServiceFactory(
            provider=provider,
            name=f"Racer House {number}",
            age_min=8,
            age_max=17,
            vacancies=1,
            needs_met=dict.fromkeys(INDICATOR_CODES, 3),
            local_authority="Northbridge",
        )
        user = UserFactory(email=f"bidder@racer-{number}.test")
        MembershipFactory(user=user, organisation=provider, role=Role.BIDDER)
        made.append((user, service))
    return made


def prepared_bid(placement_request, user, service, fee):
    """Everything a bid_save call needs, read before the race so the call itself is lean."""
    actor = actor_of(user)
    return {
        "actor": actor,
        "invitation": helpers.invitation(placement_request, actor.organisation),
        "service": service,
        "core_weekly_fee": Decimal(fee),
        "start_date": timezone.localdate() + timedelta(days=14),
        "needs_met": dict.fromkeys(INDICATOR_CODES, "We can."),
    }


def bid_at(moment, fields):
    """Wait for `moment` (epoch seconds), then save the bid. Returns (when the call started,
    ("saved", bid id) or ("refused", message))."""
    time.sleep(max(0.0, moment - time.time()))
    started = timezone.now()
    try:
        bid = bid_services.bid_save(**fields)
    except DomainError as exc:
        return started, ("refused", str(exc))
    return started, ("saved", bid.pk)


def close_repeatedly(until):
    """A worker running the closing task again and again until `until` (epoch seconds)."""
    closed = 0
    while time.time() < until:
        closed += closing.requests_close_due()
        time.sleep(0.01)
    return closed


def race(world, offsets, *, lead=2.0):
    """Publish a request whose deadline is `lead` seconds away; one bidder per offset bids at
    deadline + offset while two workers run the closing task until well after the grace.
    Returns the request, the deadline and each bidder's (start, outcome)."""
    lot, services = helpers.market(world)
    bidders = [(world.bidder_a, services["a"]), (world.bidder_b, services["b"])]
    bidders += more_bidders(lot, len(offsets) - len(bidders))
    placement_request = helpers.published(world, lot)
    calls = [
        prepared_bid(placement_request, user, service, 2000 + 10 * number)
        for number, (user, service) in enumerate(bidders)
    ]
    deadline = timezone.now() + timedelta(seconds=lead)
    PlacementRequest.objects.filter(pk=placement_request.pk).update(bid_deadline=deadline)
    placement_request.refresh_from_db()
    at = deadline.timestamp()
    until = at + settings.CLOSE_GRACE_SECONDS + 1.5
    threads = [
        in_thread(bid_at, at + offset, fields)
        for offset, fields in zip(offsets, calls, strict=True)
    ]
    workers = [in_thread(close_repeatedly, until) for _ in range(2)]

    results = run_all(threads + workers)

    bid_results, worker_results = results[: len(threads)], results[len(threads) :]
    for kind, value in results:
        assert kind == "ok", f"unexpected error: {value!r}"
    assert sum(closed for _, closed in worker_results) == 1, "closed exactly once"
    placement_request.refresh_from_db()
    return placement_request, deadline, [value for _, value in bid_results]


def check_consistent(placement_request, deadline, outcomes):
    """Whatever the timing: nothing failed but for the deadline; every saved bid is evaluated;
    every bid started at or after the deadline was refused; the request closed once."""
    assert placement_request.status == Status.CLOSED
    evaluation = placement_request.evaluation
    saved = {value for _, (kind, value) in outcomes if kind == "saved"}
    for started, (kind, value) in outcomes:
        if kind == "refused":
            assert value.startswith(DEADLINE_PASSED), value
        if started >= deadline:
            assert kind == "refused", f"a bid started {started - deadline} after the deadline"
    bids = Bid.objects.filter(request=placement_request)
    assert set(bids.values_list("pk", flat=True)) == saved, "a refused call left a bid behind"
    for bid in bids:
        assert bid.status == Bid.Status.SUBMITTED
        assert bid.rank is not None, "a saved bid was not evaluated"
        assert bid.submitted_at < deadline <= placement_request.closed_at
        assert str(bid.pk) in evaluation.inputs
    assert evaluation.valid_bids == len(saved)
    assert sorted(bids.values_list("rank", flat=True)) == list(range(1, len(saved) + 1))
    closes = RequestTransition.objects.filter(request=placement_request, to_status=Status.CLOSED)
    assert closes.count() == 1
    assert OutboundEmail.objects.filter(subject__contains="bids are open to read").count() == 1
    return saved


def test_every_bid_started_before_the_deadline_is_saved_and_evaluated_and_none_after(world):
    # Seconds from the deadline at which each of sixteen bidders sends its bid.
    offsets = [
        -0.9,
        -0.7,
        -0.5,
        -0.4,
        -0.3,
        -0.25,
        -0.2,
        -0.05,
        -0.01,
        0.0,
        0.01,
        0.05,
        0.2,
        0.4,
        0.7,
        1.0,
    ]

    placement_request, deadline, outcomes = race(world, offsets)

    saved = check_consistent(placement_request, deadline, outcomes)
    # The grace the task waits after the deadline lets every bid made in time finish saving:
    # every call started clearly before the deadline (allowing for thread scheduling) is saved.
    margin = timedelta(milliseconds=150)
    for started, (kind, value) in outcomes:
        if started < deadline - margin:
            assert kind == "saved", f"a bid started {deadline - started} before was {value!r}"
    assert 7 <= len(saved) <= 9
    assert sum(kind == "refused" for _, (kind, _) in outcomes) >= 7


def test_with_no_grace_the_task_and_the_bids_still_never_disagree(world, settings):
    # The task closes the request the moment its deadline passes, racing the last bids for the
    # request's row. A bid either commits before the close (and is evaluated) or is refused.
    settings.CLOSE_GRACE_SECONDS = 0
    offsets = [
        -0.3,
        -0.1,
        -0.05,
        -0.03,
        -0.02,
        -0.01,
        -0.005,
        -0.002,
        0.0,
        0.002,
        0.005,
        0.01,
        0.02,
        0.05,
        0.1,
        0.3,
    ]

    placement_request, deadline, outcomes = race(world, offsets)

    check_consistent(placement_request, deadline, outcomes)


def test_bids_hold_the_request_shared_yet_one_provider_saves_one_at_a_time(world):
    # Bids hold the request's lock shared: six providers save at once, one of them twice, while
    # the officer changes the terms (which takes the lock exclusively). Nothing deadlocks or
    # fails, and the provider that sent two still has one bid.
    lot, _ = helpers.market(world)
    bidders = more_bidders(lot, 5)
    placement_request = helpers.published(world, lot)
    calls = [prepared_bid(placement_request, user, service, 2000) for user, service in bidders]
    calls.append({**calls[0], "core_weekly_fee": Decimal(2100)})
    barrier = threading.Barrier(len(calls) + 1)

    def save(fields):
        barrier.wait()
        return bid_services.bid_save(**fields).pk

    def change_terms():
        barrier.wait()
        return request_services.request_update(
            actor=actor_of(world.officer_a),
            placement_request=placement_request,
            duration_weeks=26,
        ).terms_version

    results = run_all([in_thread(save, fields) for fields in calls] + [in_thread(change_terms)])

    assert all(kind == "ok" for kind, _ in results), results
    first, twice = results[0][1], results[-2][1]
    assert first == twice
    bids = Bid.objects.filter(request=placement_request)
    assert bids.count() == 5
    assert bids.get(pk=first).core_weekly_fee in {Decimal(2000), Decimal(2100)}


def test_two_workers_closing_at_once_close_each_request_once(world):
    lot, services = helpers.market(world)
    requests = []
    for number in range(6):
        placement_request = helpers.published(world, lot, reference=f"RACE-{number}")
        helpers.bid(placement_request, world.bidder_a, services["a"], "3000")
        helpers.bid(placement_request, world.bidder_b, services["b"], "2500")
        requests.append(placement_request)
    past = timezone.now() - timedelta(minutes=1)
    PlacementRequest.objects.filter(pk__in=[r.pk for r in requests]).update(bid_deadline=past)
    barrier = threading.Barrier(4)

    def worker(close):
        barrier.wait()
        return close()

    results = run_all(
        [in_thread(worker, closing.requests_close_due) for _ in range(2)]
        + [in_thread(worker, lambda: closing.request_close(requests[0].pk)) for _ in range(2)]
    )

    assert all(kind == "ok" for kind, _ in results), results
    closed = [value for _, value in results]
    # Six requests, each closed by exactly one of the four calls.
    assert sum(closed[:2]) + sum(closed[2:]) == 6
    for placement_request in requests:
        placement_request.refresh_from_db()
        assert placement_request.status == Status.CLOSED
        assert (
            RequestTransition.objects.filter(
                request=placement_request, to_status=Status.CLOSED
            ).count()
            == 1
        )
        ranks = Bid.objects.filter(request=placement_request).values_list("rank", flat=True)
        assert sorted(ranks) == [1, 2]
    assert OutboundEmail.objects.filter(subject__contains="bids are open to read").count() == 6


def test_two_officers_awarding_different_bids_at_once_make_one_placement(world):
    lot, services = helpers.market(world)
    second_officer = UserFactory(email="officer2@a.test")
    MembershipFactory(
        user=second_officer, organisation=world.borough_a, role=Role.PLACEMENT_OFFICER
    )
    for round_number in range(3):
        placement_request = helpers.published(world, lot, reference=f"AWARD-{round_number}")
        helpers.bid(placement_request, world.bidder_a, services["a"], "3000")
        helpers.bid(placement_request, world.bidder_b, services["b"], "2500")
        deadline = placement_request.bid_deadline
        assert closing.request_close(placement_request.pk, now=deadline + timedelta(seconds=10))
        request_services.request_shortlist_confirm(
            actor=actor_of(world.officer_a), placement_request=placement_request
        )
        top = Bid.objects.get(request=placement_request, rank=1)
        second = Bid.objects.get(request=placement_request, rank=2)
        officers = [actor_of(world.officer_a), actor_of(second_officer)]
        barrier = threading.Barrier(2)

        def award(actor, bid, reason, placement_request=placement_request, barrier=barrier):
            barrier.wait()
            return award_services.award(
                actor=actor, placement_request=placement_request, bid=bid, reason=reason
            )

        results = run_all(
            [
                in_thread(award, officers[0], top, ""),
                in_thread(award, officers[1], second, "Nearer her school."),
            ]
        )

        won = [value for kind, value in results if kind == "ok"]
        lost = [value for kind, value in results if kind == "error"]
        assert len(won) == 1, results
        assert len(lost) == 1, results
        assert isinstance(lost[0], DomainError), repr(lost[0])
        assert "already been awarded" in str(lost[0])
        placements = Placement.objects.filter(request=placement_request)
        assert placements.count() == 1
        assert placements.get().pk == won[0].pk
        placement_request.refresh_from_db()
        assert placement_request.status == Status.AWARDED
        assert (
            RequestTransition.objects.filter(
                request=placement_request, to_status=Status.AWARDED
            ).count()
            == 1
        )
