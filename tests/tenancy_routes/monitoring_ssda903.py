"""Routes of the SSDA903 return pages, for tests/test_url_tenancy.py.

Borough A's validated return is the victim: only borough A's commissioners and placement
officers may see it. Everyone else is an intruder, the consortium admin too (a return is
child-level data; the admin sees boroughs only in aggregate). Import and discard change the
return's status; the upload form posted empty changes nothing."""

from django.core.files.base import ContentFile

from monitoring.models import Ssda903Issue, Ssda903Return
from tests.test_url_tenancy import MARKERS, Tenant

HEADER_NAME = "alpha-return-header.csv"
CHILD_MARKER = "ALPHACHILD77"
URN_MARKER = "SC777001"
SSDA903_MARKERS = (*MARKERS, HEADER_NAME, CHILD_MARKER, URN_MARKER)
INTRUDERS = (
    "admin",
    "commissioner_b",
    "officer_b",
    "provider_admin_a",
    "bidder_a",
    "provider_admin_b",
    "bidder_b",
)


def victim_return(world):
    found = Ssda903Return.objects.filter(borough=world.borough_a).first()
    if found:
        return found
    found = Ssda903Return(
        borough=world.borough_a,
        year_ending=2025,
        header_name=HEADER_NAME,
        episodes_name="alpha-return-episodes.csv",
        status=Ssda903Return.Status.VALIDATED,
        children_total=2,
        children_valid=1,
        episodes_total=2,
        issues_total=1,
        report={"unmatched_urns": [URN_MARKER]},
    )
    found.header_file.save("header", ContentFile(b"CHILD,SEX,DOB\n"), save=False)
    found.episodes_file.save("episodes", ContentFile(b"CHILD,DECOM\n"), save=False)
    found.save()
    Ssda903Issue.objects.create(
        ssda903_return=found,
        file="header",
        line=2,
        child=CHILD_MARKER,
        code="DPS03",
        message="No date of birth (DOB).",
    )
    return found


def making(maker):
    def recipe(world):
        maker(world)

    return recipe


def route(**kwargs):
    return Tenant(markers=SSDA903_MARKERS, intruders=INTRUDERS, **kwargs)


ROUTES = {
    "monitoring:ssda903_return_list": route(
        kwargs={"ret": victim_return}, owner_sees=HEADER_NAME, post=making(victim_return)
    ),
    "monitoring:ssda903_return_detail": route(
        kwargs={"pk": victim_return}, owner_sees=CHILD_MARKER
    ),
    "monitoring:ssda903_return_issues_csv": route(
        kwargs={"pk": victim_return}, owner_sees=CHILD_MARKER
    ),
    "monitoring:ssda903_return_unmatched_csv": route(
        kwargs={"pk": victim_return}, owner_sees=URN_MARKER
    ),
    "monitoring:ssda903_return_import": route(
        kwargs={"pk": victim_return}, get=False, post={}, changes=True
    ),
    "monitoring:ssda903_return_discard": route(
        kwargs={"pk": victim_return}, get=False, post={}, changes=True
    ),
}
