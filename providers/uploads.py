"""What an uploaded accreditation document really is, judged by its content: never by its
name or the content type the browser claims. A file that is also a web page (a polyglot: a
PDF with HTML in it, which a browser or a viewer could run) is refused, and so is a Word
document that would unpack to far more than it weighs (a zip bomb)."""

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOC = "application/msword"

# Leading bytes of each kind of file we accept.
SIGNATURES = [
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", DOC),  # OLE2 compound file: Word 97-2003
]
ZIP_SIGNATURE = b"PK\x03\x04"
# The stored name's extension: the detected kind's, never the uploaded name's.
EXTENSIONS = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg", DOCX: ".docx", DOC: ".doc"}
# A Word document has a few dozen parts and unpacks to a few MB; one listing more parts, or
# unpacking to more, than these is not a document we want anyone to open.
DOCX_MAX_PARTS = 1000
DOCX_MAX_UNPACKED = 50 * 1024 * 1024
# Markup a browser would render or run, in any kind of file (lower case: compared so).
HTML_MARKERS = (b"<html", b"<script", b"<!doctype html", b"<body", b"<iframe")
SCAN_CHUNK = 1024 * 1024

ALLOWED_DESCRIPTION = "a PDF, a PNG or JPEG image, or a Word document (.docx or .doc)"


def _size_label(size):
    return f"{size / (1024 * 1024):g} MB"


def extension_for(content_type):
    return EXTENSIONS.get(content_type, "")


def _unpacks_too_far(archive, entries):
    """More parts, or more bytes unpacked, than a Word document has. The directory's sizes
    are checked before anything is unpacked; then each part is read through (nothing is
    kept), so a directory that understates them fails its CRC check."""
    if len(entries) > DOCX_MAX_PARTS:
        return True
    if sum(entry.file_size for entry in entries) > DOCX_MAX_UNPACKED:
        return True
    for entry in entries:
        with archive.open(entry) as part:
            while part.read(SCAN_CHUNK):
                pass
    return False


def _docx_problem(file):
    """None for a Word document; else why not: "not_docx" or "unpacks_too_far"."""
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
            if "word/document.xml" not in names or "[Content_Types].xml" not in names:
                return "not_docx"
            if _unpacks_too_far(archive, entries):
                return "unpacks_too_far"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return "not_docx"
    except RuntimeError:  # encrypted, or a compression method no Word document uses
        return "not_docx"
    return None


def _has_html(file):
    """Whether the file holds markup a browser would render, anywhere in it."""
    file.seek(0)
    overlap = max(len(marker) for marker in HTML_MARKERS) - 1
    tail = b""
    while chunk := file.read(SCAN_CHUNK):
        window = (tail + chunk).lower()
        if any(marker in window for marker in HTML_MARKERS):
            return True
        tail = window[-overlap:]
    return False


def document_content_type(file):
    """The content type of an uploaded file, from its bytes; ValidationError if it is empty,
    too large, not a kind we accept, also a web page, or a Word document that unpacks too
    far. Leaves the file at its start."""
    limit = settings.DOCUMENT_MAX_BYTES
    if file.size == 0:
        raise ValidationError("The selected file is empty.", code="empty")
    if file.size > limit:
        raise ValidationError(
            f"The selected file must be smaller than {_size_label(limit)}.", code="too_large"
        )
    try:
        file.seek(0)
        head = file.read(8)
        content_type = next((kind for sig, kind in SIGNATURES if head.startswith(sig)), None)
        problem = None
        if content_type is None and head.startswith(ZIP_SIGNATURE):
            problem = _docx_problem(file)
            content_type = DOCX if problem is None else None
        html = content_type is not None and _has_html(file)
    finally:
        file.seek(0)
    if problem == "unpacks_too_far":
        raise ValidationError(
            f"The selected Word document unpacks to more than {_size_label(DOCX_MAX_UNPACKED)} "
            f"or {DOCX_MAX_PARTS:,} parts. Save it as a PDF and upload that.",
            code="unpacks_too_far",
        )
    if content_type is None:
        raise ValidationError(
            f"The selected file must be {ALLOWED_DESCRIPTION}.", code="unsupported_type"
        )
    if html:
        raise ValidationError(
            "The selected file contains web page code (HTML or script), which a browser could "
            "run. Save or print the document again as a PDF and upload that.",
            code="contains_html",
        )
    return content_type
