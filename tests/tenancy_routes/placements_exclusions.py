"""Routes of the placements app's exclusions part, for tests/test_url_tenancy.py.

The victim is the personas' consortium (borough A's): its exclusion of a provider "Alpha Rogue
Care". Only the consortium admin may see or change it; everyone else, the borough's own people
included, is refused."""

from datetime import date

from providers.models import Exclusion
from tests.factories import ProviderFactory
from tests.test_url_tenancy import Tenant

MARKER = "Alpha Rogue ground"
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


def exclusion(world):
    return Exclusion.objects.create(
        consortium=world.consortium,
        provider=ProviderFactory(name="Rogue Care"),
        kind="excludable",
        ground=MARKER,
        found_on=date(2026, 1, 5),
        reason="Poor performance.",
    )


def new_exclusion(world):
    provider = ProviderFactory(name="Another Rogue Care")
    return {
        "provider": provider.pk,
        "kind": "excludable",
        "ground": "Sch. 7 para 12",
        "source": "assessment",
        "found_on_day": "5",
        "found_on_month": "1",
        "found_on_year": "2026",
        "reason": "Poor performance.",
    }


def admin_route(**kwargs):
    return Tenant(
        owner="admin",
        owner_sees=MARKER,
        markers=(MARKER,),
        intruders=EVERYONE_BUT_THE_ADMIN,
        **kwargs,
    )


ROUTES = {
    "placements:exclusions": admin_route(
        kwargs={"setup": exclusion}, post=new_exclusion, changes=True
    ),
    "placements:exclusion_detail": admin_route(
        kwargs={"pk": exclusion},
        post={"action": "remove", "remove-reason": "Repeated failures."},
        changes=True,
    ),
}
