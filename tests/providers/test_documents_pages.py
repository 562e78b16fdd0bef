"""The documents pages: uploading (and renewing), the list with each type's status, and
downloads that only the provider and its consortium admins get."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dps.models import AuditEvent, Role
from providers.models import Document
from tests.conftest import person
from tests.factories import ApplicationFactory, ConsortiumFactory, DocumentFactory, LotFactory

from .documents_helpers import EXE, HTML, PDF, ZIP, upload

UPLOAD = "/documents/upload/"
LIST = "/documents/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def days(n):
    return timezone.localdate() + timedelta(days=n)


def form(**overrides):
    data = {
        "document_type": "public_liability",
        "issued_on": days(-30).isoformat(),
        "expires_on": days(335).isoformat(),
        "file": upload(PDF, name="Liability 2026.pdf"),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def stored_files(media):
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


@pytest.fixture
def admin_a(client, world):
    client.force_login(world.provider_admin_a)
    return client


def test_a_provider_admin_uploads_a_document_kept_under_a_random_name(admin_a, world, media):
    response = admin_a.post(UPLOAD, form())

    assert response.status_code == 302
    assert response["Location"] == LIST
    document = Document.objects.get()
    assert document.provider == world.provider_a
    assert document.original_name == "Liability 2026.pdf"
    assert document.content_type == "application/pdf"
    assert document.size == len(PDF)
    assert document.uploaded_by == world.provider_admin_a
    assert document.file.name.startswith(f"documents/{world.provider_a.pk}/")
    assert "Liability" not in document.file.name
    assert stored_files(media) == [media / document.file.name]
    assert (media / document.file.name).read_bytes() == PDF
    event = AuditEvent.objects.get(action="document.uploaded")
    assert event.object_id == str(document.pk)
    assert event.organisation == world.provider_a


def test_a_pdf_named_as_a_word_document_is_stored_as_the_pdf_it_is(admin_a):
    response = admin_a.post(
        UPLOAD, form(file=upload(PDF, name="policy.docx", content_type="application/msword"))
    )

    assert response.status_code == 302
    document = Document.objects.get()
    assert document.original_name == "policy.docx"
    assert document.content_type == "application/pdf"


@pytest.mark.parametrize("data", [EXE, HTML, ZIP], ids=["exe", "html", "zip"])
def test_a_file_that_is_not_a_document_is_refused_and_nothing_saved_is_lost(
    admin_a, world, media, data
):
    kept = DocumentFactory(provider=world.provider_a, document_type="public_liability")
    before = stored_files(media)

    response = admin_a.post(
        UPLOAD, form(file=upload(data, name="certificate.pdf"), issued_on="2026-01-10")
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "The selected file must be a PDF, a PNG or JPEG image, or a Word document" in html
    # What was typed is kept: the type chosen and the dates.
    assert 'value="2026-01-10"' in html
    assert '<option value="public_liability" selected>' in html
    # Nothing stored, nothing superseded.
    assert list(Document.objects.all()) == [kept]
    kept.refresh_from_db()
    assert kept.superseded_by is None
    assert stored_files(media) == before


def test_a_file_over_the_limit_is_refused_with_a_form_error(admin_a, settings):
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024

    response = admin_a.post(UPLOAD, form(file=upload(PDF + b"0" * 1024 * 1024)))

    assert response.status_code == 400
    assert "The selected file must be smaller than 1 MB." in response.content.decode()
    assert not Document.objects.exists()


def test_an_insurance_certificate_needs_an_expiry_date(admin_a):
    response = admin_a.post(UPLOAD, form(expires_on=None))

    assert response.status_code == 400
    assert "Enter the expiry date" in response.content.decode()
    assert not Document.objects.exists()


def test_a_safeguarding_policy_needs_no_expiry_date(admin_a):
    response = admin_a.post(UPLOAD, form(document_type="safeguarding_policy", expires_on=None))

    assert response.status_code == 302
    assert Document.objects.get().expires_on is None


def test_the_expiry_date_must_be_after_the_issue_date(admin_a):
    response = admin_a.post(
        UPLOAD, form(issued_on=days(-10).isoformat(), expires_on=days(-20).isoformat())
    )

    assert response.status_code == 400
    assert "The expiry date must be after the issue date." in response.content.decode()


def test_an_already_expired_document_is_refused(admin_a):
    response = admin_a.post(
        UPLOAD, form(issued_on=days(-400).isoformat(), expires_on=days(0).isoformat())
    )

    assert response.status_code == 400
    assert "This document has expired" in response.content.decode()


def test_a_renewal_supersedes_the_current_document_and_both_are_listed(admin_a, world):
    admin_a.post(UPLOAD, form(file=upload(PDF, name="old.pdf"), expires_on=days(20).isoformat()))
    admin_a.post(UPLOAD, form(file=upload(PDF, name="new.pdf")))

    old, new = Document.objects.order_by("pk")
    assert old.superseded_by == new
    assert new.superseded_by is None
    html = admin_a.get(LIST).content.decode()
    current, history = html.split("Current documents")[1].split("Earlier documents")
    assert "new.pdf" in current
    assert "old.pdf" not in current
    assert "old.pdf" in history


def test_the_list_tags_each_document_and_the_missing_mandatory_ones(admin_a, world):
    DocumentFactory(provider=world.provider_a, document_type="public_liability", expires_on=days(5))
    DocumentFactory(
        provider=world.provider_a, document_type="employers_liability", expires_on=days(-1)
    )
    DocumentFactory(
        provider=world.provider_a, document_type="professional_indemnity", expires_on=days(200)
    )

    html = admin_a.get(LIST).content.decode()

    assert "Expires in 5 days" in html
    assert "Expired" in html
    assert "Current" in html
    # Safeguarding policy, financial standing and DPS terms were never uploaded.
    assert html.count(">Missing<") == 3


def test_a_bidder_sees_the_documents_but_cannot_upload(client, world):
    DocumentFactory(provider=world.provider_a, original_name="alpha.pdf")
    client.force_login(world.bidder_a)

    assert "alpha.pdf" in client.get(LIST).content.decode()
    assert "Upload a document" not in client.get(LIST).content.decode()
    assert client.get(UPLOAD).status_code == 403
    assert client.post(UPLOAD, form()).status_code == 403
    assert Document.objects.count() == 1


# --- Downloads ------------------------------------------------------------------------------


@pytest.fixture
def document(world):
    return DocumentFactory(
        provider=world.provider_a,
        file__data=PDF,
        original_name="Alpha liability.pdf",
        size=len(PDF),
    )


def download(client, document):
    return client.get(f"/documents/{document.pk}/download/")


@pytest.mark.parametrize("who", ["provider_admin_a", "bidder_a"])
def test_the_providers_users_download_its_document_as_an_attachment(client, world, document, who):
    client.force_login(getattr(world, who))

    response = download(client, document)

    assert response.status_code == 200
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Alpha liability.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "who", ["provider_admin_b", "bidder_b", "commissioner_a", "officer_b", "admin"]
)
def test_anyone_else_gets_a_404(client, world, document, who):
    # The consortium admin too, while provider A has not applied to its DPS.
    client.force_login(getattr(world, who))

    assert download(client, document).status_code == 404


def test_an_anonymous_user_is_sent_to_sign_in(client, document):
    response = download(client, document)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_consortium_admin_downloads_the_document_of_a_provider_that_applied(
    client, world, document
):
    ApplicationFactory(
        provider=world.provider_a, lot=LotFactory(consortium=world.consortium), status="submitted"
    )
    client.force_login(world.admin)

    response = download(client, document)

    assert response.status_code == 200
    assert response.content == PDF


def test_a_draft_application_does_not_open_the_documents_to_the_consortium(client, world, document):
    ApplicationFactory(
        provider=world.provider_a, lot=LotFactory(consortium=world.consortium), status="draft"
    )
    client.force_login(world.admin)

    assert download(client, document).status_code == 404


def test_another_consortiums_admin_gets_a_404(client, world, document):
    ApplicationFactory(
        provider=world.provider_a, lot=LotFactory(consortium=world.consortium), status="submitted"
    )
    other = ConsortiumFactory(slug="other", name="Other Consortium")
    client.force_login(person("admin@other.test", other, Role.CONSORTIUM_ADMIN, admin=True))

    assert download(client, document).status_code == 404


def test_every_download_is_audited(client, world, document):
    client.force_login(world.provider_admin_a)

    download(client, document)
    download(client, document)

    events = AuditEvent.objects.filter(action="document.downloaded", object_id=str(document.pk))
    assert events.count() == 2
    assert events.first().actor_user == world.provider_admin_a


def test_a_refused_download_is_not_recorded_as_a_download(client, world, document):
    client.force_login(world.provider_admin_b)

    download(client, document)

    assert not AuditEvent.objects.filter(action="document.downloaded").exists()


def test_no_url_serves_the_stored_files(client, world, document, settings):
    client.force_login(world.provider_admin_a)

    for prefix in ("/media/", "/", "/static/", settings.MEDIA_URL or "/"):
        response = client.get(f"{prefix}{document.file.name}")
        assert response.status_code == 404, prefix
    assert not settings.MEDIA_URL or settings.MEDIA_URL == "/"  # nothing mounted at MEDIA_URL


def test_the_consortium_admin_sees_an_applicants_documents(client, world, document):
    ApplicationFactory(
        provider=world.provider_a, lot=LotFactory(consortium=world.consortium), status="submitted"
    )
    client.force_login(world.admin)

    response = client.get(f"/consortium/providers/{world.provider_a.pk}/documents/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Alpha liability.pdf" in html
    assert "Upload a document" not in html


def test_the_consortium_admin_gets_a_404_for_a_provider_that_has_not_applied(client, world):
    client.force_login(world.admin)

    response = client.get(f"/consortium/providers/{world.provider_a.pk}/documents/")

    assert response.status_code == 404


def test_the_renew_link_opens_the_form_with_the_type_chosen(admin_a):
    html = admin_a.get(UPLOAD, {"type": "dps_terms"}).content.decode()

    assert '<option value="dps_terms" selected>' in html
    assert 'enctype="multipart/form-data"' in html
    assert "A PDF, a PNG or JPEG image, or a Word document (.docx or .doc), up to 10 MB." in html
