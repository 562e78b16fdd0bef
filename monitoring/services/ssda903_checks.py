"""Our own checks of an SSDA903 return, before the DfE's rules: the rows the import could not
use, or could not use safely. Each finding is an issue with a code starting "DPS", the file,
the line in the original file, the child and the fields; a child with any issue is left out of
the import. Incoherent episodes (overlapping, an open one that is not the child's last) are
reported, never resolved by guessing.

Every check is one pass over the rows (or over one child's episodes, sorted): a 10,000-episode
return takes a fraction of a second."""

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from ..ssda903_columns import RNE_CODES
from .ssda903_read import (
    FileProblem,
    RowError,
    Table,
    parse_date,
    year_ending_of,
    year_window,
)

# code: what it means (the docs list them).
CHECKS = {
    "DPS01": "The row has no CHILD.",
    "DPS02": "The child appears more than once in the header file.",
    "DPS03": "The date of birth is missing or unreadable.",
    "DPS04": "The date of birth is impossible (in the future, after an episode started, or "
    "more than 25 years before the year end).",
    "DPS05": "A date of the episode is unreadable.",
    "DPS06": "The episode has no DECOM.",
    "DPS07": "The episode ceased (DEC) before it started (DECOM).",
    "DPS08": "The reason for new episode (RNE) is not a DfE code.",
    "DPS09": "The episode's child is not in the header file.",
    "DPS10": "The episode overlaps the child's previous episode.",
    "DPS11": "An episode with no DEC (still open) is followed by another episode of the child.",
}
MAX_AGE_YEARS = 25
# More than this share of episodes starting after the chosen year: the file is another year's.
OTHER_YEAR_SHARE = 0.5


@dataclass
class Issue:
    file: str
    line: int | None
    child: str
    code: str
    message: str
    fields: str = ""


@dataclass
class HeaderRow:
    index: int  # its position among the file's data rows (the validator's row index)
    line: int
    child: str
    cells: dict  # canonical column -> text as in the file (stripped)
    dob: date | None = None


@dataclass
class EpisodeRow:
    index: int
    line: int
    child: str
    cells: dict
    decom: date | None = None
    dec: date | None = None
    rne: str = ""
    seq: int = 0


@dataclass
class Checked:
    header: list = field(default_factory=list)  # HeaderRow, file order
    episodes: list = field(default_factory=list)  # EpisodeRow, file order
    issues: list = field(default_factory=list)

    def add(
        self,
        file: str,
        row: HeaderRow | EpisodeRow | None,
        code: str,
        message: str,
        fields: str = "",
    ) -> None:
        line = row.line if row is not None else None
        child = row.child if row is not None else ""
        self.issues.append(Issue(file, line, child, code, message, fields))


def _cells(table, cells):
    return {column: table.cell(cells, column) for column in table.columns}


def _read_rows(header_table, episodes_table, checked):
    for index, (line, cells) in enumerate(header_table.rows):
        if cells is None:
            checked.add("header", None, "DPS01", f"Line {line} is not valid CSV.")
            continue
        values = _cells(header_table, cells)
        row = HeaderRow(index=index, line=line, child=values.get("CHILD", "")[:40], cells=values)
        checked.header.append(row)
    for index, (line, cells) in enumerate(episodes_table.rows):
        if cells is None:
            checked.add("episodes", None, "DPS01", f"Line {line} is not valid CSV.")
            continue
        values = _cells(episodes_table, cells)
        row = EpisodeRow(
            index=index,
            line=line,
            child=values.get("CHILD", "")[:40],
            cells=values,
            rne="".join(values.get("RNE", "").split()).upper(),
        )
        checked.episodes.append(row)


def _dates(checked):
    for row in checked.header:
        try:
            row.dob = parse_date(row.cells.get("DOB"), "DOB")
        except RowError as exc:
            checked.add("header", row, "DPS03", str(exc), "DOB")
    for row in checked.episodes:
        for column in ("DECOM", "DEC"):
            try:
                value = parse_date(row.cells.get(column), column)
            except RowError as exc:
                checked.add("episodes", row, "DPS05", str(exc), column)
                continue
            setattr(row, column.lower(), value)


def year_problem(episodes: Sequence[EpisodeRow], year_ending: int) -> str | None:
    """The message refusing a file of another year than the chosen one, or None."""
    start, end = year_window(year_ending)
    dated = [(e.decom, e.dec) for e in episodes if e.decom is not None]
    if not dated:
        return None
    overlapping = sum(1 for decom, dec in dated if decom <= end and (dec is None or dec >= start))
    later = sum(1 for decom, _dec in dated if decom > end)
    if overlapping and later <= OTHER_YEAR_SHARE * len(dated):
        return None
    guess = infer_year_ending(episodes)
    chosen = f"the year ending 31 March {year_ending} (1 April {year_ending - 1} to 31 March "
    chosen += f"{year_ending})"
    if not overlapping:
        found = f"none of its {len(dated)} episodes is open during {chosen}"
    else:
        found = f"{later} of its {len(dated)} episodes start after {chosen}"
    return (
        f"The episodes file is not the return for the year you chose: {found}. It looks like "
        f"the return for the year ending 31 March {guess}: choose that year, or upload the "
        f"files for {year_ending}."
    )


def infer_year_ending(episodes: Iterable[EpisodeRow]) -> int | None:
    """The return year the episodes belong to: the year of their latest date."""
    days = [d for e in episodes for d in (e.decom, e.dec) if d is not None]
    return year_ending_of(max(days)) if days else None


def _header_checks(checked, year_ending, today):
    _, end = year_window(year_ending)
    earliest = date(end.year - MAX_AGE_YEARS, end.month, end.day)
    first_line = {}
    for row in checked.header:
        if not row.child:
            checked.add("header", row, "DPS01", "No CHILD.", "CHILD")
            continue
        if row.child in first_line:
            checked.add(
                "header",
                row,
                "DPS02",
                f"CHILD {row.child} appears again (first on line {first_line[row.child]}).",
                "CHILD",
            )
            continue
        first_line[row.child] = row.line
        if row.cells.get("DOB") == "" and row.dob is None:
            checked.add("header", row, "DPS03", "No date of birth (DOB).", "DOB")
        elif row.dob is not None and row.dob > today:
            checked.add("header", row, "DPS04", f"DOB {row.dob:%d/%m/%Y} is in the future.", "DOB")
        elif row.dob is not None and row.dob < earliest:
            checked.add(
                "header",
                row,
                "DPS04",
                f"DOB {row.dob:%d/%m/%Y} is more than {MAX_AGE_YEARS} years before the year "
                f"end ({end:%d/%m/%Y}).",
                "DOB",
            )
    # A repeated child: every one of its rows is suspect, the first too.
    counts = Counter(row.child for row in checked.header if row.child)
    for row in checked.header:
        if counts[row.child] > 1 and first_line.get(row.child) == row.line:
            checked.add(
                "header",
                row,
                "DPS02",
                f"CHILD {row.child} appears {counts[row.child]} times in the header file.",
                "CHILD",
            )
    return first_line


def _episode_checks(checked, in_header):
    dob = {row.child: row for row in checked.header if row.child}
    by_child = defaultdict(list)
    for row in checked.episodes:
        if not row.child:
            checked.add("episodes", row, "DPS01", "No CHILD.", "CHILD")
            continue
        if row.rne not in RNE_CODES:
            checked.add(
                "episodes",
                row,
                "DPS08",
                f"Unknown RNE “{row.cells.get('RNE', '')}”: expected one of S, L, P, B, T, U.",
                "RNE",
            )
        if row.child not in in_header:
            checked.add(
                "episodes",
                row,
                "DPS09",
                f"CHILD {row.child} is in no row of the header file.",
                "CHILD",
            )
        if not row.cells.get("DECOM"):
            checked.add("episodes", row, "DPS06", "No DECOM (the date the episode started).")
        if row.decom is None:
            continue
        if row.dec is not None and row.dec < row.decom:
            checked.add(
                "episodes",
                row,
                "DPS07",
                f"DEC {row.dec:%d/%m/%Y} is before DECOM {row.decom:%d/%m/%Y}.",
                "DECOM, DEC",
            )
        header = dob.get(row.child)
        if header is not None and header.dob is not None and header.dob > row.decom:
            checked.add(
                "header",
                header,
                "DPS04",
                f"DOB {header.dob:%d/%m/%Y} is after the start (DECOM {row.decom:%d/%m/%Y}) "
                f"of the episode on line {row.line} of the episodes file.",
                "DOB",
            )
        by_child[row.child].append(row)

    for episodes in by_child.values():
        episodes.sort(key=lambda e: (e.decom, e.index))
        previous = None
        for episode in episodes:
            if previous is not None:
                if previous.dec is None:
                    checked.add(
                        "episodes",
                        previous,
                        "DPS11",
                        f"The episode starting {previous.decom:%d/%m/%Y} has no DEC but the "
                        f"child has a later episode (line {episode.line}, starting "
                        f"{episode.decom:%d/%m/%Y}).",
                        "DEC",
                    )
                elif episode.decom < previous.dec:
                    checked.add(
                        "episodes",
                        episode,
                        "DPS10",
                        f"The episode starting {episode.decom:%d/%m/%Y} overlaps the one on "
                        f"line {previous.line} ({previous.decom:%d/%m/%Y} to "
                        f"{previous.dec:%d/%m/%Y}).",
                        "DECOM",
                    )
            previous = episode


def _sequences(checked):
    """Each episode's order among its child's episodes starting the same day, in file order."""
    taken = Counter()
    for row in checked.episodes:
        if row.child and row.decom is not None:
            row.seq = taken[(row.child, row.decom)]
            taken[(row.child, row.decom)] += 1


def read_rows(header_table: Table, episodes_table: Table) -> Checked:
    """The rows of the two files with their dates read (and unreadable ones reported)."""
    checked = Checked()
    _read_rows(header_table, episodes_table, checked)
    _dates(checked)
    return checked


def check(header_table: Table, episodes_table: Table, *, year_ending: int, today: date) -> Checked:
    """Read the rows and check them. FileProblem if the episodes are of another year."""
    checked = read_rows(header_table, episodes_table)
    problem = year_problem(checked.episodes, year_ending)
    if problem:
        raise FileProblem(problem)
    in_header = _header_checks(checked, year_ending, today)
    _episode_checks(checked, in_header)
    _sequences(checked)
    return checked
