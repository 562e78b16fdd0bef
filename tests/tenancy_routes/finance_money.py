"""Routes of the finance app's money report, placement schedules and billing settings, for
tests/test_url_tenancy.py.

- The money report (page, CSV, PDF): borough A's commissioner reads borough A's figures. Borough
  A's placement is on a lot only it uses, so the lot's name is the marker; borough B's people
  see their own report (without it); placement officers, finance officers and providers are
  refused.
- A placement's schedule (page and API): the placement of borough A run by provider A, with a
  fee change whose reason is the marker: borough A's people and provider A's read it; borough
  B and provider B get a 404.
- Billing settings: borough A's, its default cost code the marker; borough B's people see (and
  change) only their own, providers are refused."""

from datetime import date

from finance.models import BillingSettings
from placements.models import Fee, Placement
from tests.factories import LotFactory, scheduled_placement
from tests.test_url_tenancy import Tenant

LOT = "Alpha-only placements lot"
REASON = "Alpha marker: two to one staffing at night"
COST_CODE = "ALPHA-CC-7731"

OTHERS = (
    "commissioner_b",
    "officer_b",
    "finance_b",
    "provider_admin_b",
    "bidder_b",
)
NOT_COMMISSIONERS = (*OTHERS, "officer_a", "finance_a", "provider_admin_a", "bidder_a")


def alpha_placement(world):
    found = Placement.objects.filter(child_reference="ALPHA-CHILD-9").first()
    if found:
        return found
    lot = LotFactory(consortium=world.consortium, name=LOT)
    return scheduled_placement(
        borough=world.borough_a,
        provider=world.provider_a,
        lot=lot,
        start=date(2025, 10, 6),
        weekly_fee="3500",
        changes=[(date(2025, 11, 3), "4200", Fee.Kind.ADDITIONAL_SUPPORT)],
        child_reference="ALPHA-CHILD-9",
    )


def with_marked_schedule(world):
    placement = alpha_placement(world)
    Fee.objects.filter(placement=placement, kind=Fee.Kind.ADDITIONAL_SUPPORT).update(reason=REASON)
    return placement


def with_alpha_placement(world):
    alpha_placement(world)
    return None


def with_alpha_settings(world):
    BillingSettings.objects.update_or_create(
        borough=world.borough_a, defaults={"default_cost_code": COST_CODE}
    )
    return {
        "cycle": "weekly",
        "anchor_day": "6",
        "anchor_month": "4",
        "anchor_year": "2026",
        "default_cost_code": "ALPHA-NEW-1",
    }


def report_route(**kwargs):
    return Tenant(
        owner="commissioner_a",
        markers=(LOT,),
        intruders=NOT_COMMISSIONERS,
        post=with_alpha_placement,
        **kwargs,
    )


def schedule_route(**kwargs):
    return Tenant(
        owner="commissioner_a",
        kwargs={"pk": with_marked_schedule},
        markers=(REASON, "ALPHA-CHILD-9"),
        intruders=OTHERS,
        api_intruders=("borough_b", "provider_b"),
        **kwargs,
    )


ROUTES = {
    "finance:money_report": report_route(owner_sees=LOT),
    "finance:money_report_csv": report_route(owner_sees=LOT),
    "finance:money_report_pdf": report_route(owner_sees=None),
    "finance:placement_schedule": schedule_route(owner_sees=REASON),
    "api:finance:placement-schedule": schedule_route(owner_sees=REASON),
    "finance:billing_settings": Tenant(
        owner="commissioner_a",
        owner_sees=COST_CODE,
        markers=(COST_CODE,),
        intruders=(*OTHERS, "provider_admin_a", "bidder_a"),
        post=with_alpha_settings,
        changes=True,
    ),
}
