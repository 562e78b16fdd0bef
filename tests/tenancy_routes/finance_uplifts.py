"""Routes of the fee uplifts, for tests/test_url_tenancy.py.

The victim's objects: an open round of borough A's consortium, and provider A's request on a
placement of borough A's, its reason (and its evidence) the marker. The round is the
consortium's, seen by both boroughs and every provider; the request by provider A, borough
A and the consortium admin only; borough A's commissioner decides it. Provider A asks for
the round on a placement of its own (with borough B: a borough not yet asked)."""

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from dps.tenancy import Actor
from finance.models import UpliftRequest, UpliftRound
from finance.services.uplifts import uplift_request_submit
from placements.models import Placement
from providers.models import Lot, Service
from tests.factories import scheduled_placement
from tests.test_url_tenancy import Tenant

REASON = "Alpha uplift: agency staff cover at Oak House"
CHILD = "ALPHA-UPLIFT-1"
OTHER_CHILD = "ALPHA-UPLIFT-2"
LOT = "Uplift homes lot"
B_SIDE = ("commissioner_b", "officer_b", "finance_b", "provider_admin_b", "bidder_b")
NOT_DECIDERS = (*B_SIDE, "officer_a", "finance_a", "provider_admin_a", "bidder_a", "admin")


def _lot(world):
    lot, _ = Lot.objects.get_or_create(
        consortium=world.consortium, code="uplift-homes", defaults={"name": LOT}
    )
    return lot


def _placement(world, reference, borough):
    found = Placement.objects.filter(child_reference=reference).first()
    if found is not None:
        return found
    service, _ = Service.objects.get_or_create(
        provider=world.provider_a,
        name="Oak House",
        defaults={"service_type": "childrens_home", "registered_places": 4},
    )
    return scheduled_placement(
        borough=borough,
        provider=world.provider_a,
        start=timezone.localdate() - timedelta(days=100),
        weekly_fee=1000,
        lot=_lot(world),
        service=service,
        child_reference=reference,
    )


def alpha_round(world, name="Alpha round"):
    today = timezone.localdate()
    round_, made = UpliftRound.objects.get_or_create(
        consortium=world.consortium,
        name=name,
        defaults={
            "percent": Decimal("4.00"),
            "effective_date": today + timedelta(days=60),
            "requests_close": today + timedelta(days=30),
        },
    )
    if made:
        round_.lots.set([_lot(world)])
    return round_


def alpha_request(world):
    round_ = alpha_round(world)
    found = UpliftRequest.objects.filter(round=round_, borough=world.borough_a).first()
    if found is not None:
        return found
    placement = _placement(world, CHILD, world.borough_a)
    evidence = SimpleUploadedFile("costs.pdf", b"%PDF-1.4 " + REASON.encode(), "application/pdf")
    return uplift_request_submit(
        actor=Actor.for_membership(world.bidder_a.memberships.get()),
        round=round_,
        reason=REASON,
        evidence=evidence,
        placements=[placement],
    ).requests[0]


def round_with_request(world):
    alpha_request(world)
    return alpha_round(world)


def round_with_other_placement(world):
    _placement(world, OTHER_CHILD, world.borough_b)
    return alpha_round(world)


def with_request(data):
    def recipe(world):
        alpha_request(world)
        return data

    return recipe


def round_open_form(world):
    today = timezone.localdate()
    closes, effective = today + timedelta(days=10), today + timedelta(days=40)
    return {
        "name": "Next uplift",
        "percent": "3.5",
        "effective_date_day": effective.day,
        "effective_date_month": effective.month,
        "effective_date_year": effective.year,
        "requests_close_day": closes.day,
        "requests_close_month": closes.month,
        "requests_close_year": closes.year,
        "lots": [_lot(world).pk],
        "decided_by": "borough",
    }


def request_form(world):
    return {"placements": [_placement(world, OTHER_CHILD, world.borough_b).pk], "reason": "Pay."}


def api_request(world):
    alpha_request(world)
    second = alpha_round(world, name="Alpha second round")
    return {
        "round": second.pk,
        "placements": [_placement(world, CHILD, world.borough_a).pk],
        "reason": "Pay.",
    }


REFUSE = {"decision": "refuse", "reason": "Not this year."}


def reader(**kwargs):
    return Tenant(
        owner="commissioner_a", markers=(REASON, "Alpha Care"), intruders=B_SIDE, **kwargs
    )


ROUTES = {
    "finance:uplift_list": reader(owner_sees="Alpha Care", post=with_request(None)),
    "finance:uplift_round": reader(kwargs={"pk": round_with_request}, owner_sees="Alpha Care"),
    "finance:uplift_round_open": Tenant(
        owner="admin",
        owner_sees="Open an uplift round",
        post=round_open_form,
        changes=True,
        markers=("Next uplift",),
        intruders=(*B_SIDE, "commissioner_a", "officer_a", "finance_a", "provider_admin_a"),
    ),
    "finance:uplift_request_new": Tenant(
        victim="provider_a",
        owner="bidder_a",
        kwargs={"pk": round_with_other_placement},
        owner_sees=OTHER_CHILD,
        post=request_form,
        changes=True,
        markers=(OTHER_CHILD, CHILD),
        intruders=(*B_SIDE, "commissioner_a", "officer_a", "finance_a"),
    ),
    "finance:uplift_request": reader(kwargs={"pk": alpha_request}, owner_sees=REASON),
    "finance:uplift_evidence": reader(kwargs={"pk": alpha_request}, owner_sees=REASON),
    "finance:uplift_decide": Tenant(
        owner="commissioner_a",
        kwargs={"pk": alpha_request},
        owner_sees="Decide uplift request",
        post=REFUSE,
        changes=True,
        markers=(REASON,),
        intruders=NOT_DECIDERS,
    ),
    "api:finance:uplift-rounds": reader(owner_sees="Alpha round", post=with_request(None)),
    "api:finance:uplift-requests": Tenant(
        victim="provider_a",
        owner="bidder_a",
        owner_sees=REASON,
        post=api_request,
        changes=True,
        markers=(REASON,),
        intruders=B_SIDE,
        api_intruders=("borough_b", "provider_b"),
    ),
    "api:finance:uplift-request": reader(
        kwargs={"pk": alpha_request},
        owner_sees=REASON,
        api_intruders=("borough_b", "provider_b"),
    ),
    "api:finance:uplift-request-decide": Tenant(
        owner="commissioner_a",
        kwargs={"pk": alpha_request},
        get=False,
        post=REFUSE,
        changes=True,
        owner_sees=None,
        markers=(REASON,),
        intruders=NOT_DECIDERS,
        api_intruders=("borough_a", "borough_b", "provider_a", "provider_b"),
    ),
}
