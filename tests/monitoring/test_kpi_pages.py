"""The consortium admin's KPI pages: recompute now, a run's progress, recent runs, thresholds."""

from decimal import Decimal
from unittest import mock

import pytest
from django.utils.html import escape

from dps.models import AuditEvent
from monitoring.kpis import KPIS
from monitoring.models import KpiRun, KpiThreshold
from monitoring.navigation import items
from tests.placements.helpers import actor_of

pytestmark = pytest.mark.django_db

PAGES = [
    "/monitoring/kpis/runs/",
    "/monitoring/kpis/thresholds/",
]


@pytest.fixture
def admin(client, world):
    client.force_login(world.admin)
    return client


def test_recompute_now_creates_a_run_queues_it_and_shows_its_progress(
    admin, world, django_capture_on_commit_callbacks
):
    with (
        mock.patch("monitoring.tasks.kpis_recompute.apply_async") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = admin.post("/monitoring/kpis/recompute/")

    run = KpiRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/monitoring/kpis/runs/{run.pk}/"
    assert run.consortium == world.consortium
    assert run.status == KpiRun.Status.QUEUED
    assert run.total_steps == len(KPIS)
    assert run.requested_by == world.admin
    queued.assert_called_once_with((run.pk,), retry=False)
    assert AuditEvent.objects.filter(action="kpi_run.requested").exists()

    page = admin.get(response["Location"]).content.decode()
    assert "Queued" in page
    assert f"0 of {len(KPIS)}" in page
    assert '<meta http-equiv="refresh" content="3">' in page


def test_a_finished_run_shows_its_snapshots_and_stops_refreshing(admin, world):
    run = KpiRun.objects.create(
        consortium=world.consortium,
        status=KpiRun.Status.DONE,
        total_steps=18,
        done_steps=18,
        snapshots_written=4321,
    )

    page = admin.get(f"/monitoring/kpis/runs/{run.pk}/").content.decode()

    assert "Done" in page
    assert "18 of 18 (100%)" in page
    assert "4321" in page
    assert 'http-equiv="refresh"' not in page


def test_the_runs_list_shows_the_consortiums_runs_only(admin, world):
    from tests.factories import ConsortiumFactory

    KpiRun.objects.create(consortium=world.consortium, trigger="ours")
    other = KpiRun.objects.create(consortium=ConsortiumFactory(), trigger="theirs")

    page = admin.get("/monitoring/kpis/runs/").content.decode()

    assert "ours" in page
    assert "theirs" not in page
    assert "Recompute now" in page
    assert admin.get(f"/monitoring/kpis/runs/{other.pk}/").status_code == 404


def test_recompute_needs_a_post(admin):
    assert admin.get("/monitoring/kpis/recompute/").status_code == 405
    assert not KpiRun.objects.exists()


@pytest.mark.parametrize("persona", ["commissioner_a", "officer_a", "provider_admin_a"])
@pytest.mark.parametrize("path", [*PAGES, "/monitoring/kpis/recompute/"])
def test_other_roles_are_refused(client, world, persona, path):
    client.force_login(getattr(world, persona))

    assert client.get(path).status_code == 403
    assert client.post(path).status_code == 403
    assert not KpiRun.objects.exists()


@pytest.mark.parametrize("path", [*PAGES, "/monitoring/kpis/recompute/"])
def test_anonymous_users_are_asked_to_sign_in(client, db, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_thresholds_page_lists_every_kpi(admin):
    page = admin.get("/monitoring/kpis/thresholds/").content.decode()

    for kpi in KPIS.values():
        assert escape(kpi.label) in page
    assert 'name="school_attendance__amber_at"' in page
    assert "Higher" in page
    assert "Lower" in page


def test_saving_thresholds_sets_them_through_the_service(admin, world):
    response = admin.post(
        "/monitoring/kpis/thresholds/",
        {
            "school_attendance__amber_at": "90",
            "school_attendance__red_at": "80",
            "unplanned_endings_12m__amber_at": "10",
            "unplanned_endings_12m__red_at": "20",
        },
    )

    assert response.status_code == 302
    rows = dict(
        KpiThreshold.objects.filter(consortium=world.consortium).values_list("kpi", "red_at")
    )
    assert rows == {"school_attendance": Decimal("80"), "unplanned_endings_12m": Decimal("20")}
    assert AuditEvent.objects.filter(action="kpi_threshold.set").count() == 2
    page = admin.get("/monitoring/kpis/thresholds/").content.decode()
    assert 'value="90"' in page


def test_unchanged_thresholds_are_not_saved_again(admin, world):
    data = {"school_attendance__amber_at": "90", "school_attendance__red_at": "80"}
    admin.post("/monitoring/kpis/thresholds/", data)
    admin.post("/monitoring/kpis/thresholds/", data)

    assert AuditEvent.objects.filter(action="kpi_threshold.set").count() == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"school_attendance__amber_at": "80", "school_attendance__red_at": "90"},
            "school_attendance__red_at",
            "Higher is better for",
        ),
        (
            {"unplanned_endings_12m__amber_at": "20", "unplanned_endings_12m__red_at": "10"},
            "unplanned_endings_12m__red_at",
            "Lower is better for",
        ),
        (
            {"school_attendance__amber_at": "80"},
            "school_attendance__red_at",
            "turns red",
        ),
        (
            {"school_attendance__amber_at": "lots", "school_attendance__red_at": "10"},
            "school_attendance__amber_at",
            "Enter a number.",
        ),
    ],
)
def test_bad_thresholds_are_a_field_error_and_keep_the_input(admin, data, field, message):
    response = admin.post("/monitoring/kpis/thresholds/", data)

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert f'id="id_{field}-error"' in page
    assert "There is a problem" in page
    for value in data.values():
        assert f'value="{value}"' in page
    assert not KpiThreshold.objects.exists()


def test_a_threshold_cannot_be_cleared_by_emptying_it(admin, world):
    KpiThreshold.objects.create(
        consortium=world.consortium, kpi="school_attendance", amber_at=90, red_at=80
    )

    response = admin.post("/monitoring/kpis/thresholds/", {})

    assert response.status_code == 400
    assert "turns amber" in response.content.decode()


def test_the_admins_navigation_has_the_kpi_pages(world):
    labels = [label for label, _ in items(actor_of(world.admin))]
    assert "KPI runs" in labels
    assert "KPI thresholds" in labels
    assert "KPI runs" not in [label for label, _ in items(actor_of(world.commissioner_a))]
