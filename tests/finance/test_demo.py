"""The demo's money: every borough's billing settings; invoices in every state (paid, approved
and exported, a line queried, a line rejected, lines awaiting decisions), made through the
services; the uplift round with a request agreed, one awaiting and one refused; and seeding
again changes nothing."""

import io

import pytest
from django.core.management import call_command

from dps.models import Organisation
from finance.models import (
    BillingSettings,
    FinanceExport,
    Invoice,
    InvoiceLine,
    Remittance,
    UpliftRequest,
    UpliftRound,
)
from placements.models import Fee
from placements.selectors.schedule import schedules_of

pytestmark = pytest.mark.usefixtures("demo")


def test_every_borough_has_its_billing_settings(db):
    boroughs = Organisation.objects.filter(kind=Organisation.Kind.BOROUGH)
    assert BillingSettings.objects.filter(borough__in=boroughs).count() == boroughs.count()


def test_the_demo_has_invoices_in_every_state(db):
    assert set(Invoice.objects.values_list("status", flat=True)) == set(Invoice.Status.values)
    assert set(InvoiceLine.objects.values_list("status", flat=True)) == set(
        InvoiceLine.Status.values
    )
    assert {"matched", "over", "not_running"} <= set(
        InvoiceLine.objects.values_list("match", flat=True)
    )
    assert FinanceExport.objects.exists()
    assert Remittance.objects.count() == Invoice.objects.filter(status="paid").count()


def test_matched_lines_owe_what_the_schedule_says(db):
    lines = list(InvoiceLine.objects.filter(match="matched").select_related("invoice"))
    schedules = schedules_of({line.placement for line in lines})
    for line in lines:
        owed = schedules[line.placement_id].owed(line.invoice.period_start, line.invoice.period_end)
        assert (line.days, line.amount) == owed


def test_the_uplift_round_has_requests_agreed_awaiting_and_refused(db):
    assert UpliftRound.objects.count() == 1
    assert set(UpliftRequest.objects.values_list("status", flat=True)) == {
        "agreed",
        "requested",
        "refused",
    }
    agreed = UpliftRequest.objects.get(status="agreed")
    # Each agreed line is a dated uplift row on its placement.
    assert agreed.lines.count() == Fee.objects.filter(kind=Fee.Kind.UPLIFT).count() > 0


def test_seeding_again_changes_nothing(db):
    before = (Invoice.objects.count(), InvoiceLine.objects.count(), UpliftRequest.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    after = (Invoice.objects.count(), InvoiceLine.objects.count(), UpliftRequest.objects.count())
    assert after == before
