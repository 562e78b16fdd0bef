"""The money report, worked by hand. Today is Wednesday 11 March 2026 (financial year 2025-26,
1 April 2025 to 31 March 2026); spent runs to yesterday, 10 March; committed from today.

Borough A's placements:
- P1 (lot Residential, Alpha Care): from Monday 2 March at £700 a week (£100 a day); from
  Thursday 5 March £1,400 (£200 a day, additional support); from Saturday 21 March £1,050
  (£150 a day, an uplift dated ahead); planned end 30 April.
  Spent: 3 x £100 + 6 x £200 = £1,500. Committed: 10 x £200 + 41 x £150 = £8,150.
  Forecast for the year: £1,500 + 10 x £200 + 11 x £150 = £5,150.
- P2 (lot Residential, Bravo Care): from Monday 5 January at £1,000 a week, ended Wednesday
  4 March (59 days): £59,000 / 7 = £8,428.571... Spent and forecast £8,428.57, committed 0.
- P3 (no lot, Alpha Care): from 1 December 2025 at £350 (£50 a day), no planned end.
  Spent: 100 days, £5,000. Committed to the year's end (11 to 31 March, 21 days): £1,050.
  Forecast £6,050.
- P4 (lot Semi-independent, Bravo Care): awarded, starting Monday 23 March, £700 a week,
  planned end 30 June: committed 100 days, £10,000; forecast 9 days, £900; spent 0.
Borough B's placement P5 (Residential, Alpha Care) is in the admin's report only.

Invoices of borough A (period starts in the year unless said):
- paid, Alpha Care, 2 Feb to 1 Mar: P3 approved £1,420.50 against £1,400.00 expected;
  P1 rejected (not running) £200.
- decided, not paid, Bravo Care, 2 Feb to 1 Mar: P2 approved £4,100 against £4,000.
- submitted, Alpha Care, 2 Mar to 29 Mar: P1 pending £3,000; P3 queried £1,400.
- paid, Alpha Care, 3 Mar 2025 (the year before): P3 approved £999: not in this year.
"""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from dps.tenancy import Actor
from finance.models import Invoice, InvoiceLine, Remittance
from finance.selectors.money import money_report, money_rows
from placements.models import Fee, Placement
from tests.factories import LotFactory, scheduled_placement

TODAY = date(2026, 3, 11)
D = Decimal


def actor_of(user):
    return Actor.for_membership(user.memberships.get())


def line(invoice, placement, amount, expected, status, match=InvoiceLine.Match.MATCHED):
    return InvoiceLine.objects.create(
        invoice=invoice,
        placement=placement,
        days=28,
        amount=D(amount),
        expected_days=28,
        expected_amount=D(expected),
        match=match,
        status=status,
    )


def invoice(world, provider, number, start, end, status, borough=None):
    return Invoice.objects.create(
        provider=provider,
        borough=borough or world.borough_a,
        number=number,
        period_start=start,
        period_end=end,
        status=status,
    )


@pytest.fixture
def money(world):
    residential = LotFactory(consortium=world.consortium, name="Residential")
    semi = LotFactory(consortium=world.consortium, name="Semi-independent")
    a, b = world.provider_a, world.provider_b
    p1 = scheduled_placement(
        borough=world.borough_a,
        provider=a,
        lot=residential,
        start=date(2026, 3, 2),
        weekly_fee="700",
        planned_end=date(2026, 4, 30),
        changes=[
            (date(2026, 3, 5), "1400", Fee.Kind.ADDITIONAL_SUPPORT),
            (date(2026, 3, 21), "1050", Fee.Kind.UPLIFT),
        ],
        child_reference="P1",
    )
    p2 = scheduled_placement(
        borough=world.borough_a,
        provider=b,
        lot=residential,
        start=date(2026, 1, 5),
        weekly_fee="1000",
        end=date(2026, 3, 4),
        child_reference="P2",
    )
    p3 = scheduled_placement(
        borough=world.borough_a,
        provider=a,
        start=date(2025, 12, 1),
        weekly_fee="350",
        child_reference="P3",
    )
    p4 = scheduled_placement(
        borough=world.borough_a,
        provider=b,
        lot=semi,
        start=date(2026, 3, 23),
        weekly_fee="700",
        planned_end=date(2026, 6, 30),
        child_reference="P4",
    )
    Placement.objects.filter(pk=p4.pk).update(
        actual_start_date=None, status=Placement.Status.AWARDED
    )
    scheduled_placement(
        borough=world.borough_b,
        provider=a,
        lot=residential,
        start=date(2026, 1, 1),
        weekly_fee="700",
        planned_end=date(2026, 3, 31),
        child_reference="P5",
    )
    Status = InvoiceLine.Status
    paid = invoice(world, a, "A-1", date(2026, 2, 2), date(2026, 3, 1), Invoice.Status.PAID)
    line(paid, p3, "1420.50", "1400.00", Status.APPROVED, InvoiceLine.Match.OVER)
    line(paid, p1, "200", "0", Status.REJECTED, InvoiceLine.Match.NOT_RUNNING)
    Remittance.objects.create(
        invoice=paid, paid_on=date(2026, 3, 6), reference="R1", amount=D("1420.50")
    )
    decided = invoice(world, b, "B-1", date(2026, 2, 2), date(2026, 3, 1), Invoice.Status.DECIDED)
    line(decided, p2, "4100", "4000", Status.APPROVED, InvoiceLine.Match.OVER)
    submitted = invoice(
        world, a, "A-2", date(2026, 3, 2), date(2026, 3, 29), Invoice.Status.SUBMITTED
    )
    line(submitted, p1, "3000", "2950", Status.PENDING, InvoiceLine.Match.OVER)
    line(submitted, p3, "1400", "1400", Status.QUERIED)
    last_year = invoice(world, a, "A-0", date(2025, 3, 3), date(2025, 3, 30), Invoice.Status.PAID)
    line(last_year, p3, "999", "999", Status.APPROVED)
    return {"residential": residential, "semi": semi}


def table(rows):
    return {row.label: row.figures.rounded() for row in rows}


@time_machine.travel(TODAY, tick=False)
def test_the_report_by_lot_is_exact_to_the_penny(world, money):
    report = money_report(actor_of(world.commissioner_a), 2026, TODAY)

    # committed, forecast, spent, paid, awaiting, variance
    assert table(report.by_lot) == {
        "Residential": [
            D("8150.00"),
            D("13578.57"),
            D("9928.57"),
            D("0.00"),
            D("3000.00"),
            D("100.00"),
        ],
        "Semi-independent": [
            D("10000.00"),
            D("900.00"),
            D("0.00"),
            D("0.00"),
            D("0.00"),
            D("0.00"),
        ],
        "No lot": [
            D("1050.00"),
            D("6050.00"),
            D("5000.00"),
            D("1420.50"),
            D("1400.00"),
            D("20.50"),
        ],
    }
    assert [row.label for row in report.by_lot] == ["Residential", "Semi-independent", "No lot"]
    assert report.total.rounded() == [
        D("19200.00"),
        D("20528.57"),
        D("14928.57"),
        D("1420.50"),
        D("4400.00"),
        D("120.50"),
    ]


@time_machine.travel(TODAY, tick=False)
def test_the_report_by_provider_is_exact_to_the_penny(world, money):
    report = money_report(actor_of(world.commissioner_a), 2026, TODAY)

    assert table(report.by_provider) == {
        "Alpha Care": [
            D("9200.00"),
            D("11200.00"),
            D("6500.00"),
            D("1420.50"),
            D("4400.00"),
            D("20.50"),
        ],
        "Bravo Care": [
            D("10000.00"),
            D("9328.57"),
            D("8428.57"),
            D("0.00"),
            D("0.00"),
            D("100.00"),
        ],
    }


@time_machine.travel(TODAY, tick=False)
def test_the_consortium_admin_sees_every_borough_and_a_commissioner_only_their_own(world, money):
    # P5: £100 a day from 1 January to 31 March 2026; spent 1 Jan to 10 Mar = 69 days.
    admin = money_report(actor_of(world.admin), 2026, TODAY)
    other = money_report(actor_of(world.commissioner_b), 2026, TODAY)

    assert table(other.by_lot) == {
        "Residential": [D("2100.00"), D("9000.00"), D("6900.00"), D("0"), D("0"), D("0")]
    }
    assert admin.total.rounded()[2] == D("14928.57") + D("6900.00")
    assert admin.total.rounded()[0] == D("19200.00") + D("2100.00")


@time_machine.travel(TODAY, tick=False)
def test_a_past_year_counts_what_ran_and_the_invoices_of_that_year(world, money):
    report = money_report(actor_of(world.commissioner_a), 2025, TODAY)

    committed, forecast, spent, paid, awaiting, variance = report.total.rounded()
    # Nothing ran in 2024-25; P3's paid line of March 2025 is that year's. Committed still runs
    # from today, to planned ends (a placement with none: to the current year's end).
    assert (forecast, spent, paid, awaiting, variance) == (D(0), D(0), D("999.00"), D(0), D(0))
    assert committed == D("19200.00")


def test_a_four_weekly_period_across_the_year_end_is_apportioned_by_days(world):
    # Four-weekly from Monday 1 April 2024: the period 30 March to 26 April 2026. A placement
    # through exactly that period at £700 a week: 2 days (£200) in 2025-26, 26 (£2,600) in 2026-27.
    scheduled_placement(
        borough=world.borough_a,
        provider=world.provider_a,
        start=date(2026, 3, 30),
        weekly_fee="700",
        end=date(2026, 4, 26),
    )
    actor = actor_of(world.commissioner_a)
    today = date(2026, 5, 1)

    before = money_report(actor, 2026, today).total
    after = money_report(actor, 2027, today).total

    assert (before.spent, before.forecast) == (D(200), D(200))
    assert (after.spent, after.forecast) == (D(2600), D(2600))


@time_machine.travel(TODAY, tick=False)
def test_the_csv_rows_hold_the_same_figures(world, money):
    report = money_report(actor_of(world.commissioner_a), 2026, TODAY)

    rows = money_rows(report)

    assert rows[0][:3] == ["Financial year", "Table", "Name"]
    assert ["2025-26", "By lot", "Residential", D("8150.00"), D("13578.57")] == rows[1][:5]
    assert rows[-1][:4] == ["2025-26", "Total", "All placements", D("19200.00")]


@time_machine.travel(TODAY, tick=False)
def test_the_report_takes_few_queries(world, money, django_assert_max_num_queries):
    actor = actor_of(world.commissioner_a)
    with django_assert_max_num_queries(4):
        money_report(actor, 2026, TODAY)
