"""Writing to the audit log."""

from typing import Any

from django.db.models import Model

from ..models import AuditEvent, Organisation, User
from ..tenancy import Actor


def owner_of(obj: object) -> Organisation | None:
    """The organisation an object belongs to: itself, or its provider or organisation."""
    if obj is None:
        return None
    if isinstance(obj, Organisation):
        return obj
    for name in ("provider", "organisation"):
        owner = getattr(obj, name, None)
        if isinstance(owner, Organisation):
            return owner
    return None


def audit_record(
    *,
    actor: Actor | None = None,
    user: User | None = None,
    label: str | None = None,
    action: str,
    obj: Model | None = None,
    address: str | None = None,
    detail: dict[str, Any] | None = None,
    organisation: Organisation | None = None,
) -> AuditEvent:
    """Append one event. `actor` is a tenancy.Actor, which carries the client's address; `user`
    serves when there is none yet (e.g. a login before the user has a membership), and
    `label` names an unknown actor, each with the `address` they came from.
    The event belongs to the actor's organisation; a system action (no actor) belongs to
    `organisation` or else to the object's, so the organisation's overseers can find it."""
    actor_user = actor.user if actor else user
    if actor:
        label = actor.label
    elif actor_user:
        label = actor_user.email
    if actor:
        organisation = actor.organisation
    elif actor_user is not None and actor_user.membership:
        organisation = actor_user.membership.organisation
    elif organisation is None:
        organisation = owner_of(obj)
    return AuditEvent.objects.create(
        actor_user=actor_user,
        actor_api_client=actor.api_client if actor else None,
        actor_label=(label or "system")[:255],
        organisation=organisation,
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        ip_address=actor.client_address if actor else address,
        detail=detail or {},
    )
