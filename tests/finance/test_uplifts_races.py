"""Two deciders of one uplift request at once (PostgreSQL: real threads, real row locks): one
decision is made, the other is told the request is decided, and the fees follow the one."""

import threading
from datetime import date

import pytest
import time_machine
from django.db import connection, connections

from dps.models import Role
from dps.services import DomainError
from finance.models import UpliftRequest
from finance.services.uplifts import uplift_decide, uplift_request_submit
from placements.models import Fee
from tests.conftest import person
from tests.finance.uplift_helpers import a_lot, a_round, a_service, actor_of, placements_at

pytestmark = pytest.mark.django_db(transaction=True)


def in_thread(target, *args):
    box = {}

    def run():
        try:
            box["result"] = ("ok", target(*args))
        except DomainError as exc:
            box["result"] = ("refused", exc.message)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.box = box
    return thread


def test_two_deciders_at_once_make_one_decision(world):
    if connection.vendor != "postgresql":
        pytest.skip("Row locks need PostgreSQL.")
    with time_machine.travel(date(2026, 3, 2), tick=False):
        lot = a_lot(world)
        round_ = a_round(world, [lot], effective=date(2026, 4, 6))
        service = a_service(world.provider_a, "Oak House")
        placements_at(
            world,
            provider=world.provider_a,
            borough=world.borough_a,
            lot=lot,
            service=service,
            count=3,
        )
        [request] = uplift_request_submit(
            actor=actor_of(world.bidder_a), round=round_, reason="Pay.", services=[service]
        ).requests
        second = person("commissioner2@a.test", world.borough_a, Role.COMMISSIONER)
        barrier = threading.Barrier(2)

        def decide(user, decision, reason):
            actor = actor_of(user)
            barrier.wait()
            return uplift_decide(actor=actor, request=request, decision=decision, reason=reason)

        threads = [
            in_thread(decide, world.commissioner_a, "agree", ""),
            in_thread(decide, second, "refuse", "No budget."),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        results = [thread.box["result"] for thread in threads]

    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["ok", "refused"]
    assert [m for kind, m in results if kind == "refused"] == [
        "This request has already been decided."
    ]
    request.refresh_from_db()
    uplifts = Fee.objects.filter(kind=Fee.Kind.UPLIFT).count()
    if request.status == UpliftRequest.Status.AGREED:
        assert uplifts == 3
    else:
        assert request.status == UpliftRequest.Status.REFUSED
        assert uplifts == 0
