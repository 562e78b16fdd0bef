"""The Ofsted import: Ofsted's providers CSV updates the matching services' ratings, reports
what it could not use without stopping, and changes nothing when run again."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from dps.models import AuditEvent
from dps.services import DomainError
from providers.services.ofsted import ofsted_import, parse_date, parse_rating
from tests.factories import ServiceFactory

HEADER = (
    '"URN","Setting name","Provider type","Local authority","Overall effectiveness",'
    '"Inspection date"\n'
)


@pytest.fixture
def recomputed(monkeypatch):
    calls = []
    monkeypatch.setattr(
        "providers.services.quality.quality_score_recompute",
        lambda *, provider, trigger: calls.append((provider.pk, trigger)),
    )
    return calls


def run(text):
    return ofsted_import(file=io.BytesIO(text.encode()), label="test", source="test.csv")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("27/03/2025", date(2025, 3, 27)),
        ("7/3/2025", date(2025, 3, 7)),
        ("2025-03-27", date(2025, 3, 27)),
        ("27 March 2025", date(2025, 3, 27)),
        ("7 Mar 2025", date(2025, 3, 7)),
        ("", None),
    ],
)
def test_it_reads_the_date_formats_such_files_use(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Outstanding", "outstanding"),
        ("good", "good"),
        ("Requires improvement to be good", "requires_improvement"),
        ("Requires Improvement", "requires_improvement"),
        ("Inadequate", "inadequate"),
        ("Not yet inspected", "not_yet_inspected"),
        ("", "not_yet_inspected"),
    ],
)
def test_it_maps_ofsteds_judgements_to_ratings(text, expected):
    assert parse_rating(text) == expected


def test_it_updates_every_matching_service_of_any_provider_and_reports(world, recomputed):
    home_a = ServiceFactory(provider=world.provider_a, ofsted_urn="SC100001", ofsted_rating="good")
    also_a = ServiceFactory(provider=world.provider_a, ofsted_urn="SC100002", ofsted_rating="good")
    home_b = ServiceFactory(
        provider=world.provider_b,
        ofsted_urn="SC100003",
        ofsted_rating="inadequate",
        inspection_date=date(2024, 1, 5),
    )
    text = HEADER + (
        "SC100001,Hillside,Children's home,Kent,Outstanding,27/03/2025\n"
        "SC100002,Lakeside,Children's home,Kent,Requires improvement to be good,2025-01-10\n"
        "SC100003,Bravo Home,Children's home,Surrey,Good,3 February 2025\n"
        "SC999999,Not Ours,Children's home,Surrey,Good,3 February 2025\n"
    )

    report = run(text)

    for service in (home_a, also_a, home_b):
        service.refresh_from_db()
    assert (home_a.ofsted_rating, home_a.inspection_date) == ("outstanding", date(2025, 3, 27))
    assert (also_a.ofsted_rating, also_a.inspection_date) == (
        "requires_improvement",
        date(2025, 1, 10),
    )
    assert (home_b.ofsted_rating, home_b.inspection_date) == ("good", date(2025, 2, 3))
    assert report.rows_read == 4
    assert report.services_updated == 3
    assert report.unmatched_urns == ["SC999999"]
    assert report.malformed == []
    # Each provider's score is recomputed once, however many of its services changed.
    assert sorted(recomputed) == sorted(
        [
            (world.provider_a.pk, "service.ofsted_rating"),
            (world.provider_b.pk, "service.ofsted_rating"),
        ]
    )


def test_a_rating_change_is_audited_with_old_and_new(world, recomputed):
    service = ServiceFactory(
        provider=world.provider_a,
        ofsted_urn="SC100001",
        ofsted_rating="good",
        inspection_date=date(2023, 6, 1),
    )

    run(HEADER + "SC100001,Hillside,Children's home,Kent,Inadequate,27/03/2025\n")

    event = AuditEvent.objects.get(action="service.ofsted_rating")
    assert event.object_id == str(service.pk)
    assert event.detail["old"] == {"rating": "good", "inspection_date": "2023-06-01"}
    assert event.detail["new"] == {"rating": "inadequate", "inspection_date": "2025-03-27"}
    assert event.detail["line"] == 2


def test_bad_rows_are_reported_with_their_line_and_reason_and_the_rest_imported(world, recomputed):
    service = ServiceFactory(provider=world.provider_a, ofsted_urn="SC100001", ofsted_rating="good")
    text = HEADER + (
        ",No URN,Children's home,Kent,Good,27/03/2025\n"  # line 2
        "SC100002,Odd,Children's home,Kent,Excellent,27/03/2025\n"  # line 3
        "SC100003,Odd date,Children's home,Kent,Good,32/13/2025\n"  # line 4
        "SC100004,Short row\n"  # line 5
        "\n"  # line 6: blank, skipped
        "SC100001,Hillside,Children's home,Kent,Outstanding,27/03/2025\n"  # line 7
        "SC100001,Hillside again,Children's home,Kent,Inadequate,28/03/2025\n"  # line 8
    )

    report = run(text)

    service.refresh_from_db()
    assert service.ofsted_rating == "outstanding"
    reasons = dict(report.malformed)
    assert sorted(reasons) == [2, 3, 4, 5, 8]
    assert reasons[2] == "No URN."
    assert "Unknown rating" in reasons[3]
    assert "Unrecognised inspection date" in reasons[4]
    assert "too few" in reasons[5]
    assert "first on line 7" in reasons[8]
    assert report.rows_read == 6
    assert report.services_updated == 1


def test_importing_the_same_file_again_changes_nothing(world, recomputed):
    service = ServiceFactory(provider=world.provider_a, ofsted_urn="SC100001", ofsted_rating="good")
    text = HEADER + "SC100001,Hillside,Children's home,Kent,Outstanding,27/03/2025\n"

    first = run(text)
    events = AuditEvent.objects.count()
    second = run(text)

    assert (first.services_updated, second.services_updated) == (1, 0)
    assert second.unchanged == 1
    assert AuditEvent.objects.count() == events
    assert len(recomputed) == 1
    service.refresh_from_db()
    assert service.ofsted_rating == "outstanding"


def test_a_file_with_an_older_inspection_keeps_the_later_one_on_record(world, recomputed):
    service = ServiceFactory(
        provider=world.provider_a,
        ofsted_urn="SC100001",
        ofsted_rating="outstanding",
        inspection_date=date(2025, 6, 1),
    )

    report = run(HEADER + "SC100001,Hillside,Children's home,Kent,Good,27/03/2024\n")

    service.refresh_from_db()
    assert service.ofsted_rating == "outstanding"
    assert report.kept_later == 1
    assert recomputed == []


def test_headers_are_matched_whatever_their_case_spacing_or_underscores(world, recomputed):
    service = ServiceFactory(provider=world.provider_a, ofsted_urn="1234567", ofsted_rating="good")
    text = (
        "Ofsted children's social care providers, as at 31 March 2025\n"
        "\n"
        "urn,SETTING_NAME, Overall  experiences and progress of children and young people ,"
        "latest_full_inspection_date\n"
        "1234567,Hillside,Requires improvement to be good,01/04/2025\n"
    )

    report = run(text)

    service.refresh_from_db()
    assert service.ofsted_rating == "requires_improvement"
    assert report.services_updated == 1


def test_a_file_without_the_needed_columns_is_refused(world, recomputed):
    with pytest.raises(DomainError) as refused:
        run("name,colour\nHillside,blue\n")

    assert refused.value.field == "file"


def test_the_command_prints_progress_and_the_report(world, recomputed, tmp_path):
    ServiceFactory(provider=world.provider_a, ofsted_urn="SC100001", ofsted_rating="good")
    path = tmp_path / "ofsted.csv"
    path.write_text(HEADER + "SC100001,Hillside,Children's home,Kent,Outstanding,27/03/2025\n")
    out = io.StringIO()

    call_command("import_ofsted", str(path), stdout=out)

    output = out.getvalue()
    assert "Rows read: 1" in output
    assert "Services updated: 1" in output
    assert "Good -> Outstanding" in output
    event = AuditEvent.objects.get(action="service.ofsted_rating")
    assert event.actor_label == "import_ofsted command"


def test_the_upload_page_shows_the_report(client, world, recomputed):
    ServiceFactory(provider=world.provider_a, ofsted_urn="SC100001", name="Hillside")
    client.force_login(world.admin)
    upload = SimpleUploadedFile(
        "ofsted.csv",
        (
            HEADER
            + "SC100001,Hillside,Children's home,Kent,Outstanding,27/03/2025\n,Nameless,,,,\n"
        ).encode(),
        "text/csv",
    )

    response = client.post(reverse("providers:ofsted_import"), {"file": upload})

    page = response.content.decode()
    assert response.status_code == 200
    assert "2 rows read, 1 service updated." in page
    assert "Good → Outstanding" in page
    assert "No URN." in page


def test_the_upload_page_refuses_a_file_that_is_not_ofsteds(client, world):
    client.force_login(world.admin)
    upload = SimpleUploadedFile("photo.csv", b"\x89PNG\r\n\x1a\n not a csv", "text/csv")

    response = client.post(reverse("providers:ofsted_import"), {"file": upload})

    assert response.status_code == 400
    assert "no header row with URN" in response.content.decode()


def test_the_upload_page_refuses_a_file_over_the_size_cap(client, world, monkeypatch):
    monkeypatch.setattr("providers.forms.services.MAX_UPLOAD_BYTES", 10)
    client.force_login(world.admin)
    upload = SimpleUploadedFile("big.csv", HEADER.encode(), "text/csv")

    response = client.post(reverse("providers:ofsted_import"), {"file": upload})

    assert response.status_code == 400
    assert "MB or smaller" in response.content.decode()


def test_a_large_upload_is_read_from_its_temporary_file(client, world, recomputed, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # so Django spools the upload to disk
    ServiceFactory(provider=world.provider_a, ofsted_urn="SC100001", ofsted_rating="good")
    rows = "".join(
        f"SC{200000 + n},Home {n},Children's home,Kent,Good,01/02/2025\n" for n in range(500)
    )
    content = HEADER + rows + "SC100001,Hillside,Children's home,Kent,Outstanding,27/03/2025\n"
    client.force_login(world.admin)

    response = client.post(
        reverse("providers:ofsted_import"),
        {"file": SimpleUploadedFile("ofsted.csv", content.encode(), "text/csv")},
    )

    assert response.status_code == 200
    assert response.context["report"].rows_read == 501
    assert response.context["report"].services_updated == 1
