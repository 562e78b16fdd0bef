"""Reading the CSV files people upload: the rules every import shares, once.

- Decoding: UTF-8, with or without a byte order mark. `decode` refuses a file in any other
  encoding with a message that says how to save it again; `text_stream` reads a large file
  lazily and replaces what is not UTF-8, for an import that reports bad rows one by one.
- Headers are matched ignoring case, a byte order mark, and spaces, underscores and hyphens;
  each column may go by several names.
- Records come with the lines they start and end on, so that every problem names its line.
- Dates are read in the formats an import accepts (with a time after them, if it allows);
  blank is no date.

Each import keeps its own columns, formats and messages; what is the same lives here."""

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# A time after the date, as spreadsheet exports add: "01/04/2024 00:00", "2024-04-01T00:00:00".
TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
SEPARATORS = re.compile(r"[\s_\-]+")
SAVE_AS_UTF8 = "save it as CSV UTF-8 (comma delimited) and upload it again."


class FileProblem(Exception):
    """A file refused as a whole; the message says why and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class RowError(Exception):
    """A row, or a value in it, that cannot be used; the message says why."""


# --- Decoding ---------------------------------------------------------------------------------


def decode(raw: bytes, subject: str = "The file") -> str:
    """The text of a file's bytes (a UTF-8 byte order mark dropped), or FileProblem if it is
    empty or not UTF-8. `subject` names the file in the message: "The header file"."""
    if raw.startswith(UTF16_BOMS):
        raise FileProblem(f"{subject} is saved as UTF-16 (Unicode text), not UTF-8: {SAVE_AS_UTF8}")
    if raw.startswith(BOM):
        raw = raw[len(BOM) :]
    if not raw.strip():
        raise FileProblem(f"{subject} is empty.")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FileProblem(
            f"{subject} is not UTF-8 (line {line} has a character saved another way, as "
            f"Excel's Windows-1252 or Latin-1 “CSV” does): {SAVE_AS_UTF8}"
        ) from exc


def text_stream(file: Any) -> Iterator[str]:
    """A text stream over an uploaded (binary) file, or an already open text file, read as
    UTF-8 (a byte order mark dropped) with anything else replaced: never read whole."""
    if isinstance(file, io.TextIOBase):
        return file
    raw = getattr(file, "file", file)  # Django's UploadedFile wraps the real file
    raw.seek(0)
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")


# --- Records and headers ----------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    """One CSV record: the line it starts on and the line it ends on (a quoted value may span
    lines), and its cells; None, with the reader's error, if it is not valid CSV."""

    line: int
    end_line: int
    cells: list[str] | None
    error: str = ""


def records(lines: Iterable[str]) -> Iterator[Record]:
    """Every record of a CSV text, numbered by its lines; one that is not valid CSV is
    yielded with its error, and reading goes on after it."""
    reader = csv.reader(lines)
    previous = 0
    while True:
        try:
            cells, error = next(reader), ""
        except StopIteration:
            return
        except csv.Error as exc:
            cells, error = None, str(exc)
        yield Record(previous + 1, reader.line_num, cells, error)
        previous = reader.line_num


def header_key(text: str | None, *, joiner: str = " ") -> str:
    """A header as it is matched: no byte order mark, each run of spaces, underscores and
    hyphens as `joiner`, in lower case. "Provider_URN " -> "provider urn"."""
    return SEPARATORS.sub(joiner, (text or "").replace("\ufeff", "")).strip().lower()


def match_columns(
    cells: Iterable[str], names: Mapping[str, Iterable[str]], *, joiner: str = " "
) -> dict[str, int]:
    """Our column -> the index of the first cell that holds it, for each column found.
    `names` gives each column's names in order of preference: the first one present wins."""
    keys = [header_key(cell, joiner=joiner) for cell in cells]
    found = {}
    for column, aliases in names.items():
        for alias in aliases:
            key = header_key(alias, joiner=joiner)
            if key in keys:
                found[column] = keys.index(key)
                break
    return found


# --- Dates ------------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _first_format(text: str, formats: tuple[str, ...]) -> date | None:
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    return None


def parse_date(
    text: str | None,
    formats: Iterable[str],
    *,
    error: str = "Unreadable date “{text}”.",
    time_suffix: bool = False,
) -> date | None:
    """A date in one of `formats` (with `time_suffix`, a time after it is ignored); None if
    blank. RowError(`error`, with {text} the value as given) if it is in none of them."""
    text = re.sub(r"\s+", " ", (text or "").strip())
    if not text:
        return None
    found = _first_format(TIME_SUFFIX.sub("", text) if time_suffix else text, tuple(formats))
    if found is None:
        raise RowError(error.format(text=text))
    return found
