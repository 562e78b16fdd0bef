"""Demo data of the shared core: the consortium, three boroughs, and a user of each role.

`manage.py seed_demo` runs every installed app's `demo.seed(stdout)` in INSTALLED_APPS order,
so each capability adds its own demo data without the core knowing about it."""

from allauth.account.models import EmailAddress
from django.db import transaction

from .models import Membership, Organisation, Role, User

DEMO_PASSWORD = "demo-placements-2026"  # noqa: S105 - printed for the embedded demo only
CONSORTIUM = ("south-thames", "South Thames Children's Commissioning Consortium")
BOROUGHS = [
    ("northbridge", "Northbridge Borough Council"),
    ("eastmoor", "Eastmoor Borough Council"),
    ("westvale", "Westvale Borough Council"),
]
# The real council each demo borough stands for (its area, for distances and boundaries):
# Islington, Newham, and Hammersmith and Fulham.
LA_CODES = {"northbridge": "E09000019", "eastmoor": "E09000025", "westvale": "E09000013"}


def demo_user(email, organisation, role, *, full_name, is_org_admin=False):
    user, created = User.objects.get_or_create(email=email, defaults={"full_name": full_name})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    Membership.objects.get_or_create(
        user=user,
        organisation=organisation,
        defaults={"role": role, "is_org_admin": is_org_admin},
    )
    return user


@transaction.atomic
def seed(stdout):
    consortium, _ = Organisation.objects.get_or_create(
        slug=CONSORTIUM[0], defaults={"name": CONSORTIUM[1], "kind": Organisation.Kind.CONSORTIUM}
    )
    demo_user(
        "admin@consortium.example",
        consortium,
        Role.CONSORTIUM_ADMIN,
        full_name="Alex Morgan",
        is_org_admin=True,
    )
    for slug, name in BOROUGHS:
        borough, _ = Organisation.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "kind": Organisation.Kind.BOROUGH, "consortium": consortium},
        )
        if not borough.la_code:
            borough.la_code = LA_CODES[slug]
            borough.save(update_fields=["la_code"])
        demo_user(
            f"commissioner@{slug}.example",
            borough,
            Role.COMMISSIONER,
            full_name=f"{slug.title()} Commissioner",
            is_org_admin=True,
        )
        demo_user(
            f"officer@{slug}.example",
            borough,
            Role.PLACEMENT_OFFICER,
            full_name=f"{slug.title()} Placement Officer",
        )
        demo_user(
            f"finance@{slug}.example",
            borough,
            Role.FINANCE_OFFICER,
            full_name=f"{slug.title()} Finance Officer",
        )
    stdout.write(
        "  consortium, 3 boroughs, their commissioners, placement officers and finance officers"
    )


def logins():
    """(role, email) pairs printed by `make run`."""
    rows = [("Consortium admin", "admin@consortium.example")]
    for slug, _ in BOROUGHS:
        rows.append((f"Commissioner ({slug.title()})", f"commissioner@{slug}.example"))
        rows.append((f"Placement officer ({slug.title()})", f"officer@{slug}.example"))
        rows.append((f"Finance officer ({slug.title()})", f"finance@{slug}.example"))
    return rows
