"""API keys: `Authorization: Bearer dps_<prefix>_<secret>`."""

import hmac

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from ..models import ApiClient
from ..models.api import hash_key


class ApiClientUser:
    """Stands in for request.user when an API client calls: authenticated, never staff."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, client):
        self.client = client
        self.membership = None

    def __str__(self):
        return f"API client {self.client.name}"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header.startswith(f"{self.keyword} "):
            return None
        key = header[len(self.keyword) + 1 :].strip()
        parts = key.split("_", 2)
        if len(parts) != 3 or parts[0] != "dps":
            raise exceptions.AuthenticationFailed("Malformed API key.")
        _, prefix, secret = parts
        client = (
            ApiClient.objects.select_related("organisation")
            .filter(prefix=prefix, revoked_at__isnull=True, organisation__is_active=True)
            .first()
        )
        if client is None or not hmac.compare_digest(client.key_hash, hash_key(secret)):
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        now = timezone.now()
        if client.last_used_at is None or (now - client.last_used_at).total_seconds() > 60:
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        return ApiClientUser(client), client

    def authenticate_header(self, request):
        return self.keyword


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key created by your organisation's admin: dps_<prefix>_<secret>",
        }
