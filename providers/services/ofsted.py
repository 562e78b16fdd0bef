"""Importing Ofsted's published data on children's social care providers.

Ofsted publishes, for every registered setting, its URN, name, type, local authority, latest
overall effectiveness judgement and inspection date as a CSV. The import reads it row by row
(never the whole file at once), updates the rating and inspection date of every service with
that URN, and reports what it did: rows read, services updated and unchanged, URNs that match
no service, and rows it could not read, with their line numbers. A bad row never stops it, and
importing the same file again changes nothing."""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction

from dps import csv_import
from dps.csv_import import RowError
from dps.services import DomainError
from dps.services.audit import audit_record
from dps.tenancy import Actor

from ..models import OfstedRating, Service
from . import quality

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# A header row is looked for among the first lines (some exports start with a title).
HEADER_SEARCH_LINES = 20
RECOMPUTE_TRIGGER = "service.ofsted_rating"

# The columns we read: our name -> the headers (normalised) that may hold it.
COLUMNS = {
    "urn": ("urn", "provider urn", "ofsted urn", "setting urn"),
    "name": ("setting name", "provider name", "name"),
    "provider_type": ("provider type", "setting type", "type"),
    "local_authority": ("local authority", "la", "local authority name"),
    "rating": (
        "overall effectiveness",
        "overall experiences and progress of children and young people",
        "latest overall effectiveness",
        "overall effectiveness judgement",
    ),
    "inspection_date": (
        "inspection date",
        "latest full inspection date",
        "latest inspection date",
        "date of latest full inspection",
    ),
}
REQUIRED = ("urn", "rating")

RATINGS = {
    "outstanding": OfstedRating.OUTSTANDING,
    "1": OfstedRating.OUTSTANDING,
    "good": OfstedRating.GOOD,
    "2": OfstedRating.GOOD,
    "requires improvement": OfstedRating.REQUIRES_IMPROVEMENT,
    "requires improvement to be good": OfstedRating.REQUIRES_IMPROVEMENT,
    "3": OfstedRating.REQUIRES_IMPROVEMENT,
    "inadequate": OfstedRating.INADEQUATE,
    "4": OfstedRating.INADEQUATE,
    "": OfstedRating.NOT_YET_INSPECTED,
    "not yet inspected": OfstedRating.NOT_YET_INSPECTED,
    "not inspected": OfstedRating.NOT_YET_INSPECTED,
    "null": OfstedRating.NOT_YET_INSPECTED,
    "-": OfstedRating.NOT_YET_INSPECTED,
    ".": OfstedRating.NOT_YET_INSPECTED,
}
OTHER_FIELDS = [
    f.name for f in Service._meta.fields if f.name not in {"ofsted_rating", "inspection_date"}
]
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%d-%m-%Y", "%d/%m/%y")


@dataclass
class Change:
    service_id: int
    service: str
    provider: str
    urn: str
    old_rating: str
    new_rating: str
    old_date: str | None
    new_date: str | None

    @property
    def old_rating_label(self):
        return OfstedRating(self.old_rating).label

    @property
    def new_rating_label(self):
        return OfstedRating(self.new_rating).label


@dataclass
class OfstedReport:
    rows_read: int = 0
    updated: list[Change] = field(default_factory=list)
    unchanged: int = 0
    # Services whose record holds a later inspection than the file's: left as they are.
    kept_later: int = 0
    unmatched_urns: list[str] = field(default_factory=list)
    malformed: list[tuple[int, str]] = field(default_factory=list)
    providers_recomputed: int = 0

    @property
    def services_updated(self):
        return len(self.updated)

    def lines(self):
        """The report as plain text lines, for the command line."""
        yield f"Rows read: {self.rows_read}"
        yield f"Services updated: {self.services_updated}"
        for c in self.updated:
            yield (
                f"  {c.urn} {c.service} ({c.provider}): {c.old_rating_label} -> "
                f"{c.new_rating_label}, "
                f"inspected {c.old_date or '-'} -> {c.new_date or '-'}"
            )
        yield f"Services unchanged: {self.unchanged}"
        if self.kept_later:
            yield f"Services with a later inspection on record, kept: {self.kept_later}"
        yield f"Unmatched URNs: {len(self.unmatched_urns)}"
        if self.unmatched_urns:
            yield "  " + ", ".join(self.unmatched_urns)
        yield f"Malformed rows: {len(self.malformed)}"
        for line, reason in self.malformed:
            yield f"  line {line}: {reason}"
        yield f"Providers' quality scores recomputed: {self.providers_recomputed}"


def parse_rating(text: str) -> str:
    key = re.sub(r"\s+", " ", (text or "").strip().lower())
    if key in RATINGS:
        return RATINGS[key]
    raise RowError(f"Unknown rating “{text.strip()}”.")


def parse_date(text: str | None) -> date | None:
    return csv_import.parse_date(text, DATE_FORMATS, error="Unrecognised inspection date “{text}”.")


def _columns(header):
    """Our column name -> its index in the header row, or None if the row is no header."""
    found = csv_import.match_columns(header, COLUMNS)
    if all(c in found for c in REQUIRED):
        return found
    return None


def _rows(records, report):
    """(line number, row) for every row after the header; unreadable lines are reported."""
    for record in records:
        if record.cells is None:
            report.rows_read += 1
            report.malformed.append((record.end_line, f"Not valid CSV: {record.error}."))
            continue
        yield record.end_line, record.cells


def _services_by_urn():
    """Every service with a URN, by URN: the DPS holds thousands of services at most."""
    index = {}
    for pk, urn in Service.objects.exclude(ofsted_urn="").values_list("pk", "ofsted_urn"):
        index.setdefault(urn.strip().upper(), []).append(pk)
    return index


@transaction.atomic
def ofsted_import(
    *,
    file: Any,
    actor: Actor | None = None,
    label: str | None = None,
    source: str = "",
    progress: Callable[[int], object] | None = None,
) -> OfstedReport:
    """Apply an Ofsted providers CSV to the services with matching URNs. `actor` is the
    consortium admin uploading it (None from the command line, with `label` naming who ran
    it); `progress(rows_read)` is called every 1,000 rows. Returns an OfstedReport.
    A file without URN and overall effectiveness columns is refused with a DomainError."""
    report = OfstedReport()
    records = csv_import.records(csv_import.text_stream(file))
    columns = None
    for _ in range(HEADER_SEARCH_LINES):
        record = next(records, None)
        if record is None:
            break
        if record.cells is None:
            continue
        columns = _columns(record.cells)
        if columns is not None:
            break
    if columns is None:
        raise DomainError(
            "The file has no header row with URN and Overall effectiveness columns. "
            "Upload Ofsted's CSV of children's social care providers.",
            "file",
        )

    index = _services_by_urn()
    seen: dict[str, int] = {}
    affected_providers = set()
    for line, row in _rows(records, report):
        if not any(cell.strip() for cell in row):
            continue
        report.rows_read += 1
        if progress and report.rows_read % 1000 == 0:
            progress(report.rows_read)
        try:
            values = _read_row(row, columns, line, seen)
        except RowError as exc:
            report.malformed.append((line, str(exc)))
            continue
        urn, rating, inspected = values
        service_ids = index.get(urn)
        if not service_ids:
            report.unmatched_urns.append(urn)
            continue
        for service in (
            Service.objects.select_for_update()
            .select_related("provider")
            .filter(pk__in=service_ids)
        ):
            change = _apply(service, urn, rating, inspected, report)
            if change is None:
                continue
            report.updated.append(change)
            affected_providers.add(service.provider)
            audit_record(
                actor=actor,
                label=label,
                action="service.ofsted_rating",
                obj=service,
                detail={
                    "urn": urn,
                    "old": {"rating": change.old_rating, "inspection_date": change.old_date},
                    "new": {"rating": change.new_rating, "inspection_date": change.new_date},
                    "source": source,
                    "line": line,
                },
            )
    for provider in sorted(affected_providers, key=lambda p: p.pk):
        quality.quality_score_recompute(provider=provider, trigger=RECOMPUTE_TRIGGER)
    report.providers_recomputed = len(affected_providers)
    return report


def _read_row(row, columns, line, seen):
    def cell(name):
        index = columns.get(name)
        if index is None:
            return ""
        if index >= len(row):
            raise RowError(f"The row has {len(row)} fields: too few to hold the {name} column.")
        return row[index]

    urn = "".join(cell("urn").split()).upper()
    if not urn:
        raise RowError("No URN.")
    if not re.fullmatch(r"[A-Z0-9]{1,20}", urn):
        raise RowError(f"“{urn}” is not a URN.")
    if urn in seen:
        raise RowError(f"URN {urn} appears again (first on line {seen[urn]}); this row is ignored.")
    rating = parse_rating(cell("rating"))
    inspected = parse_date(cell("inspection_date"))
    seen[urn] = line
    return urn, rating, inspected


def _apply(service, urn, rating, inspected, report):
    """Update one service from its row; None if nothing changed."""
    old_rating, old_date = service.ofsted_rating, service.inspection_date
    if inspected is None and rating != OfstedRating.NOT_YET_INSPECTED:
        inspected = old_date  # a rating with no date: keep the date we have
    if old_date and inspected and inspected < old_date:
        report.kept_later += 1
        return None
    if (old_rating, old_date) == (rating, inspected):
        report.unchanged += 1
        return None
    service.ofsted_rating = rating
    service.inspection_date = inspected
    # Only these two fields are the import's to check: the rest is the provider's.
    service.clean_fields(exclude=OTHER_FIELDS)
    service.save(update_fields=["ofsted_rating", "inspection_date", "updated_at"])
    return Change(
        service_id=service.pk,
        service=service.name,
        provider=service.provider.name,
        urn=urn,
        old_rating=old_rating,
        new_rating=rating,
        old_date=old_date.isoformat() if old_date else None,
        new_date=inspected.isoformat() if inspected else None,
    )
