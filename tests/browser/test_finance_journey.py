"""Money in a real browser: a provider uploads its invoice for the last billing period as a CSV
(one line asks GBP 100 more than the schedule); the borough's finance officer queries that line
and approves the rest, and exports them for the council's finance system; the provider sees the
line queried with the reason; and the dashboard's spend is the schedule's, a fee change within
the year apportioned by days."""

import csv
import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from dps.formatting import figure_display
from dps.periods import YEAR, period_containing
from finance.models import FinanceExport, InvoiceLine
from finance.selectors.billing import billing_settings, recent_periods
from monitoring import tasks
from monitoring.kpis import KPIS
from monitoring.services import kpis
from placements.models import Fee
from placements.selectors.schedule import schedules_of
from providers.models import Lot
from tests.factories import scheduled_placement

pytestmark = pytest.mark.browser
REASON = "Send the breakdown of the extra staffing hours."


@pytest.fixture
def placements(world):
    """Two of provider A's placements with borough A, begun 100 days ago; one has its fee raised
    in the middle of the last billing period."""
    today = timezone.localdate()
    period = recent_periods(billing_settings(world.borough_a), today)[1]
    lot = Lot.objects.create(consortium=world.consortium, name="Residential children's homes")
    start = today - timedelta(days=100)
    steady = scheduled_placement(
        borough=world.borough_a,
        provider=world.provider_a,
        start=start,
        weekly_fee="3500",
        lot=lot,
        child_reference="AB-0001",
    )
    raised = scheduled_placement(
        borough=world.borough_a,
        provider=world.provider_a,
        start=start,
        weekly_fee="4200",
        changes=[(period.start + timedelta(days=10), "4900", Fee.Kind.ADDITIONAL_SUPPORT)],
        lot=lot,
        child_reference="AB-0002",
    )
    return period, [steady, raised]


def invoice_csv(path, period, placements):
    """The provider's CSV, as its finance system writes it: the steady placement as owed, the
    raised one GBP 100 over."""
    schedules = schedules_of(placements)
    steady, raised = (schedules[p.pk].owed(period.start, period.end) for p in placements)
    path.write_text(
        "\ufeffPlacement,Days,Amount\r\n"
        f'{placements[0].pk},{steady[0]},"£{steady[1]:,}"\r\n'
        f'{placements[1].pk},{raised[0]},"£{raised[1] + 100:,}"\r\n',
        encoding="utf-8",
    )
    return steady, raised


def test_an_invoice_is_uploaded_queried_in_part_approved_and_exported(
    ui, world, placements, tmp_path, monkeypatch
):
    period, made = placements
    steady, _raised = invoice_csv(tmp_path / "invoice.csv", period, made)

    # The provider uploads its invoice.
    ui.sign_in(world.bidder_a)
    ui.follow("Invoices")
    ui.follow("Upload a CSV invoice", role="button")
    ui.page.get_by_label("Borough and billing period").select_option(
        f"{world.borough_a.pk}:{period.start.isoformat()}"
    )
    ui.fill("Your invoice number", "AC-1001")
    ui.page.get_by_label("CSV of the invoice's lines").set_input_files(tmp_path / "invoice.csv")
    ui.submit("Upload the invoice")
    assert ui.heading() == "Invoice AC-1001"
    lines = ui.page.locator("table", has_text="Match")
    assert "Matches" in lines.locator("tr", has_text="AB-0001").inner_text()
    over = lines.locator("tr", has_text="AB-0002").inner_text()
    assert "Over" in over
    assert "+£100.00" in over
    ui.screenshot("finance-invoice-uploaded")

    # The borough's finance officer queries the line over the schedule and approves the rest.
    ui.page.context.clear_cookies()
    ui.sign_in(world.finance_a)
    ui.follow("Invoices")
    ui.follow("AC-1001")
    ui.page.get_by_role("link", name="Decide the line for AB-0002").click()
    ui.page.get_by_label("Query: ask the provider to correct or explain it").check()
    ui.fill("Reason", REASON)
    ui.submit("Record the decision")
    ui.submit("Approve every matched line")
    main = ui.page.locator("main").inner_text()
    assert "Queried" in main
    assert "Approved" in main
    ui.screenshot("finance-invoice-decided")

    # ... and exports the approved line for the council's finance system.
    ui.follow("Back to the invoices")
    ui.follow("Exports for the finance system")
    ui.submit("Export the approved lines")
    export = FinanceExport.objects.get()
    with ui.page.expect_download() as download:
        ui.page.get_by_role("link", name=f"Download CSV of export {export.pk}").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert len(rows) == 1
    assert rows[0]["Child reference"] == "AB-0001"
    assert Decimal(rows[0]["Amount"]) == steady[1]
    assert InvoiceLine.objects.get(placement=made[1]).status == "queried"

    # The provider sees the query and its reason.
    ui.page.context.clear_cookies()
    ui.sign_in(world.bidder_a)
    ui.follow("Invoices")
    ui.follow("AC-1001")
    queried = ui.page.locator("table", has_text="Match").locator("tr", has_text="AB-0002")
    assert "Queried" in queried.inner_text()
    assert REASON in queried.inner_text()

    # The dashboard's mean weekly cost this year is the schedules': the fee change counted
    # from its day, not for the whole year.
    monkeypatch.setattr(kpis, "enqueue_run", tasks.kpis_recompute)
    kpis.kpi_recompute(consortium=world.consortium, trigger="test")
    today = timezone.localdate()
    year_start = period_containing(YEAR, today).start
    schedules = schedules_of(made).values()
    cost = sum(s.cost(year_start, today) for s in schedules)
    days = sum(s.days(year_start, today) for s in schedules)
    expected = figure_display(KPIS["mean_weekly_cost"].value_of(cost, days), "pounds")
    ui.page.context.clear_cookies()
    ui.sign_in(world.commissioner_a)
    ui.follow("Dashboard")
    ui.page.get_by_label("Return year", exact=True).select_option(str(year_start.year + 1))
    ui.submit("Show")
    row = ui.page.locator("tr", has_text="Mean weekly cost").first
    assert expected in row.inner_text()
    ui.screenshot("finance-dashboard-mean-weekly-cost")
