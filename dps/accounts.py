"""django-allauth and django-axes hooks, and the client's address that both use."""

import ipaddress

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import ratelimit
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings

from .models import Membership
from .services.emails import email_queue

# The allauth rate limit (ACCOUNT_RATE_LIMITS) that counts failed sign-ins per address.
ADDRESS_FAILURES = "login_failed_address"


def client_address(request):
    """The client's address. Behind PROXY_COUNT proxies, each appending the address it was
    reached from to X-Forwarded-For, it is the PROXY_COUNT-th entry from the right (entries
    further left are the client's own to write); else REMOTE_ADDR. Axes, the sign-in limit and
    the audit log all use this one answer."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.PROXY_COUNT and forwarded:
        entries = [entry.strip() for entry in forwarded.split(",")]
        try:
            return str(ipaddress.ip_address(entries[-min(settings.PROXY_COUNT, len(entries))]))
        except ValueError:
            pass  # not an address: not from our proxy
    return request.META.get("REMOTE_ADDR") or None


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": "There have been too many failed sign-in attempts from "
        "your network. Try again later.",
    }

    def get_client_ip(self, request):
        return client_address(request) or super().get_client_ip(request)

    def pre_authenticate(self, request, **credentials):
        """Before the password is checked (in place of allauth's limit, which counts every
        attempt from an address, right passwords too). From an address with too many recent
        failures, an account that has itself failed recently is not tried: a guesser there gets
        one try per account, while a colleague behind the same address who has not failed is
        never kept out. An account that failed too often is locked everywhere (axes)."""
        address_over_limit = not ratelimit.consume(request, action=ADDRESS_FAILURES, dry_run=True)
        if address_over_limit and AxesProxyHandler.get_failures(request, credentials):
            raise self.validation_error("too_many_login_attempts")

    def authentication_failed(self, request, **credentials):
        ratelimit.consume(request, action=ADDRESS_FAILURES)

    def is_open_for_signup(self, request):
        # People join by invitation from their organisation's admin.
        return settings.ACCOUNT_ALLOW_SIGNUP

    def send_mail(self, template_prefix, email, context):
        """Account emails (verification, password reset) go through the outbox too."""
        message = self.render_mail(template_prefix, email, context)
        html = ""
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html = content
        # The recipient's organisation scopes who may see the email in the outbox.
        membership = (
            Membership.objects.filter(user__email__iexact=email, is_active=True)
            .select_related("organisation")
            .first()
        )
        email_queue(
            to=email,
            subject=message.subject,
            body_text=message.body,
            body_html=html,
            organisation=membership.organisation if membership else None,
            sensitive=True,
        )


def axes_username(request, credentials):
    """The login name axes counts failures against: allauth sends `email`, the admin
    `username`."""
    credentials = credentials or {}
    name = credentials.get("email") or credentials.get("username") or credentials.get("login")
    if not name and request is not None:
        name = request.POST.get("login") or request.POST.get("username")
    return (name or "").strip().lower()
