"""Routes of the providers app's arrangement part, for tests/test_url_tenancy.py.

The victim is the personas' consortium (borough A's): its arrangement "Alpha Arrangement", an
open framework with an opening. Only the consortium admin uses the pages; its boroughs' people
and clients read the arrangement through the API; providers are refused."""

from datetime import date

from providers.models import Arrangement, Opening
from tests.test_url_tenancy import Tenant

TITLE = "Alpha Arrangement"
EVERYONE_BUT_THE_ADMIN = (
    "commissioner_a",
    "officer_a",
    "commissioner_b",
    "officer_b",
    "provider_admin_a",
    "bidder_a",
    "provider_admin_b",
    "bidder_b",
)
PROVIDERS = ("provider_admin_a", "bidder_a", "provider_admin_b", "bidder_b")


def arrangement(world):
    found, _ = Arrangement.objects.get_or_create(
        consortium=world.consortium,
        defaults={
            "basis": "open_framework",
            "title": TITLE,
            "starts_on": date(2026, 1, 1),
            "ends_on": date(2033, 12, 31),
        },
    )
    return found


def opening(world):
    return Opening.objects.create(
        arrangement=arrangement(world),
        opens_on=date(2026, 1, 1),
        closes_on=date(2026, 1, 31),
        awards_on=date(2026, 3, 1),
    )


def with_arrangement(data):
    def recipe(world):
        arrangement(world)
        return data

    return recipe


def dated(name, day):
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


SETTINGS = {
    "basis": "dynamic_market",
    "title": TITLE,
    **dated("starts_on", date(2025, 4, 1)),
    **dated("ends_on", date(2029, 3, 31)),
    "decision_days": "10",
    "light_touch_threshold": "663540",
    "vat_percent": "0",
}
OPENING = {
    **dated("opens_on", date(2027, 1, 1)),
    **dated("closes_on", date(2027, 1, 31)),
    **dated("awards_on", date(2027, 3, 1)),
}


def admin_route(**kwargs):
    return Tenant(
        owner="admin",
        owner_sees=TITLE,
        markers=(TITLE,),
        intruders=EVERYONE_BUT_THE_ADMIN,
        **kwargs,
    )


ROUTES = {
    "providers:arrangement": admin_route(
        kwargs={"setup": arrangement}, post=SETTINGS, changes=True
    ),
    "providers:conditions": Tenant(
        kwargs={"setup": arrangement},
        owner="admin",
        owner_sees="Conditions of membership",
        markers=("Alpha conditions",),
        intruders=EVERYONE_BUT_THE_ADMIN,
        post=with_arrangement({"text": "Alpha conditions"}),
        changes=True,
    ),
    # An opening belongs to the arrangement, not directly to an organisation: the snapshot
    # cannot see it change, so these routes are checked for refusals and leaks only.
    "providers:openings": Tenant(
        kwargs={"setup": opening},
        owner="admin",
        owner_sees="Openings of the open framework",
        markers=("1 Jan 2026",),
        intruders=EVERYONE_BUT_THE_ADMIN,
        post=with_arrangement(OPENING),
    ),
    "providers:opening_edit": Tenant(
        kwargs={"pk": opening},
        owner="admin",
        owner_sees="1 January 2026",
        markers=("1 January 2026",),
        intruders=EVERYONE_BUT_THE_ADMIN,
        post=OPENING,
    ),
    "api:providers:arrangement": Tenant(
        kwargs={"setup": arrangement},
        owner="commissioner_a",
        owner_sees=TITLE,
        markers=(TITLE,),
        # Borough B shares the consortium, and so its arrangement: only providers are refused.
        intruders=PROVIDERS,
        api_intruders=("provider_a", "provider_b"),
    ),
}
