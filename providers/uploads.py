"""What an uploaded accreditation document really is, judged by its content: never by its
name or the content type the browser claims."""

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
# A Word document has a few dozen parts; a ZIP's directory is read, never extracted, and one
# listing more parts than this is not a document we want to open.
DOCX_MAX_PARTS = 1000

ALLOWED_DESCRIPTION = "a PDF, a PNG or JPEG image, or a Word document (.docx or .doc)"


def _size_label(size):
    return f"{size / (1024 * 1024):g} MB"


def _is_docx(file):
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
            if len(entries) > DOCX_MAX_PARTS:
                return False
            names = {entry.filename for entry in entries}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return False
    return "word/document.xml" in names and "[Content_Types].xml" in names


def document_content_type(file):
    """The content type of an uploaded file, from its bytes; ValidationError if it is empty,
    too large, or not a kind we accept. Leaves the file at its start."""
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
        if content_type is None and head.startswith(ZIP_SIGNATURE) and _is_docx(file):
            content_type = DOCX
    finally:
        file.seek(0)
    if content_type is None:
        raise ValidationError(
            f"The selected file must be {ALLOWED_DESCRIPTION}.", code="unsupported_type"
        )
    return content_type
