"""The documents API: a provider lists and uploads its own; a consortium admin reads those of
the providers that applied to its DPS. Never the file's content."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dps.models import AuditEvent
from providers.models import Document
from tests.factories import ApplicationFactory, DocumentFactory, LotFactory

from .documents_helpers import EXE, PDF, upload

OWN = "/api/v1/documents/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def days(n):
    return (timezone.localdate() + timedelta(days=n)).isoformat()


def multipart(**overrides):
    data = {
        "document_type": "employers_liability",
        "issued_on": days(-5),
        "expires_on": days(360),
        "file": upload(PDF, name="el.pdf"),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_provider_lists_its_documents_with_their_status_and_no_content(client, world):
    old = DocumentFactory(provider=world.provider_a, expires_on=timezone.localdate())
    new = DocumentFactory(
        provider=world.provider_a, expires_on=timezone.localdate() + timedelta(days=12)
    )
    Document.objects.filter(pk=old.pk).update(superseded_by=new)
    DocumentFactory(provider=world.provider_b)
    client.force_login(world.bidder_a)

    response = client.get(OWN)

    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert set(rows) == {old.pk, new.pk}
    assert rows[new.pk]["status"] == "expiring"
    assert rows[new.pk]["days_to_expiry"] == 12
    assert rows[new.pk]["is_current"] is True
    assert rows[old.pk]["status"] == "superseded"
    assert "file" not in rows[new.pk]
    assert client.get(OWN, {"current": "true"}).json()["results"][0]["id"] == new.pk


def test_a_provider_admin_uploads_a_document_as_multipart(client, world):
    client.force_login(world.provider_admin_a)

    response = client.post(OWN, multipart())

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["document_type"] == "employers_liability"
    assert body["content_type"] == "application/pdf"
    assert body["status"] == "current"
    document = Document.objects.get(pk=body["id"])
    assert document.provider == world.provider_a
    assert AuditEvent.objects.filter(action="document.uploaded").count() == 1


def test_a_provider_api_key_with_write_scope_uploads(client, world, api_key_for):
    response = client.post(
        OWN, multipart(), headers={"Authorization": api_key_for(world.provider_a)}
    )

    assert response.status_code == 201, response.content
    assert Document.objects.get().uploaded_by is None


def test_a_read_only_key_and_a_bidder_cannot_upload(client, world, api_key_for):
    read_only = api_key_for(world.provider_a, can_write=False)
    assert client.post(OWN, multipart(), headers={"Authorization": read_only}).status_code == 403
    client.force_login(world.bidder_a)
    assert client.post(OWN, multipart()).status_code == 403
    assert not Document.objects.exists()


def test_a_file_that_is_not_a_document_is_a_400_with_a_field_error(client, world):
    client.force_login(world.provider_admin_a)

    response = client.post(OWN, multipart(file=upload(EXE, name="el.pdf")))

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "must be a PDF" in response.json()["errors"]["file"][0]
    assert not Document.objects.exists()


def test_a_missing_expiry_date_for_an_insurance_is_a_400(client, world):
    client.force_login(world.provider_admin_a)

    response = client.post(OWN, multipart(expires_on=None))

    assert response.status_code == 400
    assert "expires_on" in response.json()["errors"]


def test_a_json_body_gets_field_errors_not_a_server_error(client, world):
    client.force_login(world.provider_admin_a)

    response = client.post(
        OWN, {"document_type": "other", "issued_on": days(-1)}, content_type="application/json"
    )

    assert response.status_code == 400
    assert "file" in response.json()["errors"]


def test_boroughs_have_no_documents_endpoint(client, world, api_key_for):
    response = client.get(OWN, headers={"Authorization": api_key_for(world.borough_a)})

    assert response.status_code == 403


def provider_documents(provider):
    return f"/api/v1/providers/{provider.pk}/documents/"


def test_a_consortium_admin_reads_the_documents_of_a_provider_that_applied(client, world):
    ApplicationFactory(
        provider=world.provider_a, lot=LotFactory(consortium=world.consortium), status="submitted"
    )
    mine = DocumentFactory(provider=world.provider_a)
    DocumentFactory(provider=world.provider_b)
    client.force_login(world.admin)

    response = client.get(provider_documents(world.provider_a))

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]


def test_a_consortium_admin_gets_a_404_for_a_provider_that_has_not_applied(client, world):
    DocumentFactory(provider=world.provider_b)
    client.force_login(world.admin)

    assert client.get(provider_documents(world.provider_b)).status_code == 404


def test_a_large_upload_with_an_idempotency_key_is_saved_once_and_replayed(client, world):
    client.force_login(world.provider_admin_a)
    big = PDF + b"0" * (3 * 1024 * 1024)  # over Django's 2.5 MB in-memory body limit
    key = {"Idempotency-Key": "upload-1"}

    first = client.post(OWN, multipart(file=upload(big, name="big.pdf")), headers=key)
    retry = client.post(OWN, multipart(file=upload(big, name="big.pdf")), headers=key)
    other = client.post(OWN, multipart(file=upload(PDF, name="small.pdf")), headers=key)

    assert first.status_code == 201, first.content
    assert retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json()["id"] == first.json()["id"]
    assert other.status_code == 422
    assert Document.objects.filter(provider=world.provider_a).count() == 1
