"""Status fields as data: every model's allowed changes of status, declared once, and every
change made through them.

A table maps each status to the statuses it may become::

    {DRAFT: {OPEN, CANCELLED}, OPEN: {CLOSED, CANCELLED}, CLOSED: set()}

A `StateMachine` holds the table of one status field, declared beside its model (e.g.
`placements.models.requests.REQUEST_STATES`), and answers for it everywhere:

- A service asks it to `guard` a change (a refused one raises the DomainError the user reads,
  with the machine's message) and to `move` an object: guard, set the field, save it and
  record one StatusChange row (dps.models.StatusChange: the object, old and new status, the
  actor, the reason). The service keeps its own row lock (select_for_update) around it.
- Where a race is closed by a conditional update rather than a lock, the service calls
  `move_if`: ``filter(pk=..., status=old).update(status=new)`` for each status the table lets
  become `new`, one row or none, then the row; or asks `sources(new)` for its own update and
  calls `record` for the rows it moved.
- Pages and the API ask `can`, `allows` and `available` which changes and actions are open;
  they never restate the rule (role checks stay on the Actor). An `Action` names a move
  ("publish": draft -> open) or a change that keeps the status ("edit": while draft or open),
  with the message a refusal gives when it differs from the table's.

To add a status: add it to the model's Status choices (and make the migration for the
choices), then give it its row in the table (what it may become) and put it in the rows of
the statuses that may become it. An action offered from it lists it in its sources.

An object's creation is not a change: it starts in its status with no row. Every machine is
declared as ``<MODEL>_STATES = StateMachine(...)`` (grep for it to list them).

Machines that record no StatusChange rows (declared with ``records=False``): the email outbox
(dps.models.emails.EMAIL_STATES). Its sender claims, sends and retries emails in batches with
conditional updates along the table (dps/services/emails.py); a row per change would add a
write per email sent to the busiest path, and the email keeps its own attempts, error and
times. The SSDA903 import writes placements' statuses as the borough's return states them
(created and ended by the thousand in bulk statements): that is data read in, not a change
anyone made, and goes through no machine.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone

from .services import DomainError

# What a refusal says: a fixed message, or one for the status it was refused from (None:
# the table's message).
Refusal = str | Callable[[Any], str | None] | None


@dataclass(frozen=True)
class Action:
    """A named step offered to people: a move to `target` from `sources` (by default every
    status the table lets become `target`), or with no target a change that keeps the status,
    allowed only in `sources`. `refused` is what a refusal says, when not the table's message."""

    target: str | None = None
    sources: Iterable[str] | None = None
    refused: Refusal = None


class StateMachine:
    """The table of allowed changes of one status field, with its guard and its record.

    `choices` is the model's Status (TextChoices); `table` maps each status to those it may
    become (a status left out may become none); `refused(old, new)` words a refusal, given the
    two as choices (by default "X cannot become Y."); `owner` names the attribute holding the
    id of the organisation a change made by the system is recorded for (e.g. "borough_id")."""

    def __init__(
        self,
        choices: type[models.TextChoices],
        table: Mapping[str, Iterable[str]],
        *,
        field: str = "status",
        actions: Mapping[str, Action] | None = None,
        refused: Callable[[Any, Any], str] | None = None,
        owner: str | None = None,
        records: bool = True,
    ) -> None:
        self.choices = choices
        self.field = field
        self.owner = owner
        self.records = records
        self._refused = refused or _cannot_become
        self.table: dict[str, frozenset[str]] = {status: frozenset() for status in choices.values}
        for status, targets in table.items():
            self.table[self._known(status)] = frozenset(self._known(t) for t in targets)
        self.actions: dict[str, Action] = dict(actions or {})
        # Each action's statuses it is open from, checked against the table.
        self._opens = {name: self._sources_of(name, a) for name, a in self.actions.items()}

    def _sources_of(self, name: str, action: Action) -> frozenset[str]:
        """The statuses an action is open from, each of which the table must let become its
        target."""
        if action.target is None:
            if action.sources is None or not action.refused:
                raise ValueError(f"{name}: a change that keeps the status needs sources and words.")
            return frozenset(self._known(s) for s in action.sources)
        target = self._known(action.target)
        sources = self.sources(target) if action.sources is None else frozenset(action.sources)
        for source in sources:
            if not self.can(self._known(source), target):
                raise ValueError(f"{name}: the table does not let {source} become {target}.")
        return sources

    def _known(self, status: str) -> str:
        if status not in self.table:
            raise ValueError(f"{status!r} is not a status of {self.choices.__qualname__}.")
        return status

    def status(self, status_or_obj: Any) -> str:
        """The status itself, or an object's."""
        if isinstance(status_or_obj, str):
            return status_or_obj
        return getattr(status_or_obj, self.field)

    # --- Questions ------------------------------------------------------------------------

    def targets(self, status_or_obj: Any) -> frozenset[str]:
        """The statuses the status (or the object's) may become."""
        return self.table.get(self.status(status_or_obj), frozenset())

    def sources(self, target: str) -> frozenset[str]:
        """The statuses that may become `target`."""
        return frozenset(status for status, targets in self.table.items() if target in targets)

    def can(self, status_or_obj: Any, to: str) -> bool:
        return to in self.targets(status_or_obj)

    def allows(self, status_or_obj: Any, action: str) -> bool:
        """Whether the named action is open from the status (or the object's)."""
        return self.status(status_or_obj) in self._opens[action]

    def available(self, status_or_obj: Any) -> set[str]:
        """The names of the actions open from the status (or the object's); for a machine
        that names none, the statuses it may become."""
        if not self.actions:
            return set(self.targets(status_or_obj))
        status = self.status(status_or_obj)
        return {name for name, sources in self._opens.items() if status in sources}

    def action_sources(self, action: str) -> frozenset[str]:
        """The statuses the named action is open from."""
        return self._opens[action]

    # --- The guard ------------------------------------------------------------------------

    def refusal(self, status: str, to: str | None = None, *, action: str | None = None) -> str:
        """What the user reads when `status` may not become `to` (or the action is refused)."""
        if action is not None:
            refused = self.actions[action].refused
            message = refused(self.choices(status)) if callable(refused) else refused
            if message:
                return message
            to = self.actions[action].target
        return self._refused(self.choices(status), self.choices(to) if to else None)

    def guard(
        self, status_or_obj: Any, to: str | None = None, *, action: str | None = None
    ) -> None:
        """Raise DomainError unless the status (or the object's) may become `to`, or the named
        action is open from it."""
        status = self.status(status_or_obj)
        if action is not None:
            allowed = self.allows(status, action)
        else:
            allowed = to is not None and self.can(status, to)
        if not allowed:
            raise DomainError(self.refusal(status, to, action=action))

    # --- Changes --------------------------------------------------------------------------

    def move(
        self,
        obj: models.Model,
        to: str,
        *,
        actor: Any = None,
        reason: str = "",
        fields: Iterable[str] = (),
        clean: bool = False,
        at: datetime | None = None,
        label: str | None = None,
    ) -> str:
        """Move a (locked) object to `to`: guard, set the field, save it with `fields` (the
        others the service set), record the change. `clean` runs full_clean first (without
        the constraints, which the database checks). Returns the old status."""
        self.guard(obj, to)
        old = self.status(obj)
        setattr(obj, self.field, to)
        if clean:
            obj.full_clean(validate_constraints=False)
        obj.save(update_fields=[self.field, *fields])
        self.record(obj, old, to, actor=actor, reason=reason, at=at, label=label)
        return old

    def move_if(
        self,
        obj: models.Model,
        to: str,
        *,
        sources: Iterable[str] | None = None,
        fields: Mapping[str, Any] | None = None,
        actor: Any = None,
        reason: str = "",
        label: str | None = None,
    ) -> bool:
        """Move the object's row to `to` with a conditional update, if its status in the
        database still is one of `sources` (by default every status that may become `to`):
        two callers racing, one moves it. Sets `fields` too, on the row and the object, and
        records the change. True if this call moved it."""
        allowed = self.sources(to)
        if sources is not None:
            if refused := frozenset(sources) - allowed:
                raise DomainError(self.refusal(min(refused), to))
            allowed = frozenset(sources)
        current = self.status(obj)
        rows = type(obj)._default_manager.filter(pk=obj.pk)
        values = {self.field: to, **(fields or {})}
        # The status it is known to have first: usually the one update it takes.
        for old in sorted(allowed, key=lambda status: (status != current, status)):
            if rows.filter(**{self.field: old}).update(**values) == 1:
                for name, value in values.items():
                    setattr(obj, name, value)
                self.record(obj, old, to, actor=actor, reason=reason, label=label)
                return True
        return False

    def record(
        self,
        objs: models.Model | Iterable[models.Model],
        old: str,
        new: str,
        *,
        actor: Any = None,
        reason: str | Callable[[Any], str] = "",
        at: datetime | None = None,
        label: str | None = None,
    ) -> None:
        """Record that each of `objs` (one object, or several moved by one update) went from
        `old` to `new`, in one insert. `actor` is a tenancy.Actor, or None for the system
        (named `label`); `reason` may be worked out per object. A change the table does not
        allow is refused: nothing records a move the machine would not make."""
        self.guard(old, new)
        if not self.records:
            return
        from .models import StatusChange  # here: dps.models declares machines of its own

        objs = [objs] if isinstance(objs, models.Model) else list(objs)
        at = at or timezone.now()
        StatusChange.objects.bulk_create(
            [
                StatusChange(
                    at=at,
                    object_type=obj._meta.label,
                    object_id=str(obj.pk),
                    field=self.field,
                    old_status=old,
                    new_status=new,
                    actor_user=actor.user if actor else None,
                    actor_api_client=actor.api_client if actor else None,
                    actor_label=(actor.label if actor else label or "system")[:255],
                    organisation_id=self._organisation_id(actor, obj),
                    reason=reason(obj) if callable(reason) else reason,
                )
                for obj in objs
            ]
        )

    def _organisation_id(self, actor: Any, obj: models.Model) -> int | None:
        if actor is not None:
            return actor.organisation.pk
        return getattr(obj, self.owner) if self.owner else None


def _cannot_become(old: Any, new: Any) -> str:
    return f"{old.label} cannot become {new.label.lower()}."
