"""Storing a validated SSDA903 return's valid children: their Child rows, their episodes of care
(CareEpisode) and the placements built from the episodes (source "ssda903"). One transaction,
bulk queries only (a 5,000-child return is a few dozen queries).

- Children: created or updated by (borough, reference): date of birth, sex (the DfE code 1 or
  2; M and F read as 1 and 2), ethnicity, and looked_after_since: the DECOM of the child's last
  episode with RNE S, else the earliest DECOM the file holds unless the child already records
  an earlier date. A child a newer return has already written is left as that return wrote it.
- Episodes: the return is authoritative for each of its children's episodes overlapping its
  year (DECOM <= 31 March Y and DEC empty or >= 1 April Y-1). Each episode is known by (child,
  DECOM, order among the child's episodes starting that day, in file order). An episode a newer
  return wrote (year_ending > Y) is never overwritten; a child's stored episodes of year Y or
  older that overlap the year but are not in the return are deleted (the file dropped them).
  Episodes outside the year that the file holds are stored too. `ends` is DEC, or 1 April after
  the return's year while the episode is open.
- Placements: a child's episodes in order of DECOM, then line; each with RNE S, P, B, T or U
  starts one (start DECOM, placement type PLACE, legal status LS, the service whose Ofsted URN
  is the episode's URN); an L episode (legal status only) continues the placement before it,
  or, first in the file, the child's placement already running on its DECOM. A placement ends
  on the DEC of its last episode; its end reason is REASON_PLACE_CHANGE when the child moved,
  else REC; planned or not follows monitoring.ssda903_columns.ending_planned. One the return
  leaves open is known to run until the return's year end (known_until), no further. A
  placement is found again by its child and start date (and order on that day). The weekly fee
  is not in the return: a new placement records 0 and an import never changes a fee. A
  placement built from episodes a newer return wrote is left alone."""

from collections import Counter, defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Max

from dps.models import Organisation
from geography.selectors import Place, Unknown, locate_many
from placements.models import Child, Placement
from providers.models import Service

from ..models import CareEpisode
from ..ssda903_columns import RNE_LEGAL_STATUS_ONLY, RNE_STARTED, SEX, ending_planned
from .ssda903_checks import EpisodeRow, HeaderRow
from .ssda903_read import year_window

# URNs the return uses for "no URN" (placements with parents, in-house settings without one).
NO_URN = {"", "XXXXXXX", "XXXXXXXX", "NA", "N/A", "NULL"}
CHILD_FIELDS = ("date_of_birth", "sex", "ethnicity", "looked_after_since")
EPISODE_FIELDS = (
    "rne",
    "ls",
    "cin",
    "place",
    "place_provider",
    "dec",
    "rec",
    "reason_place_change",
    "home_post",
    "pl_post",
    "urn",
    "pl_la",
    "pl_location",
    "pl_distance",
    "distance_unknown",
    "year_ending",
    "ends",
)
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
    "known_until",
)
# What an L episode continuing an already imported placement may change.
CONTINUATION_FIELDS = (
    "legal_status",
    "end_date",
    "status",
    "end_reason",
    "end_planned",
    "known_until",
)
BATCH = 1000


@dataclass
class StoreReport:
    children_created: int = 0
    children_updated: int = 0
    children_unchanged: int = 0
    episodes_created: int = 0
    episodes_updated: int = 0
    episodes_unchanged: int = 0
    episodes_removed: int = 0
    # Episodes a newer return already wrote, left as they are.
    episodes_kept_newer: int = 0
    placements_created: int = 0
    placements_updated: int = 0
    placements_unchanged: int = 0
    legal_status_episodes: int = 0
    children_left_out: int = 0
    unmatched_urns: list = field(default_factory=list)


def code(text: str | None, length: int) -> str:
    return "".join((text or "").split()).upper()[:length]


def postcode(text: str | None) -> str:
    return " ".join((text or "").upper().split())[:8]


def distance_unknown(home_post: str, pl_post: str, places: Mapping[str, Place]) -> str:
    """Why an episode's distance (PL_DISTANCE, as the DfE's validator derived it) is not known:
    a postcode not given, else the home's reason, else the placement's (an Unknown value).
    When the directory locates both, the validator's own copy did not: "not_found"."""
    if not home_post or not pl_post:
        return Unknown.NOT_GIVEN
    for post in (home_post, pl_post):
        reason = places[post].unknown if post in places else Unknown.NOT_FOUND
        if reason:
            return reason
    return Unknown.NOT_FOUND


def _episode_values(row, year_ending, derived, places):
    cells = row.cells
    urn = code(cells.get("URN"), 20)
    la, location, distance = derived or ("", "", None)
    home_post, pl_post = postcode(cells.get("HOME_POST")), postcode(cells.get("PL_POST"))
    return {
        "rne": row.rne[:1],
        "ls": code(cells.get("LS"), 2),
        "cin": code(cells.get("CIN"), 2),
        "place": code(cells.get("PLACE"), 2),
        "place_provider": code(cells.get("PLACE_PROVIDER"), 3),
        "dec": row.dec,
        "rec": code(cells.get("REC"), 3),
        "reason_place_change": code(cells.get("REASON_PLACE_CHANGE"), 6),
        "home_post": home_post,
        "pl_post": pl_post,
        "urn": "" if urn in NO_URN else urn[:8],
        "pl_la": la or "",
        "pl_location": location or "",
        "pl_distance": None if distance is None else Decimal(str(distance)),
        "distance_unknown": ""
        if distance is not None
        else distance_unknown(home_post, pl_post, places),
        "year_ending": year_ending,
        "ends": CareEpisode.ends_for(row.dec, year_ending),
    }


def _looked_after_since(episodes, current):
    ordered = sorted(episodes, key=lambda e: (e.decom, e.index))
    starts = [e.decom for e in ordered if e.rne == RNE_STARTED]
    if starts:
        return starts[-1]
    earliest = ordered[0].decom
    if current and current <= earliest:
        return current
    return earliest


def _changed(obj, values, names):
    changed = [name for name in names if getattr(obj, name) != values[name]]
    for name in changed:
        setattr(obj, name, values[name])
    return changed


def _newest_years(borough, references):
    """Child reference -> the latest year_ending of its stored episodes."""
    wanted = set(references)
    rows = (
        CareEpisode.objects.filter(borough=borough)
        .values("child__reference")
        .annotate(latest=Max("year_ending"))
        .values_list("child__reference", "latest")
    )
    return {reference: latest for reference, latest in rows if reference in wanted}


def _upsert_children(borough, header, episodes, year_ending, newest, report):
    existing = {c.reference: c for c in Child.objects.filter(borough=borough, reference__in=header)}
    to_create, to_update, fields = [], [], set()
    for reference, row in header.items():
        sex = code(row.cells.get("SEX"), 10)
        values = {
            "date_of_birth": row.dob,
            "sex": SEX.get(sex.lower(), sex),
            "ethnicity": code(row.cells.get("ETHNIC"), 10),
        }
        child = existing.get(reference)
        if reference in episodes:
            current = child.looked_after_since if child else None
            values["looked_after_since"] = _looked_after_since(episodes[reference], current)
        if child is None:
            child = Child(borough=borough, reference=reference, **values)
            to_create.append(child)
            existing[reference] = child
            continue
        if newest.get(reference, 0) > year_ending:
            report.children_unchanged += 1
            continue
        changed = _changed(child, values, list(values))
        if changed:
            to_update.append(child)
            fields.update(changed)
        else:
            report.children_unchanged += 1
    Child.objects.bulk_create(to_create, batch_size=BATCH)
    if to_update:
        Child.objects.bulk_update(to_update, sorted(fields), batch_size=BATCH)
    report.children_created += len(to_create)
    report.children_updated += len(to_update)
    if to_create and to_create[0].pk is None:  # a database that returns no ids
        created = Child.objects.filter(
            borough=borough, reference__in=[c.reference for c in to_create]
        )
        existing.update({c.reference: c for c in created})
    return existing


def _places_of_unknown(episodes, derived):
    """The places of the postcodes of every episode whose distance is not known, located
    together (a few queries for the whole batch)."""
    posts = set()
    for rows in episodes.values():
        for row in rows:
            la_location_distance = derived.get(str(row.index))
            if la_location_distance is None or la_location_distance[2] is None:
                posts.add(postcode(row.cells.get("HOME_POST")))
                posts.add(postcode(row.cells.get("PL_POST")))
    posts.discard("")
    return locate_many(posts) if posts else {}


def _store_episodes(borough, children, episodes, year_ending, derived, report):
    """Upsert the children's episodes; returns the keys of the episodes a newer return wrote."""
    start, end = year_window(year_ending)
    ids = [children[reference].pk for reference in episodes]
    stored = {(e.child_id, e.decom, e.seq): e for e in CareEpisode.objects.filter(child_id__in=ids)}
    newer, seen = set(), set()
    to_create, to_update, fields = [], [], set()
    places = _places_of_unknown(episodes, derived)
    for reference, rows in episodes.items():
        child = children[reference]
        for row in rows:
            key = (child.pk, row.decom, row.seq)
            seen.add(key)
            values = _episode_values(row, year_ending, derived.get(str(row.index)), places)
            episode = stored.get(key)
            if episode is None:
                to_create.append(
                    CareEpisode(
                        borough=borough, child=child, decom=row.decom, seq=row.seq, **values
                    )
                )
                continue
            if episode.year_ending > year_ending:
                newer.add(key)
                report.episodes_kept_newer += 1
                continue
            changed = _changed(episode, values, EPISODE_FIELDS)
            if changed:
                to_update.append(episode)
                fields.update(changed)
            else:
                report.episodes_unchanged += 1
    dropped = [
        e.pk
        for key, e in stored.items()
        if key not in seen
        and e.year_ending <= year_ending
        and e.decom <= end
        and (e.dec is None or e.dec >= start)
    ]
    for offset in range(0, len(dropped), BATCH):
        CareEpisode.objects.filter(pk__in=dropped[offset : offset + BATCH]).delete()
    CareEpisode.objects.bulk_create(to_create, batch_size=BATCH)
    if to_update:
        CareEpisode.objects.bulk_update(to_update, sorted(fields), batch_size=BATCH)
    report.episodes_created += len(to_create)
    report.episodes_updated += len(to_update)
    report.episodes_removed += len(dropped)
    return newer


def _chains(rows):
    """A child's episodes grouped into placements: an L episode joins the one before it."""
    chains = []
    for row in sorted(rows, key=lambda e: (e.decom, e.index)):
        if row.rne == RNE_LEGAL_STATUS_ONLY and chains:
            chains[-1].append(row)
        else:
            chains.append([row])
    return chains


def _ending(chain, year_ending):
    last = chain[-1]
    ls = code(last.cells.get("LS"), 4)
    if last.dec is None:
        return {
            "legal_status": ls,
            "end_date": None,
            "status": Placement.Status.STARTED,
            "end_reason": "",
            "end_planned": None,
            "known_until": year_window(year_ending)[1],
        }
    reason = code(last.cells.get("REASON_PLACE_CHANGE"), 10)
    rec = code(last.cells.get("REC"), 10)
    return {
        "legal_status": ls,
        "end_date": last.dec,
        "status": Placement.Status.ENDED,
        "end_reason": reason or rec,
        "end_planned": ending_planned(reason_place_change=reason, rec=rec),
        "known_until": None,
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


def _store_placements(borough, children, episodes, year_ending, newer, newest, report):
    services = _services_by_urn()
    existing = defaultdict(list)
    ids = [children[reference].pk for reference in episodes]
    for placement in Placement.objects.filter(
        borough=borough, source=Placement.Source.SSDA903, child_id__in=ids
    ).order_by("start_date", "pk"):
        existing[placement.child_id].append(placement)
    unmatched = {}
    to_create, to_update, fields = [], {}, set()

    def save(placement, values, names):
        changed = _changed(placement, values, names)
        if changed:
            to_update[placement.pk] = placement
            fields.update(changed)
        elif placement.pk not in to_update:
            report.placements_unchanged += 1

    for reference, rows in episodes.items():
        child = children[reference]
        known = existing[child.pk]
        by_day = defaultdict(list)
        for placement in known:
            by_day[placement.start_date].append(placement)
        taken_on_day = Counter()
        for index, chain in enumerate(_chains(rows)):
            head = chain[0]
            report.legal_status_episodes += len(chain) - 1
            by_newer = any((child.pk, e.decom, e.seq) in newer for e in chain)
            if index == 0 and head.rne == RNE_LEGAL_STATUS_ONLY:
                running = _running_on(known, head.decom)
                if running is not None:
                    report.legal_status_episodes += 1
                    if by_newer or newest.get(reference, 0) > year_ending:
                        report.placements_unchanged += 1
                    else:
                        save(running, _ending(chain, year_ending), CONTINUATION_FIELDS)
                    continue
            urn = code(head.cells.get("URN"), 20)
            urn = "" if urn in NO_URN else urn
            service = services.get(urn) if urn else None
            if urn and service is None:
                unmatched.setdefault(urn, None)
            values = {
                "child_reference": reference,
                "start_date": head.decom,
                "actual_start_date": head.decom,
                "placement_type": code(head.cells.get("PLACE"), 4),
                "service_id": service.pk if service else None,
                "provider_id": service.provider_id if service else None,
                **_ending(chain, year_ending),
            }
            same_day = by_day[head.decom]
            position = taken_on_day[head.decom]
            taken_on_day[head.decom] += 1
            if position < len(same_day):
                if by_newer:
                    report.placements_unchanged += 1
                else:
                    save(same_day[position], values, PLACEMENT_FIELDS)
                continue
            to_create.append(
                Placement(
                    borough=borough,
                    source=Placement.Source.SSDA903,
                    child=child,
                    weekly_fee=0,
                    **values,
                )
            )
    Placement.objects.bulk_create(to_create, batch_size=BATCH)
    if to_update:
        Placement.objects.bulk_update(list(to_update.values()), sorted(fields), batch_size=BATCH)
    report.placements_created += len(to_create)
    report.placements_updated += len(to_update)
    report.unmatched_urns = list(unmatched)


def store(
    *,
    borough: Organisation,
    year_ending: int,
    header_rows: Sequence[HeaderRow],
    episode_rows: Sequence[EpisodeRow],
    left_out: Collection[str],
    derived: Mapping[str, Any],
) -> StoreReport:
    """Store the rows of the children not in `left_out` (references); `derived` maps an
    episode row's index (as text) to its (PL_LA, PL_LOCATION, PL_DISTANCE). Run inside a
    transaction. Returns a StoreReport."""
    report = StoreReport()
    header: dict[str, HeaderRow] = {}
    for row in header_rows:
        if row.child and row.child not in left_out and row.child not in header:
            header[row.child] = row
    report.children_left_out = len({r.child for r in header_rows if r.child} & set(left_out))
    episodes: defaultdict[str, list[EpisodeRow]] = defaultdict(list)
    for episode in episode_rows:
        if episode.child in header and episode.decom is not None:
            episodes[episode.child].append(episode)
    newest = _newest_years(borough, list(header))
    children = _upsert_children(borough, header, episodes, year_ending, newest, report)
    newer = _store_episodes(borough, children, episodes, year_ending, derived, report)
    _store_placements(borough, children, episodes, year_ending, newer, newest, report)
    return report
