"""Reading an SSDA903 return's two CSV files as they come from case systems and spreadsheets.

A file is refused as a whole (FileProblem, with a message that names the problem and says what
to do) when it is empty, not UTF-8 (a UTF-8 byte order mark is fine), uses semicolons, tabs or
pipes between values instead of commas, has no header row with the columns it needs, or is the
other file of the pair. Otherwise every non-blank row is kept with its line number in the
original file (the header row's line, after any title lines, counts as in the file).

Headers are matched ignoring case, spaces, hyphens and underscores; the header row is looked
for among the first lines. Dates are read in the formats such files hold."""

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

HEADER_SEARCH_LINES = 20

# The columns of each file, in the DfE's order (the order the validator wants them).
HEADER_COLUMNS = ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB")
EPISODE_COLUMNS = (
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "CIN",
    "PLACE",
    "PLACE_PROVIDER",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "HOME_POST",
    "PL_POST",
    "URN",
)
# Without these a file cannot be read as its part of the return.
HEADER_REQUIRED = ("CHILD", "SEX", "DOB")
EPISODE_REQUIRED = ("CHILD", "DECOM", "RNE", "LS", "PLACE", "DEC")
# Columns only the other file has: seeing them says the files were swapped.
ONLY_IN_HEADER = {"DOB", "ETHNIC", "UPN", "MOTHER", "MCDOB"}
ONLY_IN_EPISODES = {"DECOM", "RNE", "LS", "PLACE", "DEC", "REC", "URN", "PLPOST"}

DELIMITERS = {";": "semicolons (;)", "\t": "tabs", "|": "pipes (|)"}

DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%y", "%d.%m.%Y", "%Y/%m/%d")
# A time after the date, as spreadsheet exports add: "01/04/2024 00:00", "2024-04-01T00:00:00".
TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


class RowError(Exception):
    """A value that cannot be used; the message says why."""


class FileProblem(Exception):
    """A file that cannot be read as its part of the return; the message says why."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    """One file read: its columns (canonical name -> index) and its non-blank data rows as
    (line in the file, cells)."""

    name: str
    columns: dict
    rows: list

    def cell(self, cells: Sequence[str], column: str) -> str:
        index = self.columns.get(column)
        if index is None or index >= len(cells):
            return ""
        return cells[index].strip()


def normalise_header(text: str | None) -> str:
    return re.sub(r"[\s_\-]+", "", (text or "").replace("\ufeff", "")).upper()


@lru_cache(maxsize=8192)
def _parse_date(text):
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    return None


def parse_date(text: str | None, column: str = "date") -> date | None:
    """A date in any of the formats SSDA903 files hold; None if blank; RowError if unreadable."""
    text = re.sub(r"\s+", " ", (text or "").strip())
    if not text:
        return None
    found = _parse_date(TIME_SUFFIX.sub("", text))
    if found is None:
        raise RowError(f"Unreadable {column} “{text}”.")
    return found


def year_ending_of(day: date) -> int:
    """The return year (ending 31 March) a day falls in."""
    return day.year + 1 if day.month >= 4 else day.year


def year_window(year_ending: int) -> tuple[date, date]:
    return date(year_ending - 1, 4, 1), date(year_ending, 3, 31)


def decode(raw: bytes, name: str) -> str:
    """The text of a file's bytes, or FileProblem if it is empty or not UTF-8."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileProblem(
            f"The {name} file is saved as UTF-16 (Unicode text), not UTF-8: "
            "save it as CSV UTF-8 (comma delimited) and upload it again."
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw.strip():
        raise FileProblem(f"The {name} file is empty.")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FileProblem(
            f"The {name} file is not UTF-8 (line {line} has a character saved another way, "
            "as Excel's Windows-1252 or Latin-1 “CSV” does): save it as CSV UTF-8 (comma "
            "delimited) and upload it again."
        ) from exc


def _records(text):
    """(first line, cells) of each CSV record; a record may span lines inside quotes."""
    reader = csv.reader(io.StringIO(text, newline=""))
    previous = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            cells = None
        yield previous + 1, cells
        previous = reader.line_num


def _header_in(cells, wanted):
    found = {}
    for index, cell in enumerate(cells):
        column = normalise_header(cell)
        if column in wanted and wanted[column] not in found:
            found[wanted[column]] = index
    return found


def _other_delimiter(text, wanted):
    """The delimiter of a file whose header row is separated by something else than commas."""
    for line in text.splitlines()[:HEADER_SEARCH_LINES]:
        for delimiter, label in DELIMITERS.items():
            if delimiter in line:
                cells = line.split(delimiter)
                if "CHILD" in _header_in(cells, wanted) and len(_header_in(cells, wanted)) > 1:
                    return label
    return None


def read_table(
    raw: bytes, *, name: str, columns: Sequence[str], required: Sequence[str], other_name: str
) -> Table:
    """Read one file (bytes) as the `name` file; FileProblem when it cannot be."""
    text = decode(raw, name)
    wanted = {normalise_header(c): c for c in columns}
    records = _records(text)
    header = None
    for _ in range(HEADER_SEARCH_LINES):
        try:
            _line, cells = next(records)
        except StopIteration:
            break
        if cells is None:
            continue
        found = _header_in(cells, wanted)
        normalised = {normalise_header(c) for c in cells}
        other_only = ONLY_IN_EPISODES if name == "header" else ONLY_IN_HEADER
        own_only = ONLY_IN_HEADER if name == "header" else ONLY_IN_EPISODES
        if (
            "CHILD" in normalised
            and len(normalised & other_only) >= 2
            and not (normalised & own_only)
        ):
            raise FileProblem(
                f"The file uploaded as the {name} file is the {other_name} file (it has the "
                f"columns {', '.join(sorted(normalised & other_only))}): the two files are "
                "swapped. Upload each file in its own box."
            )
        if "CHILD" in found:
            header = found
            break
    if header is None:
        delimiter = _other_delimiter(text, wanted)
        if delimiter:
            raise FileProblem(
                f"The {name} file separates its values with {delimiter}, not commas: save it "
                "as CSV (comma delimited) and upload it again."
            )
        raise FileProblem(
            f"The {name} file has no header row with the column CHILD (looked for in its "
            f"first {HEADER_SEARCH_LINES} lines). Use the SSDA903 {name} file, with the "
            f"columns {', '.join(columns)}."
        )
    missing = [c for c in required if c not in header]
    if missing:
        raise FileProblem(
            f"The {name} file has no column {', '.join(missing)}: its header row needs "
            f"{', '.join(required)}."
        )
    rows: list[tuple[int, list[str] | None]] = []
    for line, cells in records:
        if cells is None:
            rows.append((line, None))
            continue
        if any(cell.strip() for cell in cells):
            rows.append((line, cells))
    if not rows:
        raise FileProblem(f"The {name} file is empty: it has a header row but no rows under it.")
    return Table(name=name, columns=header, rows=rows)


def read_header(raw: bytes) -> Table:
    return read_table(
        raw,
        name="header",
        columns=HEADER_COLUMNS,
        required=HEADER_REQUIRED,
        other_name="episodes",
    )


def read_episodes(raw: bytes) -> Table:
    return read_table(
        raw,
        name="episodes",
        columns=EPISODE_COLUMNS,
        required=EPISODE_REQUIRED,
        other_name="header",
    )
