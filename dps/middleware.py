"""Security middleware: session lifetime, enforced MFA, and no caching of dynamic pages."""

import time

from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control

from .models.people import MFA_REQUIRED_ROLES

SESSION_STARTED = "dps_auth_started_at"


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
    (Static files are served before this runs and stay cacheable.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, no_cache=True, private=True, max_age=0)
        return response
