"""API keys: `Authorization: Bearer dps_<prefix>_<secret>`."""

import hmac
import re

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from ..models import ApiClient
from ..models.api import hash_key

# What ApiClient.new_key() makes: a short hex prefix and a URL-safe secret.
KEY_PATTERN = re.compile(r"dps_(?P<prefix>[0-9a-f]{1,16})_(?P<secret>[A-Za-z0-9_-]{1,128})")


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
    """`Authorization: Bearer dps_<prefix>_<secret>`. The prefix finds the client; the secret
    is checked against its stored hash. A request with no Bearer header is left to the other
    authenticators (the session); a Bearer header that does not check out is a 401."""

    keyword = "Bearer"
    realm = "api"

    def authenticate(self, request):
        scheme, _, key = (
            authentication.get_authorization_header(request).decode("latin-1").partition(" ")
        )
        if scheme.lower() != self.keyword.lower():
            return None
        match = KEY_PATTERN.fullmatch(key.strip())
        if match is None:
            raise exceptions.AuthenticationFailed("Malformed API key.")
        client = (
            ApiClient.objects.select_related("organisation")
            .filter(prefix=match["prefix"], revoked_at__isnull=True, organisation__is_active=True)
            .first()
        )
        if client is None or not hmac.compare_digest(client.key_hash, hash_key(match["secret"])):
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        now = timezone.now()
        if client.last_used_at is None or (now - client.last_used_at).total_seconds() > 60:
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        return ApiClientUser(client), client

    def authenticate_header(self, request):
        return f'{self.keyword} realm="{self.realm}"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "dps_<prefix>_<secret>",
            "description": "An API key created by your organisation's admin: dps_<prefix>_<secret>",
        }
