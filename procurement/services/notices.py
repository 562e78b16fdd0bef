"""The notices owed, found from the consortium's data (notices_sync), drafted from it,
published on Find a Tender and recorded here with their notice ids, and reminded of.

The rules (which event owes which notice, and when) are procurement/notice_rules.py."""

import re
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from dps.models import Organisation, Role, User
from dps.services import DomainError
from dps.services.audit import audit_record
from dps.services.emails import email_queue_template
from dps.state import Action, StateMachine
from dps.tenancy import Actor
from placements.models import PlacementRequest
from providers.models import Arrangement, ConditionsVersion, Opening
from providers.selectors.arrangement import arrangement_of

from .. import notice_rules as rules
from ..models import Notice
from ..selectors.notices import may_write_notices, notice_fields, unpublished_due_by

Status = Notice.Status
NOTICE_STATES = StateMachine(
    Status,
    {Status.DUE: {Status.DRAFTED, Status.PUBLISHED}, Status.DRAFTED: {Status.PUBLISHED}},
    actions={
        "draft": Action(
            sources=[Status.DUE, Status.DRAFTED],
            refused="This notice is published, so it cannot be drafted again.",
        ),
        "publish": Action(Status.PUBLISHED),
    },
    refused=lambda old, new: f"This notice is {old.label.lower()}, so it cannot be changed.",
    owner="consortium_id",
)
# A Find a Tender notice id: six digits, a hyphen, the year of publication.
FTS_NOTICE_ID = re.compile(r"^\d{6}-\d{4}$")


# --- What is owed ---------------------------------------------------------------------------


# The Notice fields naming a subject; a notice with none is about the arrangement itself.
SUBJECTS = ("conditions", "opening", "request", "placement")


def _key(kind, subject, pk):
    return (kind, subject, pk)


@transaction.atomic
def notices_sync(*, consortium: Organisation, today: date) -> list[Notice]:
    """Create the notices the consortium's data owes that are not yet recorded; the ones
    recorded are left as they are (a due date, once set, stays). One query per kind
    of subject the arrangement's rules look at, one for the notices held, one insert.
    Returns those created."""
    arrangement = arrangement_of(consortium)
    if arrangement is None or arrangement.basis == Arrangement.Basis.LEGACY_DPS:
        return []
    held = set()
    for kind, *ids in Notice.objects.filter(consortium=consortium).values_list(
        "kind", *(f"{subject}_id" for subject in SUBJECTS)
    ):
        found = [(subject, pk) for subject, pk in zip(SUBJECTS, ids, strict=True) if pk]
        held.add(_key(kind, *found[0]) if found else _key(kind, "", None))
    subjects = {
        "": [arrangement],
        "conditions": ConditionsVersion.objects.filter(arrangement=arrangement),
        "opening": Opening.objects.filter(arrangement=arrangement),
        "request": PlacementRequest.objects.filter(
            borough__consortium=consortium,
            published_at__date__gte=arrangement.starts_on,
        ).select_related("lot", "borough"),
        "placement": rules.placements_under(arrangement),
    }
    owed = []
    for subject, objects in subjects.items():
        applying = rules.rules_for(arrangement, subject)
        if not applying:
            continue
        for obj in objects:
            for rule in applying:
                pk = obj.pk if subject else None
                if _key(rule.kind, subject, pk) in held:
                    continue
                if not rule.owed(arrangement, obj, today):
                    continue
                held.add(_key(rule.kind, subject, pk))
                notice = Notice(
                    consortium=consortium,
                    kind=rule.kind,
                    event=rule.event,
                    due_on=rule.due(obj),
                )
                if subject:
                    setattr(notice, subject, obj)
                owed.append(notice)
    # Two syncs racing: the unique constraints keep one of each.
    return Notice.objects.bulk_create(owed, ignore_conflicts=True)


@transaction.atomic
def notice_change_owe(
    *, placement, previous_weekly_fee, new_weekly_fee, effective_date: date
) -> Notice | None:
    """A fee change was recorded on a placement: the contract change notice it owes, due by
    the day the change takes effect (it is recorded once made, so often late already). At
    most one per placement: the first rise."""
    consortium_id = placement.borough.consortium_id
    arrangement = arrangement_of(consortium_id)
    if (
        arrangement is None
        or arrangement.basis == Arrangement.Basis.LEGACY_DPS
        or placement.start_date < arrangement.starts_on
        or not rules.change_owes_notice(arrangement, placement, previous_weekly_fee, new_weekly_fee)
    ):
        return None
    notice, _ = Notice.objects.get_or_create(
        kind=Notice.Kind.UK10,
        placement=placement,
        defaults={
            "consortium_id": consortium_id,
            "event": rules.CHANGE_EVENT,
            "due_on": effective_date,
        },
    )
    return notice


# --- Drafting and publishing ----------------------------------------------------------------


def _require_writer(actor: Actor, notice: Notice) -> None:
    if not may_write_notices(actor) or actor.consortium is None:
        raise PermissionDenied("Only the consortium admin can draft and publish notices.")
    if notice.consortium_id != actor.consortium.pk:
        raise PermissionDenied("This notice is another consortium's.")


def _locked(notice: Notice) -> Notice:
    return Notice.objects.select_for_update().get(pk=notice.pk)


@transaction.atomic
def notice_draft(*, actor: Actor, notice: Notice) -> Notice:
    """Fill the notice's fields from the product's data as it is now (again, if drafted)."""
    _require_writer(actor, notice)
    notice = _locked(notice)
    NOTICE_STATES.guard(notice, action="draft")
    notice.fields = notice_fields(notice)
    notice.drafted_at = timezone.now()
    if notice.status == Status.DUE:
        NOTICE_STATES.move(notice, Status.DRAFTED, actor=actor, fields=["fields", "drafted_at"])
    else:
        notice.save(update_fields=["fields", "drafted_at"])
    audit_record(actor=actor, action="notice.draft", obj=notice, detail={"kind": notice.kind})
    return notice


@transaction.atomic
def notice_publish(*, actor: Actor, notice: Notice, fts_notice_id: str) -> Notice:
    """Record that the notice is published on Find a Tender, with its notice id. A notice not
    yet drafted is drafted first, so its fields are those sent."""
    _require_writer(actor, notice)
    fts_notice_id = (fts_notice_id or "").strip()
    if not FTS_NOTICE_ID.match(fts_notice_id):
        raise DomainError(
            "Enter the Find a Tender notice id, six digits, a hyphen and the year, "
            "like 012345-2026.",
            "fts_notice_id",
        )
    notice = _locked(notice)
    NOTICE_STATES.guard(notice, Status.PUBLISHED)
    if not notice.fields:
        notice.fields = notice_fields(notice)
        notice.drafted_at = timezone.now()
    notice.fts_notice_id = fts_notice_id
    notice.published_at = timezone.now()
    NOTICE_STATES.move(
        notice,
        Status.PUBLISHED,
        actor=actor,
        fields=["fields", "drafted_at", "fts_notice_id", "published_at"],
    )
    audit_record(
        actor=actor,
        action="notice.publish",
        obj=notice,
        detail={"kind": notice.kind, "fts_notice_id": fts_notice_id},
    )
    return notice


# --- Reminders ------------------------------------------------------------------------------


@transaction.atomic
def notices_remind(*, consortium: Organisation, today: date) -> int:
    """Email the consortium's admins the notices overdue or due within five days, once a day
    (Notice.reminded_on). Returns the emails queued."""
    due = list(
        unpublished_due_by(Notice.objects.filter(consortium=consortium), today)
        .exclude(reminded_on=today)
        .select_for_update()
    )
    if not due:
        return 0
    admins = User.objects.filter(
        memberships__organisation=consortium,
        memberships__role=Role.CONSORTIUM_ADMIN,
        memberships__is_active=True,
        is_active=True,
    ).distinct()
    context = {
        "consortium": consortium,
        "overdue": [n for n in due if n.due_on < today],
        "due_soon": [n for n in due if n.due_on >= today],
        "today": today,
    }
    sent = 0
    for admin in admins:
        email_queue_template(
            to=admin.email,
            template="emails/notices_reminder",
            context={**context, "recipient": admin},
            organisation=consortium,
            dedupe_key=f"notices_reminder:{consortium.pk}:{today.isoformat()}:{admin.email}",
        )
        sent += 1
    Notice.objects.filter(pk__in=[n.pk for n in due]).update(reminded_on=today)
    return sent
