"""Inviting people into an organisation, and ending their access."""

import re
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.usersessions.models import UserSession
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from ..models import Invitation, Membership, Organisation, User
from ..models.people import ROLES_BY_KIND
from ..tenancy import Actor
from . import DomainError
from .audit import audit_record
from .emails import email_queue_template

INVITATION_LIFETIME = timedelta(days=7)
# An upper-tier local authority's ONS code: unitary (E06), metropolitan (E08), London (E09),
# county (E10).
LA_CODE = re.compile(r"E(06|08|09|10)\d{6}")


def _require_admin(actor: Actor | None) -> Actor:
    if actor is None or not actor.can_administer:
        raise DomainError("Only an organisation's admin can manage its users.")
    return actor


@transaction.atomic
def invitation_create(
    *,
    actor: Actor | None,
    email: str,
    role: str,
    is_org_admin: bool = False,
    organisation: Organisation | None = None,
) -> Invitation:
    """Invite someone to the actor's organisation (or, for a consortium admin, to one of its
    boroughs); they are emailed a link to join."""
    actor = _require_admin(actor)
    org = organisation or actor.organisation
    if org != actor.organisation and not (
        actor.is_consortium_admin and org.consortium_id == actor.organisation.pk
    ):
        raise DomainError("You can only invite people to your own organisation.")
    email = email.strip().lower()
    if role not in ROLES_BY_KIND[org.kind]:
        raise DomainError("That organisation has no such role.", field="role")
    if Membership.objects.filter(organisation=org, user__email=email).exists():
        raise DomainError(
            "This person is already a member (reactivate them if they were deactivated).",
            field="email",
        )
    if Membership.objects.filter(user__email=email, is_active=True).exists():
        raise DomainError("This person already belongs to another organisation.", field="email")
    pending = Invitation.objects.select_for_update().filter(
        organisation=org, email=email, accepted_at__isnull=True, revoked_at__isnull=True
    )
    # A new invitation replaces a pending one (e.g. a lost or expired link).
    pending.update(revoked_at=timezone.now())
    invitation = Invitation(
        organisation=org,
        email=email,
        role=role,
        is_org_admin=is_org_admin,
        invited_by=actor.user,
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    invitation.full_clean()
    invitation.save()
    audit_record(
        actor=actor,
        action="invitation.create",
        obj=invitation,
        detail={"role": role, "is_org_admin": is_org_admin},
    )
    email_queue_template(
        to=email,
        template="emails/invitation",
        context={
            "invitation": invitation,
            "accept_path": reverse("invitation_accept", args=[invitation.token]),
        },
        organisation=org,
        sensitive=True,
    )
    return invitation


@transaction.atomic
def borough_create(*, actor: Actor | None, name: str, la_code: str | None = "") -> Organisation:
    """A consortium admin adds a borough to its consortium, with its ONS local authority code
    if given (E06, E08, E09 or E10 and six digits: the upper-tier authorities that look after
    children)."""
    if actor is None or not actor.is_consortium_admin:
        raise DomainError("Only a consortium admin can add boroughs.")
    la_code = "".join((la_code or "").split()).upper()
    if la_code and not LA_CODE.fullmatch(la_code):
        raise DomainError(
            "Enter the local authority code as the ONS gives it, for example E09000022.",
            field="la_code",
        )
    name = " ".join(name.split())
    base = slugify(name)[:70] or "borough"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    if Organisation.objects.filter(consortium=actor.organisation, name__iexact=name).exists():
        raise DomainError("A borough with this name is already in the consortium.", field="name")
    borough = Organisation(
        kind=Organisation.Kind.BOROUGH,
        name=name,
        slug=slug,
        consortium=actor.organisation,
        la_code=la_code,
    )
    borough.full_clean()
    borough.save()
    audit_record(actor=actor, action="organisation.create", obj=borough)
    return borough


@transaction.atomic
def invitation_accept(
    *, token: str, full_name: str, password: str, address: str | None = None
) -> User:
    """Create the user (or reuse one with no organisation), verify their email (they proved it
    by following the link) and make them a member. `address` is where they came from (there is
    no actor yet)."""
    invitation = Invitation.objects.select_for_update().filter(token=token).first()
    if invitation is None or not invitation.is_pending:
        raise DomainError("This invitation has expired or has already been used.")
    user = User.objects.filter(email=invitation.email).first()
    if user is None:
        user = User(email=invitation.email, full_name=full_name)
        user.set_password(password)
        user.full_clean()
        user.save()
    elif Membership.objects.filter(user=user, is_active=True).exists():
        raise DomainError("This email address already belongs to an active account.")
    else:
        user.full_name = full_name or user.full_name
        user.set_password(password)
        user.is_active = True
        user.save()
    Membership.objects.update_or_create(
        user=user,
        organisation=invitation.organisation,
        defaults={
            "role": invitation.role,
            "is_org_admin": invitation.is_org_admin,
            "is_active": True,
            "deactivated_at": None,
        },
    )
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    audit_record(user=user, action="invitation.accept", obj=invitation, address=address)
    return user


@transaction.atomic
def membership_deactivate(*, actor: Actor | None, membership: Membership) -> None:
    """End a user's access: their membership, their account and every session they hold."""
    actor = _require_admin(actor)
    if membership.organisation_id != actor.organisation.pk:
        raise DomainError("You can only deactivate members of your own organisation.")
    if actor.user and membership.user_id == actor.user.pk:
        raise DomainError("You cannot deactivate yourself.")
    if not membership.is_active:
        raise DomainError("This user is already deactivated.")
    membership.is_active = False
    membership.deactivated_at = timezone.now()
    membership.save(update_fields=["is_active", "deactivated_at"])
    user = membership.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    for session in UserSession.objects.filter(user=user):
        session.end()
    audit_record(actor=actor, action="membership.deactivate", obj=membership)


@transaction.atomic
def membership_reactivate(*, actor: Actor | None, membership: Membership) -> None:
    actor = _require_admin(actor)
    if membership.organisation_id != actor.organisation.pk:
        raise DomainError("You can only reactivate members of your own organisation.")
    if membership.is_active:
        raise DomainError("This user is already active.")
    if Membership.objects.filter(user=membership.user, is_active=True).exists():
        raise DomainError("This user now belongs to another organisation.")
    membership.is_active = True
    membership.deactivated_at = None
    membership.save(update_fields=["is_active", "deactivated_at"])
    User.objects.filter(pk=membership.user_id).update(is_active=True)
    audit_record(actor=actor, action="membership.reactivate", obj=membership)
