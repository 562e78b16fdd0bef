"""Routes of the providers app's directory part, for tests/test_url_tenancy.py.

The victim, provider A, is enrolled only on a lot of another consortium, "Other Consortium",
and scored there. So everyone of the test consortium (boroughs A and B, their API keys) and
provider B must see nothing of it, while the positive control, a placement officer of the
other consortium's borough (`world.other_officer`, made by the recipe), sees it."""

from dps.models import Organisation, Role
from providers.models import Application, Enrolment, Lot, QualityScore
from providers.services.quality import quality_score_recompute
from tests.conftest import person
from tests.test_url_tenancy import Tenant


def enrolled_elsewhere(world):
    """Provider A, enrolled and scored on a lot of another consortium, whose borough's officer
    becomes `world.other_officer`."""
    other, _ = Organisation.objects.get_or_create(
        slug="other-consortium",
        defaults={"name": "Other Consortium", "kind": Organisation.Kind.CONSORTIUM},
    )
    borough, _ = Organisation.objects.get_or_create(
        slug="other-borough",
        defaults={"name": "Other Borough", "kind": Organisation.Kind.BOROUGH, "consortium": other},
    )
    if not hasattr(world, "other_officer"):
        world.other_officer = person("officer@other.test", borough, Role.PLACEMENT_OFFICER)
    lot, _ = Lot.objects.get_or_create(
        consortium=other, code="homes", defaults={"name": "Other homes"}
    )
    if not Enrolment.objects.filter(provider=world.provider_a, lot=lot).exists():
        application = Application.objects.create(
            provider=world.provider_a, lot=lot, status=Application.Status.APPROVED
        )
        Enrolment.objects.create(provider=world.provider_a, lot=lot, application=application)
        quality_score_recompute(provider=world.provider_a, trigger="enrolled")
    return world.provider_a


def scored_elsewhere(world):
    """The newest snapshot of provider A's score with the other consortium."""
    enrolled_elsewhere(world)
    return QualityScore.objects.filter(provider=world.provider_a).first()


# Seen by the other consortium's officer only.
ELSEWHERE = {
    "victim": "provider_a",
    "owner": "other_officer",
    "owner_sees": "Alpha Care",
}

ROUTES = {
    # List routes have no URL argument: the unused "setup" argument makes the victim's data.
    "providers:directory": Tenant(kwargs={"setup": enrolled_elsewhere}, **ELSEWHERE),
    "providers:directory_provider": Tenant(kwargs={"pk": enrolled_elsewhere}, **ELSEWHERE),
    "api:providers:providers": Tenant(kwargs={"setup": enrolled_elsewhere}, **ELSEWHERE),
    "api:providers:provider": Tenant(kwargs={"pk": enrolled_elsewhere}, **ELSEWHERE),
}
