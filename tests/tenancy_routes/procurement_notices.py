"""Routes of the procurement app's notices, for tests/test_url_tenancy.py.

The victim's object is a notice of borough A's consortium, its event naming a marker. The
consortium admin reads and writes it; the commissioners of the consortium's boroughs (A and B)
read it; placement officers and providers are refused, and only the admin drafts or publishes."""

from datetime import date

from procurement.models import Notice
from tests.test_url_tenancy import Tenant

EVENT = "Alpha notice: award above the light-touch threshold"
OFFICERS_AND_PROVIDERS = (
    "officer_a",
    "officer_b",
    "provider_admin_a",
    "bidder_a",
    "provider_admin_b",
    "bidder_b",
)
READERS_TOO = ("commissioner_a", "commissioner_b", *OFFICERS_AND_PROVIDERS)


def alpha_notice(world):
    notice, _ = Notice.objects.get_or_create(
        consortium=world.consortium,
        kind=Notice.Kind.UK13,
        defaults={"event": EVENT, "due_on": date(2026, 3, 1)},
    )
    return notice


def with_alpha_notice(data):
    def recipe(world):
        alpha_notice(world)
        return data

    return recipe


def read_route(**kwargs):
    return Tenant(
        owner="commissioner_a",
        owner_sees=EVENT,
        markers=(EVENT,),
        intruders=OFFICERS_AND_PROVIDERS,
        **kwargs,
    )


def write_route(**kwargs):
    return Tenant(owner="admin", markers=(EVENT,), intruders=READERS_TOO, **kwargs)


PUBLISH = {"fts_notice_id": "012345-2026"}

ROUTES = {
    "procurement:notice_list": read_route(post=with_alpha_notice(None)),
    "procurement:notice_detail": read_route(kwargs={"pk": alpha_notice}),
    "procurement:notice_export": read_route(kwargs={"pk": alpha_notice}),
    "procurement:notice_draft": write_route(
        kwargs={"pk": alpha_notice}, get=False, post={}, changes=True, owner_sees=None
    ),
    "procurement:notice_publish": write_route(
        kwargs={"pk": alpha_notice}, post=PUBLISH, changes=True, owner_sees="Record the"
    ),
    "api:procurement:notices": read_route(post=with_alpha_notice(None)),
    "api:procurement:notice": read_route(kwargs={"pk": alpha_notice}),
    "api:procurement:notice-publish": write_route(
        kwargs={"pk": alpha_notice}, get=False, post=PUBLISH, changes=True, owner_sees=None
    ),
}
