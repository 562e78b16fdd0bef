"""A borough's SSDA903 return (the DfE's looked-after children return), in and validated.

Two CSV files: the header file, one row per child (CHILD, SEX, DOB, ETHNIC, UPN, MOTHER,
MC_DOB), and the episodes file, one row per episode of care (CHILD, DECOM, RNE, LS, CIN, PLACE,
PLACE_PROVIDER, DEC, REC, REASON_PLACE_CHANGE, HOME_POST, PL_POST, URN), for a return year
(1 April to 31 March).

The pipeline, one service per step (pages, tasks and the import_ssda903 command call them):
1. `ssda903_return_create`: a commissioner or placement officer of the borough uploads the
   files; they are stored privately as an Ssda903Return (queued) and a worker validates it.
2. `ssda903_return_validate`: the files as a whole are checked (ssda903_read: encoding,
   delimiter, columns, swapped files, empty, another year's): any problem refuses the return
   and nothing can be imported. Then our row checks (ssda903_checks, codes DPS..) and the DfE's
   own rules (ssda903_validate); every finding is an Ssda903Issue with its file and line.
3. The user chooses: `ssda903_return_import` (the valid children only: a child with any issue
   is left out entirely) hands the return to a worker, which runs `ssda903_return_store`
   (ssda903_store: children, episodes of care and placements, one transaction); or
   `ssda903_return_discard`.

A status moves only as the return's state machine allows (SSDA903_RETURN_STATES, beside the
model), each move a conditional update, so a double click or a task run twice has one effect."""

import logging
import time
from collections.abc import Callable
from datetime import date
from pathlib import PurePath
from typing import IO

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone

from dps.models import Organisation, Role
from dps.services import DomainError
from dps.services.audit import audit_record
from dps.storage import files_removed_on_failure
from dps.tenancy import Actor

from ..models import Ssda903Issue, Ssda903Return
from ..models.ssda903 import SSDA903_RETURN_STATES
from . import ssda903_validate
from .kpis import kpi_recompute
from .ssda903_checks import CHECKS, Checked, check, infer_year_ending, read_rows
from .ssda903_read import (
    FileProblem,
    RowError,
    parse_date,
    read_episodes,
    read_header,
    year_ending_of,
)
from .ssda903_store import StoreReport, store

__all__ = [
    "CHECKS",
    "FileProblem",
    "RowError",
    "parse_date",
    "ssda903_return_create",
    "ssda903_return_discard",
    "ssda903_return_import",
    "ssda903_return_store",
    "ssda903_return_validate",
]

log = logging.getLogger(__name__)
Status = Ssda903Return.Status
AUDIT_ACTION = "placement.ssda903_import"
FIRST_YEAR = 2016
MAX_FILE_BYTES = 20 * 1024 * 1024
UPLOAD_ROLES = {Role.COMMISSIONER, Role.PLACEMENT_OFFICER}
RUNNING = (Status.QUEUED, Status.VALIDATING, Status.IMPORTING)
VALIDATION_STEPS = ("Reading the files", "Checking the rows", "Running the DfE's rules", "Saving")
ISSUE_BATCH = 2000
# An uploaded file: an upload (a Django File), an open binary file, or its bytes.
Upload = File | IO[bytes] | bytes


def years_offered(today: date | None = None) -> list[int]:
    """The return years one may upload: ending 31 March 2016 up to the next 31 March."""
    today = today or timezone.localdate()
    return list(range(year_ending_of(today), FIRST_YEAR - 1, -1))


def may_upload(actor: Actor | None) -> bool:
    return (
        actor is not None
        and actor.is_borough
        and actor.api_client is None
        and actor.role in UPLOAD_ROLES
        and actor.can_write
    )


def actions_for(ssda903_return: Ssda903Return) -> dict[str, bool]:
    """What a user may do with the return now: the actions its state machine allows by their
    hand (importing, only with a valid child)."""
    available = SSDA903_RETURN_STATES.available(ssda903_return)
    return {
        "import": "import" in available and ssda903_return.children_valid > 0,
        "discard": "discard" in available,
    }


def _move(ssda903_return, old, new, *, actor=None, **fields):
    """Move the return from `old` to `new` if it is still `old`; True if this call did. A
    worker's move is recorded as the system's (or the command's, by its label)."""
    return SSDA903_RETURN_STATES.move_if(
        ssda903_return,
        new,
        sources={old},
        fields=fields,
        actor=actor,
        label=ssda903_return.label or None,
    )


def _progress(ssda903_return, stage, done, total):
    Ssda903Return.objects.filter(pk=ssda903_return.pk).update(
        stage=stage, progress_done=done, progress_total=total
    )
    ssda903_return.stage, ssda903_return.progress_done = stage, done
    ssda903_return.progress_total = total


def _content(upload, name):
    """A Django File for an upload, an open binary file or bytes."""
    if isinstance(upload, bytes):
        return ContentFile(upload, name=name)
    if isinstance(upload, File):
        return upload
    return File(upload, name=name)


def _original_name(upload, default):
    name = getattr(upload, "name", None) or default
    return PurePath(str(name)).name[:255]


# --- 1. Upload ----------------------------------------------------------------------------


def ssda903_return_create(
    *,
    actor: Actor | None,
    year_ending: int | str,
    header: Upload | None,
    episodes: Upload | None,
    borough: Organisation | None = None,
    label: str = "",
    queue: bool = True,
) -> Ssda903Return:
    """Store an upload of the borough's return for the year ending 31 March `year_ending` and
    queue its validation. `actor`: a commissioner or placement officer of the borough; None
    from the command line, with the `borough` and a `label` naming who ran it."""
    if actor is not None:
        if not may_upload(actor):
            raise PermissionDenied(
                "Only a borough's commissioners and placement officers upload its return."
            )
        borough = actor.organisation
    if borough is None or borough.kind != Organisation.Kind.BOROUGH:
        raise DomainError("SSDA903 returns are uploaded for a borough.", "borough")
    try:
        year_ending = int(year_ending)
    except (TypeError, ValueError):
        raise DomainError("Choose the year of the return.", "year_ending") from None
    if year_ending not in years_offered() and actor is not None:
        raise DomainError(
            f"Choose a year ending 31 March between {FIRST_YEAR} and {years_offered()[0]}.",
            "year_ending",
        )
    for upload, field in ((header, "header"), (episodes, "episodes")):
        if upload is None:
            raise DomainError(f"Choose the {field} file.", field)
        size = getattr(upload, "size", None)
        if size is not None and size > MAX_FILE_BYTES:
            raise DomainError(
                f"The {field} file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.", field
            )
    ssda903_return = Ssda903Return(
        borough=borough,
        year_ending=year_ending,
        header_name=_original_name(header, "header.csv"),
        episodes_name=_original_name(episodes, "episodes.csv"),
        uploaded_by=actor.user if actor else None,
        label=label[:60],
    )
    # A row that is not saved leaves no file behind.
    stored = files_removed_on_failure(ssda903_return, "header_file", "episodes_file")
    with stored, transaction.atomic():
        ssda903_return.header_file.save("header", _content(header, "header.csv"), save=False)
        ssda903_return.episodes_file.save(
            "episodes", _content(episodes, "episodes.csv"), save=False
        )
        ssda903_return.full_clean()
        ssda903_return.save()
        audit_record(
            actor=actor,
            label=label or None,
            action="ssda903_return.uploaded",
            obj=ssda903_return,
            organisation=borough,
            detail={
                "year_ending": year_ending,
                "files": {
                    "header": ssda903_return.header_name,
                    "episodes": ssda903_return.episodes_name,
                },
            },
        )
        if queue:
            pk = ssda903_return.pk
            transaction.on_commit(lambda: enqueue_validation(pk))
    return ssda903_return


def enqueue_validation(return_id: int) -> None:
    """A broker that is down leaves the return queued; uploading again retries."""
    from ..tasks import ssda903_validate_task

    try:
        ssda903_validate_task.apply_async((return_id,), retry=False)
    except Exception:
        log.warning("Could not queue the validation of SSDA903 return %s.", return_id)


def enqueue_import(return_id: int) -> None:
    from ..tasks import ssda903_import_task

    try:
        ssda903_import_task.apply_async((return_id,), retry=False)
    except Exception:
        log.warning("Could not queue the import of SSDA903 return %s.", return_id)


# --- 2. Validation ------------------------------------------------------------------------


def _read(ssda903_return):
    """The two files read (Tables), or the problems refusing them (messages)."""
    tables, problems = {}, []
    for name, field, reader in (
        ("header", ssda903_return.header_file, read_header),
        ("episodes", ssda903_return.episodes_file, read_episodes),
    ):
        with field.open("rb") as file:
            raw = file.read()
        try:
            tables[name] = reader(raw)
        except FileProblem as exc:
            problems.append(exc.message)
    return tables, problems


def checked_rows(
    ssda903_return: Ssda903Return, *, today: date | None = None
) -> tuple[Checked | None, list[str]]:
    """The return's rows read and checked: (Checked, problems)."""
    tables, problems = _read(ssda903_return)
    if problems:
        return None, problems
    try:
        checked = check(
            tables["header"],
            tables["episodes"],
            year_ending=ssda903_return.year_ending,
            today=today or timezone.localdate(),
        )
    except FileProblem as exc:
        return None, [exc.message]
    return checked, []


def _refuse(ssda903_return, problems):
    _move(
        ssda903_return,
        Status.VALIDATING,
        Status.REFUSED,
        problems=problems,
        stage="",
        validated_at=timezone.now(),
    )
    return ssda903_return


def ssda903_return_validate(
    ssda903_return: Ssda903Return,
    *,
    today: date | None = None,
    progress: Callable[[str], object] | None = None,
) -> Ssda903Return:
    """Check a queued return: refuse it for file-level problems, else record every issue of
    its rows (ours and the DfE's rules) and its counts. `progress(stage)` is told each step.
    Running it again on a return no longer queued does nothing."""
    steps = len(VALIDATION_STEPS)
    if not _move(ssda903_return, Status.QUEUED, Status.VALIDATING, stage=VALIDATION_STEPS[0]):
        return ssda903_return
    started = time.perf_counter()

    def step(index):
        _progress(ssda903_return, VALIDATION_STEPS[index], index, steps)
        if progress:
            progress(VALIDATION_STEPS[index])

    try:
        step(0)
        tables, problems = _read(ssda903_return)
        if problems:
            return _refuse(ssda903_return, problems)
        step(1)
        try:
            checked = check(
                tables["header"],
                tables["episodes"],
                year_ending=ssda903_return.year_ending,
                today=today or timezone.localdate(),
            )
        except FileProblem as exc:
            return _refuse(ssda903_return, [exc.message])
        step(2)
        dfe = ssda903_validate.dfe_rules_run(
            header_rows=checked.header,
            episode_rows=checked.episodes,
            year_ending=ssda903_return.year_ending,
            la_code=ssda903_return.borough.la_code,
        )
        step(3)
        issues = checked.issues + dfe.issues
        _issues_save(ssda903_return, issues)
        children = {row.child for row in checked.header if row.child}
        flagged = {issue.child for issue in issues if issue.child}
        validation = {
            "ruleset_year": dfe.ruleset_year,
            "rules_ran": dfe.ran,
            "rules_skipped": dfe.skipped,
            "rules_failed": dfe.failed,
            "seconds": round(time.perf_counter() - started, 2),
        }
        _move(
            ssda903_return,
            Status.VALIDATING,
            Status.VALIDATED,
            children_total=len(children),
            children_valid=len(children - flagged),
            episodes_total=len(checked.episodes),
            issues_total=len(issues),
            report={"validation": validation, "derived": dfe.derived},
            stage="",
            progress_done=steps,
            validated_at=timezone.now(),
        )
    except Exception as exc:
        log.exception("SSDA903 return %s: validation failed", ssda903_return.pk)
        _move(ssda903_return, Status.VALIDATING, Status.FAILED, error=str(exc)[:2000], stage="")
        raise
    return ssda903_return


def _issues_save(ssda903_return, issues):
    issues = sorted(issues, key=lambda i: (i.file != "header", i.line or 0, i.code))
    Ssda903Issue.objects.filter(ssda903_return=ssda903_return).delete()
    Ssda903Issue.objects.bulk_create(
        [
            Ssda903Issue(
                ssda903_return=ssda903_return,
                file=issue.file,
                line=issue.line,
                child=issue.child[:40],
                code=issue.code[:20],
                message=issue.message,
                fields=issue.fields[:200],
            )
            for issue in issues
        ],
        batch_size=ISSUE_BATCH,
    )


# --- 3. Import or discard -----------------------------------------------------------------


def _check_writer(actor, ssda903_return):
    if actor is None:
        return
    if not may_upload(actor) or actor.organisation.pk != ssda903_return.borough_id:
        raise PermissionDenied("Only the borough's commissioners and placement officers decide.")


def ssda903_return_import(
    *, actor: Actor | None, ssda903_return: Ssda903Return, queue: bool = True
) -> Ssda903Return:
    """The user's "Import the N valid children": from a validated return only, once."""
    _check_writer(actor, ssda903_return)
    if ssda903_return.status == Status.REFUSED:
        raise DomainError("This return was refused: nothing in it can be imported.")
    with transaction.atomic():
        if not _move(
            ssda903_return, Status.VALIDATED, Status.IMPORTING, actor=actor, stage="Waiting"
        ):
            raise DomainError(
                "This return is no longer waiting for a decision: it is "
                f"{Status(_status_now(ssda903_return)).label.lower()}."
            )
        audit_record(
            actor=actor,
            label=ssda903_return.label or None,
            action="ssda903_return.import_requested",
            obj=ssda903_return,
            organisation=ssda903_return.borough,
            detail={"children_valid": ssda903_return.children_valid},
        )
        if queue:
            pk = ssda903_return.pk
            transaction.on_commit(lambda: enqueue_import(pk))
    return ssda903_return


def _status_now(ssda903_return):
    return (
        Ssda903Return.objects.filter(pk=ssda903_return.pk).values_list("status", flat=True).first()
    ) or ssda903_return.status


def ssda903_return_discard(*, actor: Actor | None, ssda903_return: Ssda903Return) -> Ssda903Return:
    """The user's "Do not import"."""
    _check_writer(actor, ssda903_return)
    with transaction.atomic():
        if not _move(ssda903_return, Status.VALIDATED, Status.DISCARDED, actor=actor):
            raise DomainError("This return is no longer waiting for a decision.")
        audit_record(
            actor=actor,
            action="ssda903_return.discarded",
            obj=ssda903_return,
            organisation=ssda903_return.borough,
        )
    return ssda903_return


def ssda903_return_store(
    ssda903_return: Ssda903Return, *, today: date | None = None, recompute: bool = True
) -> Ssda903Return:
    """The worker's step after "Import": store the valid children of an importing return, in
    one transaction, and write what it did into the return's report. Running it again on a
    return no longer importing does nothing. With `recompute`, the consortium's KPIs are then
    recomputed (a run queued with the import's commit), so the figures show the return."""
    ssda903_return.refresh_from_db()
    if ssda903_return.status != Status.IMPORTING:
        return ssda903_return
    started = time.perf_counter()
    _progress(ssda903_return, "Importing the valid children", 0, 1)
    try:
        checked, problems = checked_rows(ssda903_return, today=today)
        if problems or checked is None:  # no rows only ever with a problem
            raise DomainError("The files changed since they were checked: " + problems[0])
        left_out = set(
            ssda903_return.issues.exclude(child="").values_list("child", flat=True).distinct()
        )
        derived = ssda903_return.report.get("derived", {})
        with transaction.atomic():
            if (
                not Ssda903Return.objects.select_for_update()
                .filter(pk=ssda903_return.pk, status=Status.IMPORTING)
                .exists()
            ):
                return ssda903_return
            result = store(
                borough=ssda903_return.borough,
                year_ending=ssda903_return.year_ending,
                header_rows=checked.header,
                episode_rows=checked.episodes,
                left_out=left_out,
                derived=derived,
            )
            report = _report(ssda903_return, result, time.perf_counter() - started)
            _move(
                ssda903_return,
                Status.IMPORTING,
                Status.IMPORTED,
                report=report,
                stage="",
                progress_done=1,
                progress_total=1,
                imported_at=timezone.now(),
            )
            if recompute and ssda903_return.borough.consortium_id:
                kpi_recompute(
                    consortium=ssda903_return.borough.consortium,
                    trigger="SSDA903 import",
                )
            audit_record(
                label=ssda903_return.label or "SSDA903 import",
                user=ssda903_return.uploaded_by if not ssda903_return.label else None,
                action=AUDIT_ACTION,
                obj=ssda903_return.borough,
                organisation=ssda903_return.borough,
                detail={
                    "return": ssda903_return.pk,
                    "year_ending": ssda903_return.year_ending,
                    "files": {
                        "header": ssda903_return.header_name,
                        "episodes": ssda903_return.episodes_name,
                    },
                    **{k: v for k, v in report.items() if k not in {"unmatched_urns"}},
                    "unmatched_urns": len(result.unmatched_urns),
                },
            )
    except Exception as exc:
        log.exception("SSDA903 return %s: import failed", ssda903_return.pk)
        _move(ssda903_return, Status.IMPORTING, Status.FAILED, error=str(exc)[:2000], stage="")
        raise
    return ssda903_return


def _report(ssda903_return, result: StoreReport, seconds):
    report = {
        name: getattr(result, name)
        for name in StoreReport.__dataclass_fields__
        if name != "unmatched_urns"
    }
    report["unmatched_urns"] = result.unmatched_urns
    report["seconds"] = round(seconds, 2)
    report["validation"] = ssda903_return.report.get("validation", {})
    return report


def inferred_year_ending(header: bytes, episodes: bytes) -> int | None:
    """The return year the episodes (bytes) look like, for the command line; None if unknown."""
    try:
        tables = {"header": read_header(header), "episodes": read_episodes(episodes)}
    except FileProblem:
        return None
    return infer_year_ending(read_rows(tables["header"], tables["episodes"]).episodes)
