"""Audit rows for signing in and out (Django's auth signals call these)."""

from .services.audit import audit_record
from .tenancy import request_address


def logged_in(sender, request, user, **kwargs):
    audit_record(
        user=user,
        action="auth.login",
        obj=user,
        address=request_address(request),
    )


def logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(
            user=user,
            action="auth.logout",
            obj=user,
            address=request_address(request),
        )


def login_failed(sender, credentials, request=None, **kwargs):
    name = credentials.get("email") or credentials.get("username") or ""
    audit_record(
        label=f"{name} (failed sign-in)",
        action="auth.login_failed",
        address=request_address(request),
    )
