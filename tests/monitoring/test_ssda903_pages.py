"""The SSDA903 pages: upload, progress, issues, CSV downloads, import and discard, and who is
refused. Tasks are not run eagerly: the on-commit callbacks are captured and the tasks called."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from monitoring.models import Ssda903Return
from monitoring.services import ssda903 as service
from monitoring.tasks import ssda903_import_task, ssda903_validate_task
from placements.models import Child
from tests.monitoring.ssda903_helpers import EPISODES, HEADER, ep, hd

pytestmark = pytest.mark.usefixtures("frozen", "no_dfe_rules")
LIST = reverse("monitoring:ssda903_return_list")


def files(header=None, episodes=None):
    return {
        "header": SimpleUploadedFile(
            "header.csv", (header or HEADER + hd("C1") + hd("C2", dob="soon")).encode()
        ),
        "episodes": SimpleUploadedFile(
            "episodes.csv",
            (episodes or EPISODES + ep("C1", "01/04/2024") + ep("C2", "01/04/2024")).encode(),
        ),
        "year_ending": "2025",
    }


def upload(client, user, django_capture_on_commit_callbacks, **data):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(LIST, files(**data))
    return response, callbacks


def test_an_officer_uploads_a_return_and_a_worker_checks_it(
    client, world, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(service, "enqueue_validation", queued.append)
    response, callbacks = upload(client, world.officer_a, django_capture_on_commit_callbacks)

    ssda903_return = Ssda903Return.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "monitoring:ssda903_return_detail", args=[ssda903_return.pk]
    )
    assert (ssda903_return.borough, ssda903_return.uploaded_by) == (
        world.borough_a,
        world.officer_a,
    )
    assert (ssda903_return.status, ssda903_return.header_name) == ("queued", "header.csv")
    assert "ssda903/" in ssda903_return.header_file.name
    assert "header.csv" not in ssda903_return.header_file.name

    # The page refreshes itself while the return waits for a worker.
    page = client.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert "Waiting to be checked" in page

    for callback in callbacks:
        callback()
    assert queued == [ssda903_return.pk]
    ssda903_validate_task(ssda903_return.pk)

    page = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in page
    assert "Import the 1 valid children" in page
    assert "DPS03" in page
    assert "Unreadable DOB “soon”." in page


def test_the_upload_form_refuses_missing_files_too_large_ones_and_a_bad_year(
    client, world, monkeypatch
):
    client.force_login(world.commissioner_a)
    response = client.post(LIST, {"year_ending": "2025"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose the header file." in page
    assert "Choose the episodes file." in page

    data = files()
    data["year_ending"] = "2010"
    response = client.post(LIST, data)
    assert response.status_code == 400
    assert "Choose one of the years listed." in response.content.decode()

    monkeypatch.setattr("monitoring.forms.ssda903.MAX_FILE_BYTES", 10)
    response = client.post(LIST, files())
    assert response.status_code == 400
    assert "The file must be smaller than" in response.content.decode()
    assert not Ssda903Return.objects.exists()


def test_the_list_shows_the_boroughs_returns_newest_first(client, world):
    for year in (2024, 2025):
        service.ssda903_return_create(
            actor=None,
            borough=world.borough_a,
            year_ending=year,
            header=b"x",
            episodes=b"y",
            label="test",
            queue=False,
        )
    client.force_login(world.commissioner_a)
    page = client.get(LIST).content.decode()
    assert page.index("31 March 2025") < page.index("31 March 2024")
    assert "1 April 2024 to 31 March 2025" in page  # the year select


def validated(world, **data):
    upload_files = files(**data)
    ssda903_return = service.ssda903_return_create(
        actor=None,
        borough=world.borough_a,
        year_ending=2025,
        header=upload_files["header"].read(),
        episodes=upload_files["episodes"].read(),
        label="test",
        queue=False,
    )
    return service.ssda903_return_validate(ssda903_return)


def test_import_runs_once_and_shows_what_it_did(
    client, world, django_capture_on_commit_callbacks, monkeypatch
):
    ssda903_return = validated(
        world,
        episodes=EPISODES + ep("C1", "01/04/2024", urn="SC123456") + ep("C2", "01/04/2024"),
    )
    queued = []
    monkeypatch.setattr(service, "enqueue_import", queued.append)
    client.force_login(world.officer_a)
    url = reverse("monitoring:ssda903_return_import", args=[ssda903_return.pk])

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url)
        second = client.post(url)  # a double click

    assert first.status_code == second.status_code == 302
    assert queued == [ssda903_return.pk]
    ssda903_return.refresh_from_db()
    assert ssda903_return.status == "importing"
    detail = client.get(first["Location"]).content.decode()
    assert 'http-equiv="refresh"' in detail
    ssda903_import_task(ssda903_return.pk)
    ssda903_import_task(ssda903_return.pk)  # run twice: one effect

    assert list(Child.objects.values_list("reference", flat=True)) == ["C1"]
    page = client.get(first["Location"]).content.decode()
    assert "What the import did" in page
    assert "1 child left out for issues." in page
    assert "URNs that match no service on the DPS: 1" in page
    assert "SC123456" in page
    response = client.get(
        reverse("monitoring:ssda903_return_unmatched_csv", args=[ssda903_return.pk])
    )
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().splitlines() == ["urn", "SC123456"]


def test_a_refused_return_shows_its_problems_and_offers_no_import(client, world):
    ssda903_return = validated(world, header="CHILD,SEX\nC1,1\n")
    client.force_login(world.commissioner_a)
    page = client.get(
        reverse("monitoring:ssda903_return_detail", args=[ssda903_return.pk])
    ).content.decode()
    assert "The header file has no column DOB" in page
    assert "Import the" not in page

    response = client.post(reverse("monitoring:ssda903_return_import", args=[ssda903_return.pk]))
    assert response.status_code == 302
    ssda903_return.refresh_from_db()
    assert ssda903_return.status == "refused"


def test_do_not_import_discards_the_return(client, world):
    ssda903_return = validated(world)
    client.force_login(world.commissioner_a)
    client.post(reverse("monitoring:ssda903_return_discard", args=[ssda903_return.pk]))
    ssda903_return.refresh_from_db()
    assert ssda903_return.status == "discarded"
    assert not Child.objects.exists()
    page = client.get(
        reverse("monitoring:ssda903_return_detail", args=[ssda903_return.pk])
    ).content.decode()
    assert "Import the" not in page


def test_the_issues_download_holds_every_issue(client, world):
    header = HEADER + "".join(hd(f"C{i}", dob="soon") for i in range(60))
    episodes = EPISODES + "".join(ep(f"C{i}", "01/04/2024") for i in range(60))
    ssda903_return = validated(world, header=header, episodes=episodes)
    client.force_login(world.officer_a)

    page = client.get(
        reverse("monitoring:ssda903_return_detail", args=[ssda903_return.pk])
    ).content.decode()
    assert "The first 50 issues" in page
    assert page.count("Unreadable DOB") == 51  # 50 rows and the summary
    response = client.get(reverse("monitoring:ssda903_return_issues_csv", args=[ssda903_return.pk]))
    lines = response.content.decode().splitlines()
    assert lines[0] == "file,line,child,code,message,fields"
    assert len(lines) == 61
    assert lines[1].startswith("header,2,C0,DPS03,")


VIEWS = [
    ("monitoring:ssda903_return_detail", "get"),
    ("monitoring:ssda903_return_issues_csv", "get"),
    ("monitoring:ssda903_return_unmatched_csv", "get"),
    ("monitoring:ssda903_return_import", "post"),
    ("monitoring:ssda903_return_discard", "post"),
]


@pytest.mark.parametrize(("name", "method"), VIEWS)
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("commissioner_b", 404),
        ("officer_b", 404),
        ("provider_admin_a", 403),
        ("bidder_b", 403),
        ("admin", 403),
    ],
)
def test_everyone_but_the_boroughs_people_is_refused(client, world, name, method, who, status):
    ssda903_return = validated(world)
    client.force_login(getattr(world, who))
    response = getattr(client, method)(reverse(name, args=[ssda903_return.pk]))
    assert response.status_code == status
    ssda903_return.refresh_from_db()
    assert ssda903_return.status == "validated"


@pytest.mark.parametrize(("name", "method"), VIEWS)
def test_an_anonymous_user_is_sent_to_sign_in(client, world, name, method):
    ssda903_return = validated(world)
    response = getattr(client, method)(reverse(name, args=[ssda903_return.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("who", ["provider_admin_a", "admin"])
def test_the_list_is_refused_outside_the_borough(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(LIST).status_code == 403
    assert client.post(LIST, files()).status_code == 403
    assert not Ssda903Return.objects.exists()
