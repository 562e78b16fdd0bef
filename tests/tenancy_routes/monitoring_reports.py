"""Routes of the monitoring app's quarterly reports, for tests/test_url_tenancy.py.

Provider A's contract monitoring report is the victim: provider A and the consortium's
commissioners and admin may read it, so the intruders are the placement officers and provider B.
The stored file names provider A, so a download to anyone else would show the marker. Subscribing
changes only the subscriber's own row; "Generate now" and "Try again" are the consortium
admin's: they queue the consortium's reports (their rows change), and a worker renders them once
the request's transaction commits."""

from datetime import date

from django.core.files.base import ContentFile

from monitoring.models import Report
from tests.test_url_tenancy import Tenant

PDF = b"%PDF-1.4\n% Contract monitoring report: Alpha Care\n%%EOF\n"
READERS_ONLY = ("officer_a", "officer_b", "provider_admin_b", "bidder_b")


def provider_a_report(world):
    found = Report.objects.filter(provider=world.provider_a).first()
    if found:
        return found
    report = Report.objects.create(
        kind=Report.Kind.PROVIDER,
        consortium=world.consortium,
        provider=world.provider_a,
        period_start=date(2026, 7, 1),
        period_end=date(2026, 9, 30),
    )
    report.pdf.save("provider-a-2026-07.pdf", ContentFile(PDF))
    return report


def failed_report(world):
    """The consortium report of a quarter, which failed to render: the admin tries it again."""
    return Report.objects.create(
        kind=Report.Kind.CONSORTIUM,
        consortium=world.consortium,
        period_start=date(2026, 4, 1),
        period_end=date(2026, 6, 30),
        status=Report.Status.FAILED,
        error="Alpha Borough's figure broke the renderer",
    )


ROUTES = {
    # "report" is no argument of the route: it makes the report the list would show.
    "monitoring:report_list": Tenant(
        kwargs={"report": provider_a_report},
        victim="provider_a",
        owner="provider_admin_a",
        owner_sees="Alpha Care",
        intruders=READERS_ONLY,
    ),
    "monitoring:report_download": Tenant(
        kwargs={"pk": provider_a_report},
        victim="provider_a",
        owner="provider_admin_a",
        owner_sees="Contract monitoring report: Alpha Care",
        intruders=READERS_ONLY,
    ),
    "monitoring:report_subscription": Tenant(get=False, post={"subscribe": "1"}, changes=True),
    "monitoring:report_generate_now": Tenant(owner="admin", get=False, post={}, changes=True),
    "monitoring:report_retry": Tenant(
        kwargs={"pk": failed_report}, owner="admin", get=False, post={}, changes=True
    ),
}
