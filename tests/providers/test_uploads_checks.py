"""What an upload is stored as, and what is refused: the stored name's extension is the kind
the content was found to be; a file that is also a web page (a polyglot) and a Word document
that unpacks far beyond its size (a zip bomb) are refused, with a form error and a 400 field
error."""

import io
import struct
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from providers import uploads
from providers.models import Document
from providers.uploads import document_content_type

from .documents_helpers import DOC, DOCX, JPEG, PDF, PNG, upload

UPLOAD = "/documents/upload/"
API = "/api/v1/documents/"
# A PDF that a browser would also render as a page (and run its script).
PDF_WITH_HTML = PDF + b"<html><body><script>alert(document.cookie)</script></body></html>\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def form(file):
    today = timezone.localdate()
    return {
        "document_type": "public_liability",
        "issued_on": (today - timedelta(days=30)).isoformat(),
        "expires_on": (today + timedelta(days=335)).isoformat(),
        "file": file,
    }


def docx_with(parts, compression=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def patched(data, name, offset, fmt, value):
    """The ZIP `data` with the field at `offset` of part `name`'s directory entry set."""
    entry = data.index(b"PK\x01\x02")  # the directory's first entry: its name at 46
    while data[entry + 46 : entry + 46 + len(name)] != name.encode():
        entry = data.index(b"PK\x01\x02", entry + 4)
    at = entry + offset
    return data[:at] + struct.pack(fmt, value) + data[at + struct.calcsize(fmt) :]


def understating(data, name, size):
    """The ZIP `data` with its directory claiming that part `name` unpacks to `size` bytes."""
    return patched(data, name, 24, "<I", size)


@pytest.mark.parametrize(
    ("data", "name", "extension"),
    [
        (PDF, "policy.docx", ".pdf"),
        (JPEG, "scan.pdf", ".jpg"),
        (PNG, "scan", ".png"),
        (DOCX, "policy.pdf", ".docx"),
        (DOC, "policy.exe", ".doc"),
    ],
)
def test_the_stored_name_takes_the_extension_of_the_kind_found_not_the_uploaded_name(
    client, world, media, data, name, extension
):
    client.force_login(world.provider_admin_a)

    response = client.post(UPLOAD, form(upload(data, name=name)))

    assert response.status_code == 302
    stored = Document.objects.get().file.name
    assert stored.endswith(extension)
    assert stored.count(".") == 1
    assert (media / stored).read_bytes() == data


@pytest.mark.parametrize(
    "data",
    [
        PDF_WITH_HTML,
        PDF + b"\n%<SCRIPT src=//evil.example/x.js></SCRIPT>",
        PNG + b"<!DOCTYPE HTML><p>hello",
        JPEG + b"<iframe src=//evil.example>",
    ],
    ids=["pdf-html", "pdf-script-upper-case", "png-doctype", "jpeg-iframe"],
)
def test_it_refuses_a_file_that_is_also_a_web_page(data):
    with pytest.raises(ValidationError) as refused:
        document_content_type(upload(data, name="certificate.pdf"))

    assert refused.value.code == "contains_html"
    assert "web page code" in refused.value.messages[0]


def test_it_finds_markup_split_across_the_chunks_it_reads(monkeypatch):
    monkeypatch.setattr(uploads, "SCAN_CHUNK", 16)
    data = PDF + b"x" * (16 - len(PDF) % 16 - 3) + b"<script>"

    with pytest.raises(ValidationError) as refused:
        document_content_type(upload(data))

    assert refused.value.code == "contains_html"


def test_a_polyglot_is_a_form_error_and_nothing_is_stored(client, world, media):
    client.force_login(world.provider_admin_a)

    response = client.post(UPLOAD, form(upload(PDF_WITH_HTML, name="certificate.pdf")))

    assert response.status_code == 400
    assert "web page code" in response.content.decode()
    assert not Document.objects.exists()
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_a_polyglot_is_a_400_with_a_field_error_in_the_api(client, world):
    client.force_login(world.provider_admin_a)

    response = client.post(API, form(upload(PDF_WITH_HTML, name="certificate.pdf")))

    assert response.status_code == 400
    assert "web page code" in response.json()["errors"]["file"][0]
    assert not Document.objects.exists()


def test_it_refuses_a_word_document_that_unpacks_beyond_the_limit(monkeypatch):
    monkeypatch.setattr(uploads, "DOCX_MAX_UNPACKED", 1024 * 1024)
    bomb = docx_with({"word/media/zeros.bin": b"\0" * (2 * 1024 * 1024)})
    assert len(bomb) < 10 * 1024  # small to send, large to open

    with pytest.raises(ValidationError) as refused:
        document_content_type(upload(bomb, name="policy.docx"))

    assert refused.value.code == "unpacks_too_far"
    assert "unpacks to more than 1 MB" in refused.value.messages[0]


def test_it_refuses_a_word_document_whose_directory_understates_a_part():
    bomb = understating(
        docx_with({"word/media/zeros.bin": b"\0" * (1024 * 1024)}), "word/media/zeros.bin", 10
    )

    with pytest.raises(ValidationError):
        document_content_type(upload(bomb, name="policy.docx"))


@pytest.mark.parametrize(
    ("offset", "value"), [(8, 0x1), (10, 9)], ids=["encrypted", "deflate64-compressed"]
)
def test_a_word_document_it_cannot_open_is_refused_not_a_server_error(offset, value):
    locked = patched(docx_with({}), "word/document.xml", offset, "<H", value)

    with pytest.raises(ValidationError) as refused:
        document_content_type(upload(locked, name="policy.docx"))

    assert refused.value.code == "unsupported_type"


def test_it_refuses_a_word_document_of_too_many_parts(monkeypatch):
    monkeypatch.setattr(uploads, "DOCX_MAX_PARTS", 5)
    crowded = docx_with({f"word/media/image{n}.png": "x" for n in range(10)})

    with pytest.raises(ValidationError) as refused:
        document_content_type(upload(crowded, name="policy.docx"))

    assert refused.value.code == "unpacks_too_far"


def test_a_zip_bomb_is_a_form_error_and_a_400_in_the_api(client, world, monkeypatch):
    monkeypatch.setattr(uploads, "DOCX_MAX_UNPACKED", 1024 * 1024)
    bomb = docx_with({"word/media/zeros.bin": b"\0" * (2 * 1024 * 1024)})
    client.force_login(world.provider_admin_a)

    page = client.post(UPLOAD, form(upload(bomb, name="policy.docx")))
    api = client.post(API, form(upload(bomb, name="policy.docx")))

    assert page.status_code == 400
    assert "unpacks to more than 1 MB" in page.content.decode()
    assert api.status_code == 400
    assert "unpacks to more than 1 MB" in api.json()["errors"]["file"][0]
    assert not Document.objects.exists()


def test_a_real_sized_word_document_is_accepted():
    policy = docx_with({"word/media/photo.jpg": JPEG * 1000, "word/styles.xml": "<w:styles/>"})

    assert document_content_type(upload(policy, name="policy.docx")) == uploads.DOCX
