"""Importing a borough's SSDA903 return (the DfE's looked-after children return).

Two CSV files: the header file, one row per child (CHILD, SEX, DOB, ETHNIC, UPN, MOTHER,
MC_DOB), and the episodes file, one row per episode of care (CHILD, DECOM, RNE, LS, CIN, PLACE,
PLACE_PROVIDER, DEC, REC, REASON_PLACE_CHANGE, HOME_POST, PL_POST, URN). Headers are matched
ignoring case, spaces and underscores; a header row is looked for among the first lines.

The rules:
- Children: every header row creates or updates the borough's Child with that reference (date
  of birth, sex as the DfE code 1 or 2, ethnicity). Its looked_after_since is the start (DECOM)
  of the first episode of the current period of care: the last episode with RNE S; if the file
  holds none (the period began before the return's year), the earliest DECOM in the file, unless
  the child already records an earlier date.
- Placements: a child's episodes are taken in order of DECOM, then of line in the file (so
  several episodes on one day keep their order). Each episode with RNE S, P, B, T or U starts a
  placement (source "ssda903"): start date DECOM, placement type PLACE, legal status LS, the
  service and provider whose Ofsted URN is the episode's URN (none if the URN matches no service
  or is blank). An episode with RNE L (a change of legal status only) continues the placement
  before it: its LS becomes the placement's legal status, its DEC, REC and reason for placement
  change the placement's ending. An L episode with no earlier episode in the file continues the
  child's placement already running on its DECOM, or else starts one.
- Endings: a placement ends on the DEC of its last episode (status "ended"; "started" while
  open). Its end reason is the REASON_PLACE_CHANGE when the child moved, otherwise the REC. Planned
  or not follows monitoring.ssda903_columns.ending_planned.
- The weekly fee is not in the return: a new placement records 0, and an import never changes
  the fee of a placement it finds.
- A placement is known again by its child and start date (and, for several on one day, its order
  on that day), so importing the same files again changes nothing; a changed value updates it.
- Bad rows (no CHILD, an unreadable date, DEC before DECOM, an unknown RNE, a child in no header
  row and not already known) are reported with their line numbers and skipped.

The whole import runs in one transaction and is audited as one summary event."""

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction

from dps.models import Organisation
from dps.services import DomainError
from dps.services.audit import audit_record
from placements.models import Child, Placement
from providers.models import Service

from ..ssda903_columns import (
    RNE_CODES,
    RNE_LEGAL_STATUS_ONLY,
    RNE_STARTED,
    SEX,
    ending_planned,
)

LABEL = "import ssda903"
AUDIT_ACTION = "placement.ssda903_import"
HEADER_SEARCH_LINES = 20
PROGRESS_EVERY = 1000
# URNs the return uses for "no URN" (placements with parents, in-house settings without one).
NO_URN = {"", "XXXXXXX", "XXXXXXXX", "NA", "N/A", "NULL"}

HEADER_COLUMNS = ("CHILD", "SEX", "DOB", "ETHNIC")
HEADER_REQUIRED = ("CHILD",)
EPISODE_COLUMNS = (
    "CHILD",
    "DECOM",
    "RNE",
    "LS",
    "PLACE",
    "DEC",
    "REC",
    "REASON_PLACE_CHANGE",
    "URN",
)
EPISODE_REQUIRED = ("CHILD", "DECOM", "RNE")

DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%y", "%d.%m.%Y", "%Y/%m/%d")
# A time after the date, as spreadsheet exports add: "01/04/2024 00:00", "2024-04-01T00:00:00".
TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")

PLACEMENT_FIELDS = (
    "child_reference",
    "start_date",
    "actual_start_date",
    "placement_type",
    "service_id",
    "provider_id",
    "legal_status",
    "end_date",
    "status",
    "end_reason",
    "end_planned",
)
# What an L episode continuing an already imported placement may change.
CONTINUATION_FIELDS = ("legal_status", "end_date", "status", "end_reason", "end_planned")


class RowError(Exception):
    """A row that cannot be used; the message says why."""


@dataclass
class Ssda903Report:
    header_rows: int = 0
    episode_rows: int = 0
    children_created: int = 0
    children_updated: int = 0
    children_unchanged: int = 0
    placements_created: int = 0
    placements_updated: int = 0
    placements_unchanged: int = 0
    legal_status_episodes: int = 0
    unmatched_urns: list[str] = field(default_factory=list)
    # (file, line, reason)
    malformed: list[tuple[str, int, str]] = field(default_factory=list)

    def counts(self):
        return {
            "header_rows": self.header_rows,
            "episode_rows": self.episode_rows,
            "children_created": self.children_created,
            "children_updated": self.children_updated,
            "children_unchanged": self.children_unchanged,
            "placements_created": self.placements_created,
            "placements_updated": self.placements_updated,
            "placements_unchanged": self.placements_unchanged,
            "legal_status_episodes": self.legal_status_episodes,
            "unmatched_urns": len(self.unmatched_urns),
            "malformed_rows": len(self.malformed),
        }

    def lines(self):
        """The report as plain text lines, for the command line."""
        yield f"Header rows read: {self.header_rows}"
        yield f"Episode rows read: {self.episode_rows}"
        yield (
            f"Children: {self.children_created} created, {self.children_updated} updated, "
            f"{self.children_unchanged} unchanged"
        )
        yield (
            f"Placements: {self.placements_created} created, {self.placements_updated} updated, "
            f"{self.placements_unchanged} unchanged"
        )
        yield f"Legal status changes continuing a placement (RNE L): {self.legal_status_episodes}"
        yield f"Unmatched URNs: {len(self.unmatched_urns)}"
        if self.unmatched_urns:
            yield "  " + ", ".join(self.unmatched_urns)
        yield f"Malformed rows: {len(self.malformed)}"
        for name, line, reason in self.malformed:
            yield f"  {name} line {line}: {reason}"


@dataclass
class Episode:
    line: int
    child: str
    decom: object
    rne: str
    ls: str
    place: str
    dec: object
    rec: str
    reason_place_change: str
    urn: str


def normalise_header(text):
    return re.sub(r"[\s_\-]+", "", (text or "").replace("\ufeff", "")).lower()


def parse_date(text, column="date"):
    """A date in any of the formats SSDA903 files hold; None if blank."""
    text = re.sub(r"\s+", " ", (text or "").strip())
    if not text:
        return None
    text = TIME_SUFFIX.sub("", text)
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    raise RowError(f"Unreadable {column} “{text}”.")


def as_text(file):
    """A text stream over a binary file (or Django upload) or an already open text file."""
    if isinstance(file, io.TextIOBase):
        return file
    raw = getattr(file, "file", file)
    raw.seek(0)
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")


def _code(text, length):
    return "".join((text or "").split()).upper()[:length]


class _Table:
    """Reads one CSV file: finds its header row, then yields (line, cell) for every row."""

    def __init__(self, *, file, name, columns, required, report, progress):
        self.name = name
        self.report = report
        self.progress = progress
        self.reader = csv.reader(as_text(file))
        self.columns = self._find_header(columns)
        if self.columns is None or any(c not in self.columns for c in required):
            raise DomainError(
                f"The {name} file has no header row with the columns "
                f"{', '.join(required)}. Use the SSDA903 {name} file.",
                name,
            )

    def _find_header(self, columns):
        wanted = {normalise_header(c): c for c in columns}
        for _ in range(HEADER_SEARCH_LINES):
            try:
                row = next(self.reader)
            except StopIteration:
                return None
            except csv.Error:
                continue
            found = {}
            for index, cell in enumerate(row):
                ours = wanted.get(normalise_header(cell))
                if ours and ours not in found:
                    found[ours] = index
            if "CHILD" in found:
                return found
        return None

    def bad(self, line, reason):
        self.report.malformed.append((self.name, line, reason))

    def rows(self):
        """(line, cell) for each non-blank row; cell(column) is its stripped text."""
        count = 0
        while True:
            try:
                row = next(self.reader)
            except StopIteration:
                return
            except csv.Error as exc:
                count += 1
                self.bad(self.reader.line_num, f"Not valid CSV: {exc}.")
                continue
            if not any(cell.strip() for cell in row):
                continue
            count += 1
            if self.progress and count % PROGRESS_EVERY == 0:
                self.progress(self.name, count)
            line = self.reader.line_num

            def cell(column, row=row):
                index = self.columns.get(column)
                if index is None or index >= len(row):
                    return ""
                return row[index].strip()

            yield line, cell


def _read_header(table, report):
    """CHILD -> {date_of_birth, sex, ethnicity} from the header file's good rows."""
    children, seen = {}, {}
    for line, cell in table.rows():
        report.header_rows += 1
        try:
            reference = cell("CHILD")[:40]
            if not reference:
                raise RowError("No CHILD.")
            if reference in seen:
                raise RowError(
                    f"CHILD {reference} appears again (first on line {seen[reference]}); "
                    "this row is ignored."
                )
            dob = parse_date(cell("DOB"), "DOB")
        except RowError as exc:
            table.bad(line, str(exc))
            continue
        seen[reference] = line
        sex = cell("SEX")
        children[reference] = {
            "date_of_birth": dob,
            "sex": SEX.get(sex.lower(), sex[:10]),
            "ethnicity": _code(cell("ETHNIC"), 10),
        }
    return children


def _read_episodes(table, report, known):
    """CHILD -> its good episodes, in file order."""
    episodes = defaultdict(list)
    for line, cell in table.rows():
        report.episode_rows += 1
        try:
            episode = _episode(line, cell, known)
        except RowError as exc:
            table.bad(line, str(exc))
            continue
        episodes[episode.child].append(episode)
    return episodes


def _episode(line, cell, known):
    reference = cell("CHILD")[:40]
    if not reference:
        raise RowError("No CHILD.")
    decom = parse_date(cell("DECOM"), "DECOM")
    if decom is None:
        raise RowError("No DECOM (the date the episode started).")
    dec = parse_date(cell("DEC"), "DEC")
    if dec is not None and dec < decom:
        raise RowError(f"DEC {dec:%d/%m/%Y} is before DECOM {decom:%d/%m/%Y}.")
    rne = _code(cell("RNE"), 10)
    if rne not in RNE_CODES:
        raise RowError(f"Unknown RNE “{cell('RNE')}”: expected one of S, L, P, B, T, U.")
    if reference not in known:
        raise RowError(
            f"Unknown child {reference}: in no good row of the header file and not "
            "already known for this borough."
        )
    urn = _code(cell("URN"), 20)
    return Episode(
        line=line,
        child=reference,
        decom=decom,
        rne=rne,
        ls=_code(cell("LS"), 4),
        place=_code(cell("PLACE"), 4),
        dec=dec,
        rec=_code(cell("REC"), 10),
        reason_place_change=_code(cell("REASON_PLACE_CHANGE"), 10),
        urn="" if urn in NO_URN else urn,
    )


def _looked_after_since(episodes, current):
    ordered = sorted(episodes, key=lambda e: (e.decom, e.line))
    starts = [e.decom for e in ordered if e.rne == RNE_STARTED]
    if starts:
        return starts[-1]
    earliest = ordered[0].decom
    if current and current <= earliest:
        return current
    return earliest


def _upsert_children(borough, header, episodes, existing, report):
    """Create or update every child the files mention; returns reference -> Child."""
    for reference in sorted(set(header) | set(episodes)):
        child = existing.get(reference)
        values = dict(header.get(reference, {}))
        if reference in episodes:
            current = child.looked_after_since if child else None
            values["looked_after_since"] = _looked_after_since(episodes[reference], current)
        if child is None:
            existing[reference] = Child.objects.create(
                borough=borough, reference=reference, **values
            )
            report.children_created += 1
            continue
        changed = [name for name, value in values.items() if getattr(child, name) != value]
        if not changed:
            report.children_unchanged += 1
            continue
        for name in changed:
            setattr(child, name, values[name])
        child.save(update_fields=changed)
        report.children_updated += 1
    return existing


def _chains(episodes):
    """A child's episodes grouped into placements: an L episode joins the one before it."""
    chains = []
    for episode in sorted(episodes, key=lambda e: (e.decom, e.line)):
        if episode.rne == RNE_LEGAL_STATUS_ONLY and chains:
            chains[-1].append(episode)
        else:
            chains.append([episode])
    return chains


def _ending(chain):
    last = chain[-1]
    if last.dec is None:
        return {
            "legal_status": last.ls,
            "end_date": None,
            "status": Placement.Status.STARTED,
            "end_reason": "",
            "end_planned": None,
        }
    return {
        "legal_status": last.ls,
        "end_date": last.dec,
        "status": Placement.Status.ENDED,
        "end_reason": last.reason_place_change or last.rec,
        "end_planned": ending_planned(reason_place_change=last.reason_place_change, rec=last.rec),
    }


def _running_on(placements, day):
    """The child's imported placement running on `day` (started before it), if any."""
    running = [
        p for p in placements if p.start_date < day and (p.end_date is None or p.end_date >= day)
    ]
    return max(running, key=lambda p: (p.start_date, p.pk), default=None)


def _services_by_urn():
    index = {}
    for service in Service.objects.exclude(ofsted_urn="").only("pk", "provider_id", "ofsted_urn"):
        index.setdefault(service.ofsted_urn.strip().upper(), service)
    return index


def _save(placement, values, fields, report):
    changed = [name for name in fields if getattr(placement, name) != values[name]]
    if not changed:
        report.placements_unchanged += 1
        return
    for name in changed:
        setattr(placement, name, values[name])
    placement.save(update_fields=changed)
    report.placements_updated += 1


def _import_placements(borough, children, episodes, report):
    services = _services_by_urn()
    existing = defaultdict(list)  # child id -> its imported placements
    for placement in Placement.objects.filter(
        borough=borough, source=Placement.Source.SSDA903
    ).order_by("start_date", "pk"):
        existing[placement.child_id].append(placement)
    unmatched = {}

    for reference in sorted(episodes):
        child = children[reference]
        known = existing[child.pk]
        by_day = defaultdict(list)
        for placement in known:
            by_day[placement.start_date].append(placement)
        taken_on_day = defaultdict(int)
        for index, chain in enumerate(_chains(episodes[reference])):
            head = chain[0]
            report.legal_status_episodes += len(chain) - 1
            if index == 0 and head.rne == RNE_LEGAL_STATUS_ONLY:
                running = _running_on(known, head.decom)
                if running is not None:
                    report.legal_status_episodes += 1
                    _save(running, _ending(chain), CONTINUATION_FIELDS, report)
                    continue
            service = services.get(head.urn) if head.urn else None
            if head.urn and service is None:
                unmatched.setdefault(head.urn, None)
            values = {
                "child_reference": reference,
                "start_date": head.decom,
                "actual_start_date": head.decom,
                "placement_type": head.place,
                "service_id": service.pk if service else None,
                "provider_id": service.provider_id if service else None,
                **_ending(chain),
            }
            same_day = by_day[head.decom]
            position = taken_on_day[head.decom]
            taken_on_day[head.decom] += 1
            if position < len(same_day):
                _save(same_day[position], values, PLACEMENT_FIELDS, report)
                continue
            Placement.objects.create(
                borough=borough,
                source=Placement.Source.SSDA903,
                child=child,
                weekly_fee=0,
                **values,
            )
            report.placements_created += 1
    report.unmatched_urns = list(unmatched)


@transaction.atomic
def ssda903_import(
    *,
    actor=None,
    borough,
    header,
    episodes,
    label=LABEL,
    header_name="header",
    episodes_name="episodes",
    request=None,
    progress=None,
):
    """Import a borough's SSDA903 header and episodes files (binary or text file objects).
    `actor` is a user or API client of the borough (None from the command line, with `label`
    naming who ran it); `progress(file, rows)` is called every 1,000 rows of each file.
    Returns an Ssda903Report. A file without the columns it needs is refused (DomainError)."""
    if borough.kind != Organisation.Kind.BOROUGH:
        raise DomainError("SSDA903 returns are imported for a borough.", "borough")
    if actor is not None and actor.organisation.pk != borough.pk:
        raise PermissionDenied("Only the borough itself imports its SSDA903 return.")
    report = Ssda903Report()
    header_table = _Table(
        file=header,
        name="header",
        columns=HEADER_COLUMNS,
        required=HEADER_REQUIRED,
        report=report,
        progress=progress,
    )
    episodes_table = _Table(
        file=episodes,
        name="episodes",
        columns=EPISODE_COLUMNS,
        required=EPISODE_REQUIRED,
        report=report,
        progress=progress,
    )
    header_rows = _read_header(header_table, report)
    existing = {c.reference: c for c in Child.objects.filter(borough=borough)}
    episode_rows = _read_episodes(episodes_table, report, set(header_rows) | set(existing))
    children = _upsert_children(borough, header_rows, episode_rows, existing, report)
    _import_placements(borough, children, episode_rows, report)
    report.malformed.sort(key=lambda bad: (bad[0] != "header", bad[1]))
    audit_record(
        actor=actor,
        label=label,
        action=AUDIT_ACTION,
        obj=borough,
        request=request,
        organisation=borough,
        detail={
            "files": {"header": header_name, "episodes": episodes_name},
            **report.counts(),
            "malformed": [
                {"file": name, "line": line, "reason": reason}
                for name, line, reason in report.malformed[:100]
            ],
        },
    )
    return report
