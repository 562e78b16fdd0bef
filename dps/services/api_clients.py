"""API clients: created by an organisation's admin, shown once, revocable."""

from django.db import transaction
from django.utils import timezone

from ..models import ApiClient
from ..models.api import hash_key
from ..models.people import Organisation
from ..tenancy import Actor
from . import DomainError
from .audit import audit_record


@transaction.atomic
def api_client_create(
    *, actor: Actor | None, name: str, can_write: bool = False
) -> tuple[ApiClient, str]:
    """Returns (client, key). The key is shown to the admin once; only its hash is stored."""
    if actor is None or not actor.can_administer or actor.api_client:
        raise DomainError("Only an organisation's admin can create API clients.")
    if actor.organisation.kind not in (Organisation.Kind.BOROUGH, Organisation.Kind.PROVIDER):
        raise DomainError("API clients are for boroughs and providers.")
    prefix, secret, key = ApiClient.new_key()
    client = ApiClient(
        organisation=actor.organisation,
        name=name.strip(),
        prefix=prefix,
        key_hash=hash_key(secret),
        can_write=can_write,
        created_by=actor.user,
    )
    client.full_clean()
    client.save()
    audit_record(
        actor=actor,
        action="api_client.create",
        obj=client,
        detail={"can_write": can_write},
    )
    return client, key


@transaction.atomic
def api_client_revoke(*, actor: Actor | None, client: ApiClient) -> None:
    if actor is None or not actor.can_administer or client.organisation_id != actor.organisation.pk:
        raise DomainError("Only the organisation's admin can revoke its API clients.")
    updated = ApiClient.objects.filter(pk=client.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not updated:
        raise DomainError("This API client is already revoked.")
    audit_record(actor=actor, action="api_client.revoke", obj=client)
