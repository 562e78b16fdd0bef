"""Writing to the audit log."""

from ..models import AuditEvent


def client_ip(request):
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or None


def audit_record(*, actor=None, user=None, label=None, action, obj=None, request=None, detail=None):
    """Append one event. `actor` is a tenancy.Actor; `user` serves when there is none yet
    (e.g. a login before the user has a membership); `label` names an unknown actor."""
    actor_user = actor.user if actor else user
    if actor:
        label = actor.label
    elif actor_user:
        label = actor_user.email
    organisation = actor.organisation if actor else None
    if organisation is None and actor_user is not None and actor_user.membership:
        organisation = actor_user.membership.organisation
    return AuditEvent.objects.create(
        actor_user=actor_user,
        actor_api_client=actor.api_client if actor else None,
        actor_label=(label or "system")[:255],
        organisation=organisation,
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:255] if obj is not None else "",
        ip_address=client_ip(request),
        detail=detail or {},
    )
