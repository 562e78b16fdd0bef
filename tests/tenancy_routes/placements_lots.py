"""Routes of the placements app's lots part, for tests/test_url_tenancy.py.

The consortium's lot "Alpha Secure Homes" is the victim's object: its consortium is borough A's.
Only the consortium admin may see or change it; everyone else, the borough's own people
included, is refused."""

from providers.models import Lot
from tests.test_url_tenancy import Tenant

LOT_NAME = "Alpha Secure Homes"
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


def alpha_lot(world):
    lot, _ = Lot.objects.get_or_create(
        consortium=world.consortium, code="alpha-secure", defaults={"name": LOT_NAME}
    )
    return lot


def with_alpha_lot(data):
    """A post recipe that first creates the victim's lot."""

    def recipe(world):
        alpha_lot(world)
        return data

    return recipe


def admin_route(**kwargs):
    return Tenant(
        owner="admin",
        owner_sees=LOT_NAME,
        markers=(LOT_NAME,),
        intruders=EVERYONE_BUT_THE_ADMIN,
        **kwargs,
    )


ROUTES = {
    "placements:lot_list": admin_route(post=with_alpha_lot(None)),
    "placements:lot_edit": admin_route(
        kwargs={"pk": alpha_lot},
        post={
            "weight_quality": "50",
            "weight_price": "40",
            "weight_needs": "10",
            "service_types": ["childrens_home"],
        },
        changes=True,
    ),
}
