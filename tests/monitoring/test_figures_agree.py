"""One figure, one answer: the documents KPI and the quality score's compliance part count by
one rule, and a KPI reads the same on the dashboard, in the quarterly report, in the CSV and in
the API."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from dps.formatting import figure_display, figure_rounded
from monitoring.kpis.periods import return_year, year_ending_of
from monitoring.models import KpiSnapshot
from monitoring.selectors.reports import report_context
from monitoring.services.reports import report_html
from providers.models import Document, Enrolment
from providers.selectors.quality import rounded
from providers.services.quality import compliance_part
from tests.factories import EnrolmentFactory, LotFactory
from tests.monitoring.kpi_data import Q1, Q2, TODAY, at, document, values

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled(world):
    EnrolmentFactory(provider=world.provider_a, lot=LotFactory(consortium=world.consortium))
    Enrolment.objects.update(enrolled_at=at("2023-01-01"))


def test_the_documents_kpi_today_is_the_quality_scores_compliance_part(world, enrolled):
    a = world.provider_a
    today = TODAY.isoformat()
    document(a, "public_liability", "2024-01-10", "2025-01-31")  # current
    document(a, "safeguarding_policy", "2024-01-10")  # no expiry: current
    document(a, "employers_liability", "2024-01-10", today)  # expired on its expiry date
    # A renewal replaces the document it renews, even with an earlier expiry date.
    old = document(a, "professional_indemnity", "2024-01-10", "2025-06-30")
    new = document(a, "professional_indemnity", "2024-05-01", "2024-06-01")
    Document.objects.filter(pk=old.pk).update(superseded_by=new)
    document(a, "ofsted_report", "2024-01-10")  # not mandatory

    part = compliance_part(a, today=TODAY)
    [kpi] = values("documents_current", "provider", [Q2], a.pk)

    assert part.inputs["current"] == 2
    assert rounded(kpi) == part.value == Decimal("33.33")


def test_a_renewal_uploaded_after_a_period_leaves_the_document_it_renews_counted_in_it(
    world, enrolled
):
    a = world.provider_a
    old = document(a, "public_liability", "2024-01-10", "2024-12-31")
    new = document(a, "public_liability", "2024-05-01", "2025-12-31")
    Document.objects.filter(pk=old.pk).update(superseded_by=new)

    assert values("documents_current", "provider", [Q1], a.pk) == [Decimal("16.6667")]


def test_a_period_before_the_provider_enrolled_has_no_documents_figure(world, enrolled):
    a = world.provider_a
    Enrolment.objects.update(enrolled_at=at("2024-05-01"))
    document(a, "safeguarding_policy", "2024-05-01")

    # Before 1 May nothing was asked of the provider: no figure, not 0%.
    assert values("documents_current", "provider", [Q1, Q2], a.pk) == [None, Decimal("16.6667")]


# --- One formatter ----------------------------------------------------------------------------


def test_the_formatter_rounds_half_up_to_the_units_places():
    assert figure_display(Decimal("1234567.885"), "pounds") == "£1,234,567.89"
    assert figure_display(Decimal("-12.5"), "pounds") == "-£12.50"
    assert figure_display(Decimal("12.25"), "percent") == "12.3%"
    assert figure_display(Decimal("44.5"), "days") == "45 days"
    assert figure_display(Decimal("1"), "days") == "1 day"
    assert figure_display(Decimal("1204"), "count") == "1,204"
    assert figure_display(None, "pounds") == "No data"
    assert figure_rounded(Decimal("1234567.8850"), "pounds") == Decimal("1234567.89")


def test_a_kpi_reads_the_same_on_the_dashboard_in_the_report_in_the_csv_and_in_the_api(
    client, world
):
    year = return_year(year_ending_of(timezone.localdate()) - 1)  # the dashboard's default
    quarter_start = date(year.end.year, 1, 1)  # its last quarter
    KpiSnapshot.objects.create(
        kpi="mean_weekly_cost",
        consortium=world.consortium,
        scope=KpiSnapshot.Scope.CONSORTIUM,
        scope_id=world.consortium.pk,
        period=KpiSnapshot.Period.QUARTER,
        period_start=quarter_start,
        period_end=year.end,
        value=Decimal("1234567.8850"),
        computed_at=timezone.now(),
    )
    client.force_login(world.admin)

    page = client.get("/monitoring/dashboard/").content.decode()
    download = client.get("/monitoring/dashboard/?format=csv&chart=headline-figures")
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    report = report_html(
        report_context(
            kind="consortium",
            consortium=world.consortium,
            provider=None,
            period_start=quarter_start,
        )
    )
    api = client.get("/api/v1/kpi-snapshots/?kpi=mean_weekly_cost").json()["results"]

    assert "£1,234,567.89" in page
    assert "£1,234,568" not in page
    assert next(row[:3] for row in rows if row[0] == "Mean weekly cost") == [
        "Mean weekly cost",
        "pounds",
        "1234567.89",
    ]
    assert "£1,234,567.89" in report
    assert api[0]["value_display"] == "£1,234,567.89"
