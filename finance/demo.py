"""The demo's money: each borough's billing settings and cost codes; Oakleaf Children's
Homes' invoices to Northbridge for its last four billing periods, in every state (paid, approved and
exported, one line queried, one line rejected, one awaiting decisions); and the 2027-28
inflation uplift round, with a request agreed (dated fee rows from 1 April 2027), one awaiting
a decision and one refused.

Idempotent: nothing is added once the consortium has invoices or an uplift round."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from dps.demo import CONSORTIUM
from dps.models import Membership, Organisation, Role
from dps.periods import YEAR, period_containing
from dps.tenancy import Actor
from placements.models import Placement
from placements.selectors.schedule import schedules_of
from providers.demo import PROVIDERS, _slug
from providers.models import Lot

from .models import BillingSettings, CostCode, Invoice, UpliftRound
from .selectors.billing import billing_settings, recent_periods
from .services.invoices import (
    finance_export_create,
    invoice_line_decide,
    invoice_submit,
    remittance_record,
)
from .services.uplifts import uplift_decide, uplift_request_submit, uplift_round_open

CYCLES = {
    "northbridge": BillingSettings.Cycle.FOUR_WEEKLY,
    "eastmoor": BillingSettings.Cycle.WEEKLY,
    "westvale": BillingSettings.Cycle.FOUR_WEEKLY,
}


def _actor(organisation, role):
    membership = (
        Membership.objects.filter(organisation=organisation, role=role, is_active=True)
        .select_related("user", "organisation")
        .first()
    )
    return Actor.for_membership(membership) if membership else None


def _settings(consortium):
    lots = list(Lot.objects.filter(consortium=consortium).order_by("pk"))
    for borough in Organisation.objects.filter(consortium=consortium).order_by("pk"):
        prefix = borough.slug[:2].upper()
        BillingSettings.objects.get_or_create(
            borough=borough,
            defaults={
                "cycle": CYCLES.get(borough.slug, "four_weekly"),
                "default_cost_code": f"{prefix}-CLA-000",
            },
        )
        for number, lot in enumerate(lots, start=1):
            CostCode.objects.get_or_create(
                borough=borough, lot=lot, defaults={"code": f"{prefix}-CLA-{number:03d}"}
            )


def _invoices(stdout, borough, provider, today):
    bidder = _actor(provider, Role.BIDDER)
    finance = _actor(borough, Role.FINANCE_OFFICER)
    if bidder is None or finance is None:
        return
    settings = billing_settings(borough)
    periods = list(reversed(recent_periods(settings, today, count=5)[1:]))  # 4 complete
    placements = list(
        Placement.objects.filter(borough=borough, provider=provider).exclude(
            source=Placement.Source.SSDA903
        )
    )
    schedules = schedules_of(placements)
    invoices = []
    for number, period in enumerate(periods, start=1):
        lines = []
        for placement in placements:
            days, amount = schedules[placement.pk].owed(period.start, period.end)
            if days:
                lines.append({"placement": placement.pk, "days": days, "amount": amount})
        if not lines:
            continue
        if number == 3:  # one line asks £150 more than the schedule: it will be queried
            lines[0] = {**lines[0], "amount": lines[0]["amount"] + Decimal("150")}
        if number == 4:  # and one for a placement that ended before the period: rejected
            ended = next((p for p in placements if p.end_date and p.end_date < period.start), None)
            if ended is not None:
                lines.append({"placement": ended.pk, "days": 7, "amount": Decimal("700.00")})
        invoice = invoice_submit(
            actor=bidder,
            borough=borough,
            period_start=period.start,
            number=f"OCH-{period.start:%Y%m%d}",
            lines=lines,
            source=Invoice.Source.CSV if number % 2 else Invoice.Source.PAGE,
        )
        invoices.append(invoice)
    for step, invoice in enumerate(invoices, start=1):
        lines = list(invoice.lines.order_by("pk"))
        if step <= 2:  # paid, and approved awaiting payment
            for line in lines:
                invoice_line_decide(actor=finance, line=line, decision="approve")
            if step == 1:
                finance_export_create(actor=finance)
                invoice.refresh_from_db()
                remittance_record(
                    actor=finance,
                    invoice=invoice,
                    paid_on=invoice.period_end + timedelta(days=14),
                    reference=f"BACS-{invoice.period_end:%y%m%d}",
                )
        elif step == 3:  # the over line queried, the rest approved
            for line in lines:
                if line.match == line.Match.OVER:
                    invoice_line_decide(
                        actor=finance,
                        line=line,
                        decision="query",
                        reason="The schedule says less for this period: send the breakdown "
                        "of the extra staffing hours.",
                    )
                else:
                    invoice_line_decide(actor=finance, line=line, decision="approve")
        else:  # awaiting decisions, but the line for an ended placement is rejected
            for line in lines:
                if line.match == line.Match.NOT_RUNNING:
                    invoice_line_decide(
                        actor=finance,
                        line=line,
                        decision="reject",
                        reason="This placement had ended before the period.",
                    )
    stdout.write(f"  {len(invoices)} invoices from {provider.name} to {borough.name}")


def _uplifts(stdout, consortium, today):
    admin = _actor(consortium, Role.CONSORTIUM_ADMIN)
    if admin is None:
        return
    # The next financial year: the round's uplift takes effect on its first day.
    year_start = period_containing(YEAR, today).end + timedelta(days=1)
    uplift_round = uplift_round_open(
        actor=admin,
        name=f"Inflation uplift {year_start.year}-{str(year_start.year + 1)[2:]}",
        percent=Decimal("3.5"),
        effective_date=year_start,
        requests_close=max(today + timedelta(days=30), year_start - timedelta(days=60)),
        lots=Lot.objects.filter(consortium=consortium),
    )
    boroughs = {b.slug: b for b in Organisation.objects.filter(consortium=consortium)}
    asks = [
        ("Oakleaf Children's Homes", "eastmoor", "agree"),
        ("Family First Fostering", "westvale", None),
        ("Lighthouse Learning Trust", "westvale", "refuse"),
    ]
    made = 0
    for name, slug, decision in asks:
        provider = Organisation.objects.filter(slug=_slug(name)).first()
        bidder = _actor(provider, Role.BIDDER) if provider else None
        borough = boroughs.get(slug)
        if bidder is None or borough is None:
            continue
        running = Placement.objects.filter(
            provider=provider,
            borough=borough,
            status__in=[Placement.Status.AWARDED, Placement.Status.STARTED],
            lot__isnull=False,
        )
        if not running.exists():
            continue
        submitted = uplift_request_submit(
            actor=bidder,
            round=uplift_round,
            reason="Staff pay rises with the National Living Wage from April, and energy and "
            "food costs with inflation (CPI).",
            placements=running,
        )
        made += 1
        commissioner = _actor(borough, Role.COMMISSIONER)
        if decision and commissioner:
            for request in submitted.requests:
                uplift_decide(
                    actor=commissioner,
                    request=request,
                    decision=decision,
                    reason=""
                    if decision == "agree"
                    else "The borough's budget allows no "
                    "uplift above the consortium's agreed rate for this provider's fees.",
                )
    stdout.write(f"  the {uplift_round.name} round, with {made} providers' requests")


@transaction.atomic
def seed(stdout):
    consortium = Organisation.objects.filter(slug=CONSORTIUM[0]).first()
    if consortium is None:
        return
    _settings(consortium)
    today = timezone.localdate()
    if not Invoice.objects.filter(borough__consortium=consortium).exists():
        northbridge = Organisation.objects.filter(slug="northbridge").first()
        provider = Organisation.objects.filter(slug=_slug(PROVIDERS[1][0])).first()
        if northbridge and provider:
            _invoices(stdout, northbridge, provider, today)
    if not UpliftRound.objects.filter(consortium=consortium).exists():
        _uplifts(stdout, consortium, today)
