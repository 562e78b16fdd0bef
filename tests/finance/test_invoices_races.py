"""Races on PostgreSQL, with real threads and real row locks: two finance officers deciding
the same line at once make one decision; two approving every matched line at once approve
each line once. (SQLite has no row locks, so these run only against PostgreSQL.)"""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings

from dps.models import Role, StatusChange
from dps.services import DomainError
from finance.models import Invoice, InvoiceLine
from finance.services.invoices import (
    invoice_approve_matched,
    invoice_line_decide,
    invoice_submit,
)
from tests.factories import MembershipFactory, UserFactory
from tests.finance.invoice_helpers import placement_of
from tests.integration.test_placement_races import in_thread, run_all
from tests.placements.helpers import actor_of

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="row locks need PostgreSQL",
    ),
]


@pytest.fixture
def officers(world):
    second = UserFactory(email="finance2@a.test")
    MembershipFactory(user=second, organisation=world.borough_a, role=Role.FINANCE_OFFICER)
    return [actor_of(world.finance_a), actor_of(second)]


def an_invoice(world, number):
    placement = placement_of(world, f"C-{number}")
    return invoice_submit(
        actor=actor_of(world.bidder_a),
        borough=world.borough_a,
        period_start=date(2026, 3, 30),
        number=number,
        lines=[{"placement": placement, "days": 28, "amount": Decimal("2800.00")}],
    )


def test_two_finance_officers_deciding_one_line_at_once_make_one_decision(world, officers):
    for round_number in range(3):
        invoice = an_invoice(world, f"RACE-{round_number}")
        line = invoice.lines.get()
        barrier = threading.Barrier(2)

        def decide(actor, decision, line=line, barrier=barrier):
            barrier.wait()
            return invoice_line_decide(
                actor=actor, line=line, decision=decision, reason="Not this one."
            )

        results = run_all(
            [in_thread(decide, officers[0], "approve"), in_thread(decide, officers[1], "reject")]
        )

        won = [value for kind, value in results if kind == "ok"]
        lost = [value for kind, value in results if kind == "error"]
        assert len(won) == 1, results
        assert len(lost) == 1, results
        assert isinstance(lost[0], DomainError), repr(lost[0])
        assert str(lost[0]) == "This line has already been decided."
        line.refresh_from_db()
        assert line.status == won[0].status
        changes = StatusChange.objects.filter(
            object_type="finance.InvoiceLine", object_id=str(line.pk)
        )
        assert changes.count() == 1
        invoice.refresh_from_db()
        assert invoice.status == Invoice.Status.DECIDED
        assert (
            StatusChange.objects.filter(
                object_type="finance.Invoice", object_id=str(invoice.pk)
            ).count()
            == 1
        )


def test_two_approving_every_matched_line_at_once_approve_each_once(world, officers):
    invoice = an_invoice(world, "RACE-ALL")
    barrier = threading.Barrier(2)

    def approve(actor):
        barrier.wait()
        return invoice_approve_matched(actor=actor, invoice=invoice)

    results = run_all([in_thread(approve, officers[0]), in_thread(approve, officers[1])])

    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    assert InvoiceLine.objects.get(invoice=invoice).status == InvoiceLine.Status.APPROVED
    assert StatusChange.objects.filter(object_type="finance.InvoiceLine").count() == 1
