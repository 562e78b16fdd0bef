"""The one place that decides what a signed-in user or API client may see.

Every view and API endpoint gets its actor from `get_actor(request)` and its querysets from the
selectors below (or from a capability app's selector that starts from them). "Not yours" and
"does not exist" get the same 404.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Model, Q, QuerySet
from django.http import Http404, HttpRequest

from .models import ApiClient, AuditEvent, Membership, Organisation, OutboundEmail, Role, User
from .models.people import MFA_REQUIRED_ROLES

Kind = Organisation.Kind
M = TypeVar("M", bound=Model)


# Roles that may write placement requests, bids, and the monitoring of providers.
REQUEST_WRITERS = frozenset({Role.PLACEMENT_OFFICER})
BIDDERS = frozenset({Role.PROVIDER_ADMIN, Role.BIDDER})
MONITORS = frozenset({Role.CONSORTIUM_ADMIN, Role.COMMISSIONER})


@dataclass(frozen=True)
class Actor:
    """Who is acting: a user through their membership, or an organisation's API client; from
    which address and received when (for a request; None for a task or a command). Services
    take the actor, never the HTTP request; every role rule is a predicate here."""

    organisation: Organisation
    role: str
    user: User | None = None
    api_client: ApiClient | None = None
    can_administer: bool = False
    can_write: bool = True
    client_address: str | None = None
    received_at: datetime | None = None

    @property
    def kind(self) -> str:
        return self.organisation.kind

    @property
    def is_consortium_admin(self) -> bool:
        return self.role == Role.CONSORTIUM_ADMIN

    @property
    def is_borough(self) -> bool:
        return self.kind == Kind.BOROUGH

    @property
    def is_provider(self) -> bool:
        return self.kind == Kind.PROVIDER

    @property
    def is_person(self) -> bool:
        """A signed-in user, not an organisation's system."""
        return self.api_client is None

    @property
    def consortium(self) -> Organisation | None:
        """The consortium whose DPS the actor works in: a consortium admin's own, a borough's;
        None for providers, who may join any."""
        if self.kind == Kind.CONSORTIUM:
            return self.organisation
        if self.is_borough:
            return self.organisation.consortium
        return None

    @property
    def is_borough_writer(self) -> bool:
        """A borough's placement officers, and its case systems with the write scope."""
        return (
            self.is_borough
            and self.can_write
            and (self.api_client is not None or self.role in REQUEST_WRITERS)
        )

    @property
    def is_bidder(self) -> bool:
        """A provider's admins and bidders, and its systems with the write scope."""
        return (
            self.is_provider
            and self.can_write
            and (self.api_client is not None or self.role in BIDDERS)
        )

    @property
    def is_finance_officer(self) -> bool:
        """A borough's finance officers (people: invoices are decided by someone)."""
        return (
            self.is_borough
            and self.is_person
            and self.can_write
            and self.role == Role.FINANCE_OFFICER
        )

    @property
    def is_commissioner_or_admin(self) -> bool:
        """Commissioners and the consortium admin: people, not API clients' systems."""
        return self.is_person and self.role in MONITORS

    @property
    def is_consortium_writer(self) -> bool:
        """A consortium admin who may write (not a read-only API client)."""
        return self.is_consortium_admin and self.can_write

    @property
    def needs_mfa(self) -> bool:
        return self.api_client is None and self.role in MFA_REQUIRED_ROLES

    @property
    def role_label(self) -> str:
        """The role as people read it: "Placement officer", "Case system"."""
        if self.role in Role.values:
            return Role(self.role).label
        return self.role.replace("_", " ").capitalize()

    @property
    def label(self) -> str:
        if self.api_client:
            return f"API client {self.api_client.name} ({self.organisation.name})"
        if self.user is None:
            raise ValueError("An actor is a user or an API client.")
        return f"{self.user.email} ({self.organisation.name})"

    @classmethod
    def for_membership(cls, membership: Membership) -> "Actor":
        return cls(
            organisation=membership.organisation,
            role=membership.role,
            user=membership.user,
            can_administer=membership.can_administer,
        )

    @classmethod
    def for_api_client(cls, client: ApiClient) -> "Actor":
        org = client.organisation
        roles: dict[str, str] = {Kind.BOROUGH: "case_system", Kind.PROVIDER: "provider_system"}
        role = roles.get(org.kind, "system")
        return cls(organisation=org, role=role, api_client=client, can_write=client.can_write)


def request_address(request: HttpRequest | None) -> str | None:
    """The client's address as the sign-in limits see it (behind the trusted proxies)."""
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or None


def get_actor(request: HttpRequest) -> Actor | None:
    """The actor behind a request, or None for an anonymous user or one with no organisation.
    It carries the client's address and the time the request was received (see
    dps.middleware.received_at), so that services never need the request itself."""
    if hasattr(request, "_dps_actor"):
        cached: Actor | None = request._dps_actor
        return cached
    actor = None
    auth = getattr(request, "auth", None)
    if isinstance(auth, ApiClient):
        actor = Actor.for_api_client(auth)
    else:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.membership:
            actor = Actor.for_membership(user.membership)
    if actor is not None:
        actor = replace(
            actor,
            client_address=request_address(request),
            received_at=getattr(request, "received_at", None),
        )
    # A cache of our own, which the request's type does not declare.
    setattr(request, "_dps_actor", actor)  # noqa: B010
    return actor


def overseen_organisations(actor: Actor | None) -> QuerySet[Organisation]:
    """Organisations whose records a consortium admin oversees: the consortium itself, its
    boroughs, and providers (which may enrol on any consortium's DPS)."""
    if not actor or not actor.is_consortium_admin:
        return Organisation.objects.none()
    consortium = actor.organisation
    return Organisation.objects.filter(
        Q(pk=consortium.pk) | Q(consortium=consortium) | Q(kind=Kind.PROVIDER)
    )


def organisations_visible_to(actor: Actor | None) -> QuerySet[Organisation]:
    if actor is None:
        return Organisation.objects.none()
    if actor.is_consortium_admin:
        return overseen_organisations(actor)
    # Boroughs and providers see themselves; boroughs also see their consortium.
    q = Q(pk=actor.organisation.pk)
    if actor.is_borough:
        q |= Q(pk=actor.organisation.consortium_id)
    return Organisation.objects.filter(q)


def boroughs_visible_to(actor: Actor | None) -> QuerySet[Organisation]:
    """A consortium admin's boroughs, with their active members counted."""
    if actor is None or not actor.is_consortium_admin:
        return Organisation.objects.none()
    return (
        Organisation.objects.filter(consortium=actor.organisation)
        .annotate(active_members=Count("memberships", filter=Q(memberships__is_active=True)))
        .order_by("name")
    )


def memberships_visible_to(actor: Actor | None) -> QuerySet[Membership]:
    if actor is None:
        return Membership.objects.none()
    return Membership.objects.filter(organisation=actor.organisation).select_related(
        "user", "organisation"
    )


# Capability apps register functions () -> Q matching audit events nobody outside their
# organisation may see yet (a bid, while its request's bids are sealed).
AUDIT_SEALED: list[Callable[[], Q]] = []


def audit_events_visible_to(actor: Actor | None) -> QuerySet[AuditEvent]:
    if actor is None or not actor.is_consortium_admin:
        return AuditEvent.objects.none()
    events = AuditEvent.objects.filter(organisation__in=overseen_organisations(actor))
    for sealed in AUDIT_SEALED:
        events = events.exclude(sealed())
    return events.select_related("organisation")


def emails_visible_to(actor: Actor | None) -> QuerySet[OutboundEmail]:
    """Emails to the people a consortium admin oversees. Emails to nobody's organisation (e.g.
    to an address with no account) are left to the operators' admin site."""
    if actor is None or not actor.is_consortium_admin:
        return OutboundEmail.objects.none()
    return OutboundEmail.objects.filter(organisation__in=overseen_organisations(actor))


def api_clients_visible_to(actor: Actor | None) -> QuerySet[ApiClient]:
    if actor is None or not actor.can_administer or actor.api_client:
        return ApiClient.objects.none()
    return ApiClient.objects.filter(organisation=actor.organisation)


def get_or_404(queryset: QuerySet[M], **lookup: object) -> M:
    """Fetch one object from an already-scoped queryset; other tenants' objects are 404."""
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
