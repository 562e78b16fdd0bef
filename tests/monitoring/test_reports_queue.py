"""'Generate now': the consortium admin's request queues the quarter's reports and returns at
once; a worker renders each after commit; the list shows each report's status; a failed one
is shown as failed and can be tried again."""

import time

import pytest
import time_machine
from django.test import Client

from monitoring import tasks
from monitoring.models import Report, ReportSubscription
from monitoring.services import reports as services
from tests.monitoring import test_reports

TODAY = test_reports.TODAY
media = test_reports.media  # the reports tests' fixtures: media in a temporary folder,
quarter = test_reports.quarter  # and a quarter with placements, KPIs, visits and a plan

Status = Report.Status
RENDER_SECONDS = 2


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=True):
        yield


@pytest.fixture
def sent(monkeypatch):
    """The report ids handed to the broker."""
    ids = []
    monkeypatch.setattr(
        tasks.report_generate_task,
        "apply_async",
        lambda args, **kwargs: ids.append(args[0]),
    )
    return ids


@pytest.fixture
def slow_render(monkeypatch):
    """Rendering a PDF takes seconds; the request must not wait for it."""

    def render(context):
        time.sleep(RENDER_SECONDS)
        return b"%PDF-1.4\n%%EOF\n"

    monkeypatch.setattr(services, "report_render", render)


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def generate_now(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client_of(user).post("/reports/generate/")


def test_the_post_queues_each_report_after_commit_and_returns_at_once(
    quarter, sent, slow_render, django_capture_on_commit_callbacks
):
    admin = client_of(quarter.admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        started = time.monotonic()
        response = admin.post("/reports/generate/")
        elapsed = time.monotonic() - started

    assert response.status_code == 302
    assert elapsed < RENDER_SECONDS  # less than one report takes to render: none was
    assert sent == []  # nothing is handed over before the transaction commits
    reports = Report.objects.order_by("pk")
    assert [r.status for r in reports] == [Status.QUEUED] * 3
    assert all(not r.pdf and r.generated_at is None for r in reports)

    for callback in callbacks:
        callback()

    assert sorted(sent) == sorted(reports.values_list("pk", flat=True))
    page = client_of(quarter.admin).get("/reports/").content.decode()
    assert "3 reports are queued or being generated" in page
    assert "Refresh this page" in page
    assert page.count(">Queued<") == 3


def test_the_task_generates_the_report_and_emails_its_subscribers(
    quarter, sent, django_capture_on_commit_callbacks
):
    ReportSubscription.objects.create(user=quarter.commissioner_a)
    generate_now(quarter.admin, django_capture_on_commit_callbacks)
    report = Report.objects.get(provider=quarter.provider_a)

    assert tasks.report_generate_task(report.pk) is True
    assert tasks.report_generate_task(report.pk) is False  # run twice, one effect

    report.refresh_from_db()
    assert report.status == Status.READY
    assert report.generated_at is not None
    with report.pdf.open("rb") as pdf:
        assert pdf.read().startswith(b"%PDF")
    assert quarter.commissioner_a.email in {e.to for e in report_emails(report)}
    page = client_of(quarter.admin).get("/reports/").content.decode()
    assert "2 reports are queued" in page
    assert ">Ready<" in page


def report_emails(report):
    from dps.models import OutboundEmail

    return OutboundEmail.objects.filter(dedupe_key__startswith=f"monitoring-report:{report.pk}:")


def test_a_report_that_fails_is_shown_as_failed_and_can_be_tried_again(
    quarter, sent, monkeypatch, django_capture_on_commit_callbacks
):
    generate_now(quarter.admin, django_capture_on_commit_callbacks)
    report = Report.objects.get(kind=Report.Kind.CONSORTIUM)

    def broken(context):
        raise OSError("No space left on device")

    monkeypatch.setattr(services, "report_render", broken)
    assert tasks.report_generate_task(report.pk) is False

    report.refresh_from_db()
    assert report.status == Status.FAILED
    page = client_of(quarter.admin).get("/reports/").content.decode()
    assert ">Failed<" in page
    assert "No space left on device" in page
    assert f"/reports/{report.pk}/retry/" in page
    assert client_of(quarter.admin).get(f"/reports/{report.pk}/report.pdf").status_code == 404

    monkeypatch.undo()
    sent.clear()
    monkeypatch.setattr(
        tasks.report_generate_task, "apply_async", lambda args, **kw: sent.append(args[0])
    )
    with django_capture_on_commit_callbacks(execute=True):
        retried = client_of(quarter.admin).post(f"/reports/{report.pk}/retry/")

    assert retried.status_code == 302
    assert sent == [report.pk]
    report.refresh_from_db()
    assert report.status == Status.QUEUED
    tasks.report_generate_task(report.pk)
    report.refresh_from_db()
    assert report.status == Status.READY


def test_only_a_failed_report_is_tried_again(quarter, sent, django_capture_on_commit_callbacks):
    generate_now(quarter.admin, django_capture_on_commit_callbacks)
    report = Report.objects.get(kind=Report.Kind.CONSORTIUM)
    sent.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(quarter.admin).post(f"/reports/{report.pk}/retry/", follow=True)

    assert "Only a report that failed can be tried again." in response.content.decode()
    assert sent == []


@pytest.mark.parametrize("persona", ["commissioner_a", "provider_admin_a", "officer_a"])
def test_only_the_consortium_admin_generates_or_retries(
    quarter, sent, persona, django_capture_on_commit_callbacks
):
    generate_now(quarter.admin, django_capture_on_commit_callbacks)
    report = Report.objects.get(provider=quarter.provider_a)
    Report.objects.filter(pk=report.pk).update(status=Status.FAILED)
    sent.clear()
    user = getattr(quarter, persona)

    with django_capture_on_commit_callbacks(execute=True):
        assert client_of(user).post("/reports/generate/").status_code == 403
        assert client_of(user).post(f"/reports/{report.pk}/retry/").status_code == 403

    assert sent == []
    assert Report.objects.get(pk=report.pk).status == Status.FAILED


def test_readers_other_than_the_admin_see_only_reports_that_have_a_pdf(
    quarter, sent, django_capture_on_commit_callbacks
):
    generate_now(quarter.admin, django_capture_on_commit_callbacks)
    queued = Report.objects.get(provider=quarter.provider_a)

    page = client_of(quarter.provider_admin_a).get("/reports/").content.decode()

    assert "No reports yet." in page
    assert (
        client_of(quarter.provider_admin_a).get(f"/reports/{queued.pk}/report.pdf").status_code
        == 404
    )


def test_asking_again_queues_ready_reports_again_but_not_one_being_generated(
    quarter, sent, django_capture_on_commit_callbacks
):
    generate_now(quarter.admin, django_capture_on_commit_callbacks)
    ready, busy, _waiting = Report.objects.order_by("pk")
    tasks.report_generate_task(ready.pk)
    Report.objects.filter(pk=busy.pk).update(status=Status.GENERATING)
    sent.clear()

    generate_now(quarter.admin, django_capture_on_commit_callbacks)

    assert busy.pk not in sent
    assert len(sent) == 2
    ready.refresh_from_db()
    assert ready.status == Status.QUEUED
    assert ready.pdf  # the last PDF stays readable until the new one is stored


@pytest.mark.django_db(transaction=True)
def test_without_a_worker_the_reports_are_generated_beside_the_request(
    quarter, settings, slow_render
):
    """The embedded mode runs tasks inline: the request still returns at once."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    admin = client_of(quarter.admin)

    started = time.monotonic()
    response = admin.post("/reports/generate/")

    assert response.status_code == 302
    assert time.monotonic() - started < RENDER_SECONDS
    deadline = time.monotonic() + 30
    while Report.objects.exclude(status=Status.READY).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert set(Report.objects.values_list("status", flat=True)) == {Status.READY}
