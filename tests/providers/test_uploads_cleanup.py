"""An upload that fails part-way leaves nothing in the media store that no row refers to: not
the partial file of a write the disk refused (ENOSPC), nor the whole file of a row the
database did not save."""

import errno

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.utils import timezone

from monitoring.models import Ssda903Return
from monitoring.services import ssda903
from providers.models import Document
from providers.services import documents
from tests.placements.helpers import actor_of

from .documents_helpers import PDF


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def files_in(media):
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


class DiskFillsUp(SimpleUploadedFile):
    """A file whose first chunk is written and whose second finds the disk full."""

    def chunks(self, chunk_size=None):
        self.seek(0)
        yield self.read()
        raise OSError(errno.ENOSPC, "No space left on device")


def upload_document(world, file):
    return documents.document_upload(
        actor=actor_of(world.provider_admin_a),
        document_type="safeguarding_policy",
        file=file,
        issued_on=timezone.localdate(),
    )


def test_a_document_the_disk_fills_up_under_leaves_no_partial_file(world, media):
    with pytest.raises(OSError, match="No space left") as failed:
        upload_document(world, DiskFillsUp("policy.pdf", PDF + b"0" * 4096))

    assert failed.value.errno == errno.ENOSPC
    assert files_in(media) == []
    assert not Document.objects.exists()


def test_a_document_whose_row_fails_to_save_leaves_no_file(world, media, monkeypatch):
    def database_down(**kwargs):
        raise DatabaseError("connection lost")

    monkeypatch.setattr(documents, "audit_record", database_down)

    with pytest.raises(DatabaseError):
        upload_document(world, SimpleUploadedFile("policy.pdf", PDF))

    assert files_in(media) == []
    assert not Document.objects.exists()


def test_the_next_upload_after_a_full_disk_is_stored_whole(world, media):
    with pytest.raises(OSError, match="No space left"):
        upload_document(world, DiskFillsUp("policy.pdf", PDF))

    document = upload_document(world, SimpleUploadedFile("policy.pdf", PDF))

    assert files_in(media) == [media / document.file.name]
    assert (media / document.file.name).read_bytes() == PDF


def test_an_ssda903_return_whose_row_fails_to_save_leaves_no_file(world, media, monkeypatch):
    def database_down(**kwargs):
        raise DatabaseError("connection lost")

    monkeypatch.setattr(ssda903, "audit_record", database_down)

    with pytest.raises(DatabaseError):
        ssda903.ssda903_return_create(
            actor=actor_of(world.officer_a),
            year_ending=2025,
            header=SimpleUploadedFile("header.csv", b"CHILD,SEX\n"),
            episodes=SimpleUploadedFile("episodes.csv", b"CHILD,DECOM\n"),
            queue=False,
        )

    assert files_in(media) == []
    assert not Ssda903Return.objects.exists()


def test_an_ssda903_episodes_file_the_disk_fills_up_under_leaves_neither_file(world, media):
    with pytest.raises(OSError, match="No space left"):
        ssda903.ssda903_return_create(
            actor=actor_of(world.officer_a),
            year_ending=2025,
            header=SimpleUploadedFile("header.csv", b"CHILD,SEX\n"),
            episodes=DiskFillsUp("episodes.csv", b"CHILD,DECOM\n"),
            queue=False,
        )

    assert files_in(media) == []


def test_the_store_never_overwrites_a_file_of_the_same_name(media):
    first = default_storage.save("reports/2026/report.pdf", ContentFile(b"first"))
    second = default_storage.save("reports/2026/report.pdf", ContentFile(b"second"))

    assert first != second
    assert default_storage.open(first).read() == b"first"
    assert default_storage.open(second).read() == b"second"
    assert len(files_in(media)) == 2
