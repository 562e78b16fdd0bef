"""Quarterly contract monitoring reports: the PDF's text (read back with a PDF reader), one
report per kind, provider and quarter however often it is generated, one email per report and
subscriber, and who may list and download them."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from dps.models import OutboundEmail
from monitoring.models import (
    CorrectiveAction,
    CorrectiveActionPlan,
    KpiSnapshot,
    MonitoringVisit,
    Report,
    ReportSubscription,
)
from monitoring.selectors import reports as selectors
from monitoring.services import reports as services
from placements.models import Placement
from providers.models import QualityScore
from tests.factories import LotFactory, ServiceFactory

Q3 = date(2026, 7, 1)
TODAY = date(2026, 10, 5)


def pdf_text(data):
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split()
    )


def report_text(report):
    with report.pdf.open("rb") as pdf:
        return pdf_text(pdf.read())


def moment(day):
    return timezone.make_aware(datetime.combine(day, datetime.min.time().replace(hour=12)))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def quarter(world):
    """In Q3 2026: provider A starts one placement and ends another unplanned, has a red KPI,
    a green visit, an overdue one, an open plan and a quality score of 72.5; provider B starts
    one placement."""
    lot = LotFactory(consortium=world.consortium, name="Children's homes")
    service_a = ServiceFactory(provider=world.provider_a, name="Alpha House")
    service_b = ServiceFactory(provider=world.provider_b, name="Bravo House")

    def placement(provider, service, borough, start, **fields):
        fields.setdefault("status", Placement.Status.STARTED)
        return Placement.objects.create(
            borough=borough,
            provider=provider,
            service=service,
            lot=lot,
            child_reference="CHILD-SECRET-1",
            weekly_fee=Decimal("4000"),
            start_date=start,
            actual_start_date=start,
            **fields,
        )

    placement(world.provider_a, service_a, world.borough_a, date(2026, 7, 15))
    placement(
        world.provider_a,
        service_a,
        world.borough_b,
        date(2026, 3, 1),
        status=Placement.Status.ENDED,
        end_date=date(2026, 8, 10),
        end_planned=False,
        end_reason="CARPL",
    )
    placement(world.provider_b, service_b, world.borough_b, date(2026, 9, 1))
    KpiSnapshot.objects.create(
        kpi="unplanned_endings_12m",
        consortium=world.consortium,
        scope=KpiSnapshot.Scope.PROVIDER,
        scope_id=world.provider_a.pk,
        period=KpiSnapshot.Period.QUARTER,
        period_start=Q3,
        period_end=date(2026, 9, 30),
        value=Decimal("25"),
        rag="red",
        computed_at=timezone.now(),
    )
    common = {"provider": world.provider_a, "consortium": world.consortium, "service": service_a}
    MonitoringVisit.objects.create(
        **common,
        due_date=date(2026, 8, 1),
        status=MonitoringVisit.Status.COMPLETED,
        visited_on=date(2026, 7, 30),
        rag="green",
    )
    MonitoringVisit.objects.create(**common, due_date=date(2026, 9, 1))
    plan = CorrectiveActionPlan.objects.create(
        provider=world.provider_a,
        consortium=world.consortium,
        kpi="unplanned_endings_12m",
        reason="Too many unplanned endings.",
    )
    CorrectiveActionPlan.objects.filter(pk=plan.pk).update(opened_at=moment(date(2026, 8, 20)))
    CorrectiveAction.objects.create(
        plan=plan, description="Review matching", owner="Registered manager", due_date=TODAY
    )
    score = QualityScore.objects.create(
        provider=world.provider_a,
        consortium=world.consortium,
        total=Decimal("72.5"),
        inspection=Decimal("80"),
        outcomes=Decimal("60"),
        compliance=Decimal("90"),
        responsiveness=Decimal("50"),
        weights={},
        inputs={},
        trigger="test",
    )
    QualityScore.objects.filter(pk=score.pk).update(computed_at=moment(date(2026, 9, 15)))
    return world


# --- Quarters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "start", "end"),
    [
        (date(2026, 10, 5), date(2026, 7, 1), date(2026, 9, 30)),
        (date(2026, 1, 5), date(2025, 10, 1), date(2025, 12, 31)),
        (date(2026, 3, 31), date(2025, 10, 1), date(2025, 12, 31)),
        (date(2026, 4, 1), date(2026, 1, 1), date(2026, 3, 31)),
    ],
)
def test_the_last_complete_quarter(today, start, end):
    assert selectors.last_complete_quarter(today) == (start, end)


# --- The PDF -------------------------------------------------------------------------------


def test_a_provider_report_shows_the_quarter(quarter):
    report = services.report_generate(
        kind=Report.Kind.PROVIDER,
        consortium=quarter.consortium,
        provider=quarter.provider_a,
        period_start=Q3,
    )

    text = report_text(report)
    assert "Contract monitoring report: Alpha Care" in text
    assert "Quarter ending 30 September 2026" in text
    assert "Placements started 1" in text
    assert "Placements ended 1" in text
    assert "of which unplanned 1" in text
    label = selectors.kpi_label("unplanned_endings_12m")
    assert f"{label} 25.0% Quarter ending 30 September 2026 Red" in text
    assert "No data: no KPIs" not in text
    assert "Visits completed 1" in text
    assert "Overdue at the end of the quarter 1" in text
    assert "Plans opened 1" in text
    assert f"20 Aug 2026 {selectors.kpi_label('unplanned_endings_12m')} Open 1 0" in text
    assert "Quality score 72.5" in text
    # Aggregates only: no child, no borough.
    assert "CHILD-SECRET-1" not in text
    assert "Alpha Borough" not in text
    assert "Bravo Borough" not in text
    assert report.period_end == date(2026, 9, 30)


def test_the_consortium_report_lists_the_providers_and_says_when_there_are_no_kpis(quarter):
    report = services.report_generate(
        kind=Report.Kind.CONSORTIUM, consortium=quarter.consortium, period_start=Q3
    )

    text = report_text(report)
    assert "Consortium contract monitoring report" in text
    assert "No data: no KPIs have been computed for this quarter." in text
    assert "Placements started 2" in text
    assert "Alpha Care" in text
    assert "Bravo Care" in text
    assert "Alpha Borough" not in text


def test_regenerating_replaces_the_pdf_of_the_same_report(quarter):
    first = services.report_generate(
        kind=Report.Kind.CONSORTIUM, consortium=quarter.consortium, period_start=Q3
    )
    old_name = first.pdf.name
    Placement.objects.filter(provider=quarter.provider_b).update(actual_start_date=date(2026, 6, 1))

    again = services.report_generate(
        kind=Report.Kind.CONSORTIUM, consortium=quarter.consortium, period_start=Q3
    )

    assert again.pk == first.pk
    assert Report.objects.count() == 1
    assert "Placements started 1" in report_text(again)
    assert again.pdf.name == old_name or not first.pdf.storage.exists(old_name)


def test_a_report_must_start_a_quarter_and_name_its_provider(quarter):
    from dps.services import DomainError

    with pytest.raises(DomainError):
        services.report_generate(
            kind=Report.Kind.CONSORTIUM,
            consortium=quarter.consortium,
            period_start=date(2026, 8, 1),
        )
    with pytest.raises(DomainError):
        services.report_generate(
            kind=Report.Kind.PROVIDER, consortium=quarter.consortium, period_start=Q3
        )


# --- The quarterly task and its emails ------------------------------------------------------


def test_the_quarter_is_generated_and_each_subscriber_emailed_once_per_report(quarter):
    for user in (quarter.commissioner_a, quarter.admin, quarter.officer_a):
        ReportSubscription.objects.create(user=user)  # the officer is no longer a reader

    reports = services.reports_generate_quarter(today=TODAY)
    services.reports_generate_quarter(today=TODAY)

    assert {(r.kind, r.provider_id) for r in reports} == {
        ("provider", quarter.provider_a.pk),
        ("provider", quarter.provider_b.pk),
        ("consortium", None),
    }
    assert Report.objects.count() == 3
    emails = OutboundEmail.objects.filter(dedupe_key__startswith="monitoring-report:")
    assert sorted(emails.values_list("to", flat=True)) == sorted(
        ["commissioner@a.test"] * 3 + ["admin@consortium.test"] * 3
    )
    consortium_report = Report.objects.get(kind="consortium")
    body = emails.filter(to="commissioner@a.test", subject__startswith="Consortium").get()
    assert f"/reports/{consortium_report.pk}/report.pdf" in body.body_text
    assert "Quarter ending 30 September 2026" in body.subject


def test_the_task_runs_the_quarter(quarter):
    from monitoring.tasks import reports_generate_quarter_task

    assert reports_generate_quarter_task(today=TODAY.isoformat()) == 3
    assert set(Report.objects.values_list("period_start", flat=True)) == {Q3}


def test_the_beat_runs_the_reports_quarterly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["monitoring-reports-quarterly"]
    assert entry["task"] == "monitoring.tasks.reports_generate_quarter"
    assert entry["schedule"].day_of_month == {5}
    assert entry["schedule"].month_of_year == {1, 4, 7, 10}


# --- Pages ---------------------------------------------------------------------------------


@pytest.fixture
def generated(quarter):
    services.reports_generate_quarter(today=TODAY)
    return {
        "consortium": Report.objects.get(kind="consortium"),
        "a": Report.objects.get(provider=quarter.provider_a),
        "b": Report.objects.get(provider=quarter.provider_b),
    }


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def test_commissioners_list_every_report_of_their_consortium(generated, world):
    page = client_of(world.commissioner_b).get("/reports/").content.decode()

    assert "Consortium report" in page
    assert "Alpha Care" in page
    assert "Bravo Care" in page


def test_another_consortiums_commissioner_sees_none_of_them(generated, world):
    from dps.models import Role
    from tests.conftest import person
    from tests.factories import BoroughFactory, ConsortiumFactory

    other = ConsortiumFactory(slug="other", name="Other Consortium")
    borough = BoroughFactory(slug="borough-z", name="Zulu Borough", consortium=other)
    stranger = person("commissioner@z.test", borough, Role.COMMISSIONER)
    client = client_of(stranger)

    page = client.get("/reports/").content.decode()
    assert "Alpha Care" not in page
    assert "No reports yet." in page
    for report in generated.values():
        assert client.get(f"/reports/{report.pk}/report.pdf").status_code == 404


def test_a_provider_lists_only_its_own_reports(generated, world):
    page = client_of(world.provider_admin_b).get("/reports/").content.decode()

    assert "Bravo Care" in page
    assert "Alpha Care" not in page
    assert "Consortium report" not in page


def test_placement_officers_have_no_reports(generated, world):
    assert client_of(world.officer_a).get("/reports/").status_code == 403


def test_the_download_is_a_pdf_for_those_who_may_read_it(generated, world):
    a = generated["a"].pk
    response = client_of(world.commissioner_b).get(f"/reports/{a}/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Alpha Care" in pdf_text(response.content)

    assert client_of(world.provider_admin_a).get(f"/reports/{a}/report.pdf").status_code == 200
    assert client_of(world.provider_admin_b).get(f"/reports/{a}/report.pdf").status_code == 404
    consortium = generated["consortium"].pk
    assert client_of(world.bidder_a).get(f"/reports/{consortium}/report.pdf").status_code == 404
    assert client_of(world.officer_a).get(f"/reports/{consortium}/report.pdf").status_code == 403
    assert Client().get(f"/reports/{a}/report.pdf").status_code == 302


def test_a_lost_file_is_rendered_again(generated, world):
    report = generated["consortium"]
    report.pdf.storage.delete(report.pdf.name)

    response = client_of(world.admin).get(f"/reports/{report.pk}/report.pdf")

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_a_commissioner_subscribes_and_unsubscribes(world):
    client = client_of(world.commissioner_a)

    assert client.post("/reports/subscription/", {"subscribe": "1"}).status_code == 302
    assert ReportSubscription.objects.filter(user=world.commissioner_a).exists()
    assert "Stop emailing me the reports" in client.get("/reports/").content.decode()
    client.post("/reports/subscription/", {"subscribe": "0"})
    assert not ReportSubscription.objects.exists()
    assert client.post("/reports/subscription/", {"subscribe": "maybe"}).status_code == 400


def test_providers_and_officers_cannot_subscribe(world):
    for user in (world.provider_admin_a, world.officer_a):
        response = client_of(user).post("/reports/subscription/", {"subscribe": "1"})
        assert response.status_code == 403
    assert not ReportSubscription.objects.exists()


# "Generate now" queues the reports: tests/monitoring/test_reports_queue.py.


# --- The list by return year ---------------------------------------------------------------


def test_the_list_is_filtered_by_return_year(generated, world):
    # An older report, in the year ending 31 March 2025.
    Report.objects.create(
        kind="consortium",
        consortium=world.consortium,
        period_start=date(2024, 10, 1),
        period_end=date(2024, 12, 31),
    )
    client = client_of(world.commissioner_a)

    every = client.get("/reports/").content.decode()
    this_year = client.get("/reports/", {"year_ending": "2027"}).content.decode()
    older = client.get("/reports/", {"year_ending": "2025"}).content.decode()

    assert "Quarter ending 31 December 2024" in every
    assert "Quarter ending 30 September 2026" in every
    assert '<option value="2027">' in every
    assert '<option value="2025">' in every
    assert "Quarter ending 30 September 2026" in this_year
    assert "Quarter ending 31 December 2024" not in this_year
    assert "Quarter ending 31 December 2024" in older
    assert "Alpha Care" not in older


@pytest.mark.parametrize("bad", ["abc", "1800", "2026"])
def test_a_bad_return_year_is_a_form_error(generated, world, bad):
    response = client_of(world.commissioner_a).get("/reports/", {"year_ending": bad})

    assert response.status_code == 400
    assert "Choose a return year from the list." in response.content.decode()


def test_the_year_filter_keeps_to_the_readers_own_reports(generated, world):
    page = client_of(world.provider_admin_b).get("/reports/", {"year_ending": "2027"})

    assert "Bravo Care" in page.content.decode()
    assert "Alpha Care" not in page.content.decode()
    assert Client().get("/reports/", {"year_ending": "2027"}).status_code == 302
