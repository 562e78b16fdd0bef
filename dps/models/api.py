"""API clients (a borough's case system, a provider's system) and idempotency records."""

import hashlib
import secrets

from django.db import models

SCOPE_READ = "read"
SCOPE_WRITE = "write"
SCOPES = (SCOPE_READ, SCOPE_WRITE)


def hash_key(secret):
    # Keys are 256 random bits, so a fast hash is enough; nobody can brute-force the input.
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiClient(models.Model):
    organisation = models.ForeignKey(
        "dps.Organisation", on_delete=models.PROTECT, related_name="api_clients"
    )
    name = models.CharField(max_length=120)
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    can_write = models.BooleanField(default=False, help_text="Read is always granted.")
    created_by = models.ForeignKey(
        "dps.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation__name", "name"]

    def __str__(self):
        return f"{self.name} ({self.organisation})"

    @property
    def scopes(self):
        return (SCOPE_READ, SCOPE_WRITE) if self.can_write else (SCOPE_READ,)

    @property
    def is_active(self):
        return self.revoked_at is None

    @staticmethod
    def new_key():
        """Return (prefix, secret, full key). Only the hash of the secret is kept."""
        prefix = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        return prefix, secret, f"dps_{prefix}_{secret}"


class IdempotencyKey(models.Model):
    """The stored answer to a POST sent with an Idempotency-Key, replayed on a retry."""

    owner = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    response_body = models.BinaryField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="idempotency_key_unique")
        ]

    def __str__(self):
        return f"{self.owner} {self.key}"
