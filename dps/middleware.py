"""Middleware: when a request was received; security: session lifetime, enforced MFA, and no
caching of dynamic pages."""

import time
from datetime import UTC, datetime, timedelta

from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control

from .gunicorn_worker import RECEIVED_AT
from .models.people import MFA_REQUIRED_ROLES

SESSION_STARTED = "dps_auth_started_at"


def received_at(meta, now=None):
    """When the service received the request. Under load a request waits for a free worker
    thread, so the time it arrived is the fair one for a bid sent just before its deadline:

    - the stamp of a trusted front proxy in settings.REQUEST_START_HEADER, if one is named
      (nginx: `proxy_set_header X-Request-Start "t=${msec}";`). Only a proxy that sets the
      header on every request (so a client cannot) may be named: it is off by default;
    - else the time the request reached the web server (RECEIVED_AT in the WSGI environ, set
      by dps.gunicorn_worker from the kernel's arrival stamp; no client can set it);
    - else now.

    A time is believed only within CLOSE_GRACE_SECONDS (beyond that the request may have
    closed) and never ahead of now; a missing or malformed one is passed over."""
    now = now or timezone.now()
    header = settings.REQUEST_START_HEADER
    if header:
        raw = meta.get("HTTP_" + header.upper().replace("-", "_"), "").strip().removeprefix("t=")
        try:
            stamp = float(raw)
        except ValueError:
            stamp = None
        else:
            # Seconds (nginx), or microseconds (Apache's %t) or milliseconds.
            stamp = stamp / 1e6 if stamp > 1e14 else stamp / 1e3 if stamp > 1e11 else stamp
        received = _believed(stamp, now)
        if received is not None:
            return received
    return _believed(meta.get(RECEIVED_AT), now) or now


def _believed(stamp, now):
    if not isinstance(stamp, float):
        return None
    try:
        received = datetime.fromtimestamp(stamp, tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None
    if received > now or now - received > timedelta(seconds=settings.CLOSE_GRACE_SECONDS):
        return None
    return received


class RequestReceivedMiddleware:
    """Sets request.received_at (see received_at); first in the chain, so that without a proxy
    it is as early as the service can tell."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.received_at = received_at(request.META)
        return self.get_response(request)


class SessionLifetimeMiddleware:
    """End a signed-in session 12 hours after login, however active it is. (The 30-minute
    idle limit is SESSION_COOKIE_AGE renewed on every request.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED)
            now = time.time()
            if started is None:
                request.session[SESSION_STARTED] = now
                # Every signed-in session is listed, so deactivating its user can end it
                # (allauth lists only sessions begun through its own login flow).
                UserSession.objects.create_from_request(request)
            elif now - started > settings.SESSION_MAX_AGE:
                logout(request)
                messages.info(request, "Your session has ended. Please sign in again.")
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


class MfaRequiredMiddleware:
    """A user whose role needs a second factor sets one up before using any other page."""

    ALLOWED_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/accounts/reauthenticate/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.MFA_ENFORCED and self._must_set_up(request):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "type": "about:blank",
                        "title": "Forbidden",
                        "status": 403,
                        "detail": "Set up two-factor authentication before using the service.",
                    },
                    status=403,
                    content_type="application/problem+json",
                )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    def _must_set_up(self, request):
        user = request.user
        if not user.is_authenticated or request.path.startswith(self.ALLOWED_PREFIXES):
            return False
        if request.path.startswith(settings.STATIC_URL):
            return False
        membership = user.membership
        needs = user.is_staff or (membership is not None and membership.role in MFA_REQUIRED_ROLES)
        return (
            needs
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        )


class NoStoreMiddleware:
    """Pages and API answers may carry children's details: no browser or proxy may keep them.
    (Static files are served before this runs and stay cacheable.) A view publishing open data,
    the same for everyone, marks its answer `public_cache` (see public_cache) and keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(response, PUBLIC_CACHE, False):
            patch_cache_control(response, no_store=True, no_cache=True, private=True, max_age=0)
        return response


PUBLIC_CACHE = "public_cache"


def public_cache(response, *, max_age):
    """Let browsers and proxies keep an answer that holds only open data for `max_age`
    seconds (NoStoreMiddleware leaves it alone)."""
    patch_cache_control(response, public=True, max_age=max_age)
    setattr(response, PUBLIC_CACHE, True)
    return response
