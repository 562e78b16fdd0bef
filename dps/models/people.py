"""Organisations (the tenants), the people in them and the roles they hold."""

import secrets

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their email address."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can use the operators' admin site.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.email.strip().lower()

    @property
    def membership(self):
        """The user's active membership, or None. A user acts for one organisation at a time."""
        if not hasattr(self, "_membership"):
            self._membership = (
                self.memberships.filter(is_active=True).select_related("organisation").first()
            )
        return self._membership


class Organisation(models.Model):
    """A tenant: the consortium that runs the DPS, a borough that buys, or a provider."""

    class Kind(models.TextChoices):
        CONSORTIUM = "consortium", "Consortium"
        BOROUGH = "borough", "Borough"
        PROVIDER = "provider", "Provider"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    consortium = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="boroughs",
        limit_choices_to={"kind": "consortium"},
        help_text="The consortium a borough buys through.",
    )
    is_active = models.BooleanField(default=True)
    # A borough's ONS code as a local authority (e.g. E09000022): what its SSDA903 return is
    # validated for, and what "placed outside the council's boundary" is measured against.
    la_code = models.CharField(max_length=9, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="organisation_only_boroughs_belong_to_a_consortium",
                condition=Q(kind="borough") | Q(consortium__isnull=True),
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.kind == self.Kind.BOROUGH and not self.consortium_id:
            raise ValidationError({"consortium": "A borough must belong to a consortium."})


class Role(models.TextChoices):
    CONSORTIUM_ADMIN = "consortium_admin", "Consortium admin"
    COMMISSIONER = "commissioner", "Commissioner"
    PLACEMENT_OFFICER = "placement_officer", "Placement officer"
    # A borough's finance team: decides providers' invoices, exports them and records payment.
    FINANCE_OFFICER = "finance_officer", "Finance officer"
    PROVIDER_ADMIN = "provider_admin", "Provider admin"
    BIDDER = "bidder", "Bidder"


# Keyed by the kind as an organisation's field holds it.
ROLES_BY_KIND: dict[str, set[Role]] = {
    Organisation.Kind.CONSORTIUM: {Role.CONSORTIUM_ADMIN},
    Organisation.Kind.BOROUGH: {Role.COMMISSIONER, Role.PLACEMENT_OFFICER, Role.FINANCE_OFFICER},
    Organisation.Kind.PROVIDER: {Role.PROVIDER_ADMIN, Role.BIDDER},
}
# Council staff handle children's details: a second factor is required for them.
MFA_REQUIRED_ROLES = {
    Role.CONSORTIUM_ADMIN,
    Role.COMMISSIONER,
    Role.PLACEMENT_OFFICER,
    Role.FINANCE_OFFICER,
}
# Roles that administer their organisation's users and API clients whatever the flag says.
ADMIN_ROLES = {Role.CONSORTIUM_ADMIN, Role.PROVIDER_ADMIN}


class Membership(models.Model):
    """A user's role in an organisation. Deactivating it ends the user's access."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    is_org_admin = models.BooleanField(
        default=False, help_text="Can invite and deactivate users and manage API clients."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(is_active=True), name="membership_one_active_per_user"
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()}, {self.organisation}"

    def clean(self):
        if self.organisation_id and self.role not in ROLES_BY_KIND[self.organisation.kind]:
            raise ValidationError(
                {"role": f"A {self.organisation.get_kind_display().lower()} has no such role."}
            )

    @property
    def can_administer(self):
        return self.is_active and (self.is_org_admin or self.role in ADMIN_ROLES)


def _invitation_token():
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """An emailed invitation to join an organisation with a role."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=30, choices=Role.choices)
    is_org_admin = models.BooleanField(default=False)
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_pending_per_email",
            )
        ]

    def __str__(self):
        return f"Invitation for {self.email} to {self.organisation}"

    def clean(self):
        self.email = self.email.strip().lower()
        if self.organisation_id and self.role not in ROLES_BY_KIND[self.organisation.kind]:
            raise ValidationError(
                {"role": f"A {self.organisation.get_kind_display().lower()} has no such role."}
            )

    @property
    def is_pending(self):
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )
