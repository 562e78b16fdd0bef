"""Uploaded files are judged by their content: the name and the browser's content type are
ignored, and anything that is not a PDF, PNG, JPEG or Word document is refused."""

import pytest
from django.core.exceptions import ValidationError

from providers import uploads
from providers.uploads import document_content_type

from .documents_helpers import DOC, DOCX, EXE, HTML, JPEG, PDF, PNG, TEXT, XLSX, ZIP, upload, zip_of


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (PDF, "certificate.pdf", uploads.PDF),
        (PDF, "certificate.docx", uploads.PDF),  # renamed: still a PDF
        (PNG, "scan.png", uploads.PNG),
        (JPEG, "scan.jpg", uploads.JPEG),
        (JPEG, "scan", uploads.JPEG),
        (DOCX, "policy.docx", uploads.DOCX),
        (DOCX, "policy.pdf", uploads.DOCX),
        (DOC, "policy.doc", uploads.DOC),
    ],
)
def test_it_recognises_each_accepted_kind_by_its_content(data, name, expected):
    file = upload(data, name=name, content_type="application/octet-stream")

    assert document_content_type(file) == expected
    assert file.tell() == 0  # left ready to be stored


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (EXE, "a Windows program"),
        (HTML, "a web page"),
        (TEXT, "plain text"),
        (ZIP, "a ZIP that is not a Word document"),
        (XLSX, "an Excel workbook"),
        (b"PK\x03\x04 not really a zip at all", "a broken ZIP"),
        (b"%PD", "a truncated PDF header"),
    ],
)
def test_it_refuses_anything_else_even_named_and_typed_as_a_pdf(data, what):
    file = upload(data, name="certificate.pdf", content_type="application/pdf")

    with pytest.raises(ValidationError) as refused:
        document_content_type(file)

    assert refused.value.code == "unsupported_type", what
    assert "must be a PDF" in refused.value.messages[0]


def test_it_refuses_an_empty_file():
    with pytest.raises(ValidationError) as refused:
        document_content_type(upload(b""))

    assert refused.value.code == "empty"


def test_it_refuses_a_file_over_the_size_limit(settings):
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024
    big = PDF + b"0" * (1024 * 1024)

    with pytest.raises(ValidationError) as refused:
        document_content_type(upload(big))

    assert refused.value.code == "too_large"
    assert "smaller than 1 MB" in refused.value.messages[0]


def test_a_file_at_the_size_limit_is_accepted(settings):
    settings.DOCUMENT_MAX_BYTES = len(PDF)

    assert document_content_type(upload(PDF)) == uploads.PDF


def test_a_zip_listing_too_many_parts_is_refused_without_extracting_it(monkeypatch):
    monkeypatch.setattr(uploads, "DOCX_MAX_PARTS", 5)
    many = {f"word/media/image{n}.png": "x" for n in range(10)}
    crowded = zip_of({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>", **many})

    with pytest.raises(ValidationError):
        document_content_type(upload(crowded, name="policy.docx"))
