import logging

from django.core.exceptions import ImproperlyConfigured
from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from ..accounts import client_address

logger = logging.getLogger(__name__)

# What the cache raises when its store is down: Redis's errors, or the file cache's OSError.
CACHE_DOWN = (RedisError, OSError)


class ClientRateThrottle(SimpleRateThrottle):
    """One budget per API client, per user, or per address for anonymous callers."""

    scope = "client"

    def get_rate(self):
        # Read the rate when asked, not when the class was imported, so a change of settings
        # (an override in a test, a reload) takes effect.
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError as exc:
            raise ImproperlyConfigured(f"No throttle rate set for scope {self.scope!r}") from exc

    def get_cache_key(self, request, view):
        if request.auth is not None and hasattr(request.auth, "prefix"):
            ident = f"client:{request.auth.prefix}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def get_ident(self, request):
        # The address the sign-in limit and the audit log use: DRF's own reads the whole
        # X-Forwarded-For header unless told how many proxies there are, so an anonymous
        # caller could write a new one each time and never be counted.
        return client_address(request) or super().get_ident(request)

    def allow_request(self, request, view):
        # A rate limit protects the service; with its counters unreachable, serving unthrottled
        # for a while does less harm than failing every call.
        try:
            return super().allow_request(request, view)
        except CACHE_DOWN:
            logger.warning("API throttling is off: the cache cannot be reached", exc_info=True)
            return True
