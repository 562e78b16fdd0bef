"""Reading an SSDA903 return's two CSV files as they come from case systems and spreadsheets.

A file is refused as a whole (FileProblem, with a message that names the problem and says what
to do) when it is empty, not UTF-8 (a UTF-8 byte order mark is fine), uses semicolons, tabs or
pipes between values instead of commas, has no header row with the columns it needs, or is the
other file of the pair. Otherwise every non-blank row is kept with its line number in the
original file (the header row's line, after any title lines, counts as in the file).

Headers are matched ignoring case, spaces, hyphens and underscores; the header row is looked
for among the first lines. Dates are read in the formats such files hold."""

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from dps import csv_import
from dps.csv_import import FileProblem
from dps.csv_import import RowError as RowError  # imported from here by the checks
from dps.periods import return_year
from dps.periods import year_ending_of as year_ending_of  # the return year a day falls in

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

# (A time after the date, as spreadsheet exports add, is ignored.)
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%y", "%d.%m.%Y", "%Y/%m/%d")


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
    return csv_import.header_key(text, joiner="").upper()


def parse_date(text: str | None, column: str = "date") -> date | None:
    """A date in any of the formats SSDA903 files hold; None if blank; RowError if unreadable."""
    return csv_import.parse_date(
        text, DATE_FORMATS, error=f"Unreadable {column} “{{text}}”.", time_suffix=True
    )


def year_window(year_ending: int) -> tuple[date, date]:
    year = return_year(year_ending)
    return year.start, year.end


def decode(raw: bytes, name: str) -> str:
    """The text of a file's bytes, or FileProblem if it is empty or not UTF-8."""
    return csv_import.decode(raw, f"The {name} file")


def _records(text):
    """(first line, cells) of each CSV record; a record may span lines inside quotes."""
    for record in csv_import.records(io.StringIO(text, newline="")):
        yield record.line, record.cells


def _header_in(cells, wanted):
    return csv_import.match_columns(cells, {c: (c,) for c in wanted.values()}, joiner="")


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
