"""The invoices' pages: a provider enters an invoice (pre-filled from the schedule) or uploads
a messy CSV; the finance officer decides a line, approves the matched ones, exports and
records the payment; the provider amends a queried line."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from finance.models import FinanceExport, Invoice, InvoiceLine
from finance.services.invoices import invoice_submit
from tests.finance.invoice_helpers import CURRENT, NOW, YEAR_END, actor_of, placement_of

Match = InvoiceLine.Match
PERIOD = f"{{borough}}:{YEAR_END.start.isoformat()}"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def placements(world):
    return {
        "one": placement_of(world, "C-ONE"),
        "two": placement_of(world, "C-TWO", fee="1000", changes=[(date(2026, 4, 15), "1400")]),
        "ended": placement_of(world, "C-OLD", end=date(2026, 3, 1)),
    }


def period_value(world, period=YEAR_END):
    return f"{world.borough_a.pk}:{period.start.isoformat()}"


@pytest.fixture
def invoice(world, placements):
    return invoice_submit(
        actor=actor_of(world.bidder_a),
        borough=world.borough_a,
        period_start=YEAR_END.start,
        number="INV-100",
        lines=[
            {"placement": placements["one"], "days": 28, "amount": Decimal("2800.00")},
            {"placement": placements["two"], "days": 28, "amount": Decimal("4800.00")},
        ],
    )


def test_the_provider_chooses_a_period_and_gets_the_lines_its_schedules_owe(
    client, world, placements
):
    client.force_login(world.bidder_a)
    url = reverse("finance:invoice_new")

    choose = client.get(url)
    page = client.get(url, {"period": period_value(world)})

    assert choose.status_code == 200
    assert "30 Mar to 26 Apr 2026" in choose.content.decode()
    text = page.content.decode()
    assert "C-ONE" in text
    assert "C-TWO" in text
    assert "C-OLD" not in text
    assert 'value="4685.71"' in text


def test_the_provider_sends_the_invoice_from_the_page(client, world, placements):
    client.force_login(world.bidder_a)
    one, two = placements["one"].pk, placements["two"].pk
    url = reverse("finance:invoice_new") + f"?period={period_value(world)}"

    response = client.post(
        url,
        {
            "number": "P-1",
            f"days_{one}": "28",
            f"amount_{one}": "2800.00",
            f"days_{two}": "",
            f"amount_{two}": "",
        },
    )

    invoice = Invoice.objects.get(number="P-1")
    assert response.status_code == 302
    assert invoice.source == Invoice.Source.PAGE
    assert list(invoice.lines.values_list("placement_id", "match")) == [(one, Match.MATCHED)]


def test_a_period_not_yet_started_cannot_be_chosen(client, world, placements):
    client.force_login(world.bidder_a)
    later = date(2026, 5, 25).isoformat()

    response = client.get(
        reverse("finance:invoice_new"), {"period": f"{world.borough_a.pk}:{later}"}
    )

    assert response.status_code == 400
    assert CURRENT.label in response.content.decode()


def test_a_messy_csv_is_read_all_of_it(client, world, placements):
    client.force_login(world.bidder_a)
    body = (
        "\ufeff Placement ,DAYS, Amount \r\n"
        f'{placements["one"].pk},28,"£2,800.00"\r\n'
        "\r\n"
        "c-two,28,£4685.71\r\n"
        ",,\r\n"
    ).encode()

    response = client.post(
        reverse("finance:invoice_upload"),
        {
            "period": period_value(world),
            "number": "CSV-1",
            "file": SimpleUploadedFile("invoice.csv", body, content_type="text/csv"),
        },
    )

    invoice = Invoice.objects.get(number="CSV-1")
    assert response.status_code == 302, response.content.decode()[:2000]
    assert invoice.source == Invoice.Source.CSV
    assert list(invoice.lines.order_by("id").values_list("amount", "match")) == [
        (Decimal("2800.00"), Match.MATCHED),
        (Decimal("4685.71"), Match.MATCHED),
    ]


def test_a_csv_with_bad_rows_is_refused_whole_with_each_row_named(client, world, placements):
    client.force_login(world.bidder_a)
    body = (
        "placement,days,amount\n"
        f"{placements['one'].pk},28,2800\n"
        "NOBODY,28,100\n"
        f"{placements['two'].pk},many,100\n"
        f"{placements['two'].pk},3,12.345\n"
    ).encode()

    response = client.post(
        reverse("finance:invoice_upload"),
        {
            "period": period_value(world),
            "number": "CSV-2",
            "file": SimpleUploadedFile("invoice.csv", body, content_type="text/csv"),
        },
    )

    text = response.content.decode()
    assert response.status_code == 400
    assert "Line 3: “NOBODY” is not one of your placements with this borough." in text
    assert "Line 4: days “many” is not a whole number." in text
    assert "Line 5: amount “12.345” is not an amount in pounds and pence." in text
    assert not Invoice.objects.exists()


def test_the_finance_officer_sees_each_lines_match_and_decides(client, world, invoice):
    client.force_login(world.finance_a)
    over = invoice.lines.get(match=Match.OVER)

    detail = client.get(reverse("finance:invoice_detail", args=[invoice.pk]))
    refused = client.post(
        reverse("finance:invoice_line_decide", args=[invoice.pk, over.pk]), {"decision": "query"}
    )
    queried = client.post(
        reverse("finance:invoice_line_decide", args=[invoice.pk, over.pk]),
        {"decision": "query", "reason": "The uplift was £1,400 a week."},
    )
    approved = client.post(reverse("finance:invoice_approve_matched", args=[invoice.pk]))

    text = detail.content.decode()
    assert "£4,685.71" in text
    assert "+£114.29" in text
    assert "Approve every matched line" in text
    assert refused.status_code == 400
    assert "Say why you query this line." in refused.content.decode()
    assert queried.status_code == approved.status_code == 302
    assert set(invoice.lines.values_list("status", flat=True)) == {"approved", "queried"}


def test_the_provider_reads_the_reason_and_amends_the_queried_line(client, world, invoice):
    over = invoice.lines.get(match=Match.OVER)
    client.force_login(world.finance_a)
    client.post(
        reverse("finance:invoice_line_decide", args=[invoice.pk, over.pk]),
        {"decision": "query", "reason": "The uplift was £1,400 a week."},
    )
    client.force_login(world.bidder_a)

    detail = client.get(reverse("finance:invoice_detail", args=[invoice.pk]))
    amended = client.post(
        reverse("finance:invoice_line_amend", args=[invoice.pk, over.pk]),
        {"days": "28", "amount": "4685.71", "note": "Corrected."},
    )

    over.refresh_from_db()
    assert "The uplift was £1,400 a week." in detail.content.decode()
    assert amended.status_code == 302
    assert (over.status, over.match) == ("pending", Match.MATCHED)


def test_the_finance_officer_exports_then_records_the_payment(client, world, invoice):
    client.force_login(world.finance_a)
    client.post(reverse("finance:invoice_approve_matched", args=[invoice.pk]))
    over = invoice.lines.get(match=Match.OVER)
    client.post(
        reverse("finance:invoice_line_decide", args=[invoice.pk, over.pk]),
        {"decision": "reject", "reason": "Over the schedule."},
    )

    client.post(reverse("finance:invoice_exports"))
    export = FinanceExport.objects.get()
    download = client.get(reverse("finance:invoice_export_download", args=[export.pk]))
    exports = client.get(reverse("finance:invoice_exports"))
    pay = client.post(
        reverse("finance:invoice_pay", args=[invoice.pk]),
        {"paid_on_day": "9", "paid_on_month": "5", "paid_on_year": "2026", "reference": "BACS-1"},
    )

    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0][0] == "Invoice number"
    assert rows[1][:4] == [
        "INV-100",
        "Alpha Care",
        str(invoice.lines.first().placement_id),
        "C-ONE",
    ]
    assert "0 approved lines not yet exported" in exports.content.decode()
    assert pay.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert invoice.remittance.amount == Decimal("2800.00")


def test_the_list_filters_by_status_and_shows_each_side_its_own(client, world, invoice):
    client.force_login(world.finance_a)
    awaiting = client.get(reverse("finance:invoice_list"), {"status": "submitted"})
    paid = client.get(reverse("finance:invoice_list"), {"status": "paid"})
    client.force_login(world.bidder_b)
    other = client.get(reverse("finance:invoice_list"))

    assert "INV-100" in awaiting.content.decode()
    assert "INV-100" not in paid.content.decode()
    assert "INV-100" not in other.content.decode()


def test_the_list_and_the_detail_take_the_same_queries_for_many_lines(
    client, world, placements, django_assert_num_queries
):
    client.force_login(world.finance_a)
    many = [placement_of(world, f"C-{n}") for n in range(6)]
    bidder = actor_of(world.bidder_a)
    invoices = [
        invoice_submit(
            actor=bidder,
            borough=world.borough_a,
            period_start=YEAR_END.start,
            number=f"N-{count}",
            lines=[
                {"placement": p, "days": 28, "amount": Decimal("2800.00")} for p in many[:count]
            ],
        )
        for count in (1, 6)
    ]

    def queries(url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    client.get(reverse("finance:invoice_list"))  # the session's first request reads more
    small, large = (
        queries(reverse("finance:invoice_detail", args=[invoice.pk])) for invoice in invoices
    )
    assert small == large, (small, large)
    assert queries(reverse("finance:invoice_list")) <= small
