"""Pages of the shared core: home dashboards, users, API clients, audit log, email outbox."""

import logging
import sys
import uuid
from collections.abc import Callable
from typing import Any

import redis
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST

from .api import exceptions as api_exceptions
from .decorators import actor_required
from .filters import AuditEventFilter, OutboundEmailFilter
from .forms import ApiClientForm, BoroughForm, InvitationAcceptForm, InvitationForm
from .models import Invitation, Organisation, OutboundEmail, Role
from .pages import paginate, render_form, submit
from .services import DomainError
from .services.api_clients import api_client_create, api_client_revoke
from .services.emails import email_retry
from .services.people import (
    borough_create,
    invitation_accept,
    invitation_create,
    membership_deactivate,
    membership_reactivate,
)
from .tenancy import (
    Actor,
    api_clients_visible_to,
    audit_events_visible_to,
    boroughs_visible_to,
    emails_visible_to,
    get_or_404,
    memberships_visible_to,
    request_address,
)

Kind = Organisation.Kind


log = logging.getLogger(__name__)

DATABASE_DOWN = (OperationalError, InterfaceError)
DEPENDENCY_DOWN = (*DATABASE_DOWN, redis.ConnectionError, redis.TimeoutError)
# How long a client is asked to wait when the database or Redis cannot be reached.
RETRY_AFTER_SECONDS = 30


@require_GET
def healthz(request):
    """Liveness: the process answers. Whether it can serve is /readyz."""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def readyz(request):
    """Readiness, for a load balancer: 200 while the database, Redis (if used) and the media
    store work, else 503 naming the checks that failed (their errors, which may hold host
    names, are only logged)."""
    checks = {"database": _database_answers, "media": _media_store_writable}
    if settings.REDIS_URL:
        checks["redis"] = _redis_answers
    results = {}
    for name, check in checks.items():
        try:
            check()
        except Exception:  # whatever the failure, the service is not ready
            log.warning("Readiness check %s failed", name, exc_info=True)
            results[name] = "failed"
        else:
            results[name] = "ok"
    ready = all(result == "ok" for result in results.values())
    return JsonResponse(
        {"status": "ready" if ready else "unavailable", "checks": results},
        status=200 if ready else 503,
    )


def _database_answers():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _redis_answers():
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    finally:
        client.close()


def _media_store_writable():
    name = default_storage.save(f"readyz-{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    default_storage.delete(name)


def server_error(request):
    """handler500. A database or Redis that cannot be reached is an outage, not a fault of the
    service: 503 with Retry-After. The pages are rendered without the request's context, which
    would ask the database who is signed in."""
    exc = sys.exc_info()[1]
    if isinstance(exc, DEPENDENCY_DOWN):
        return _dependency_down(request, saved=not isinstance(exc, DATABASE_DOWN))
    if request.path.startswith("/api/"):
        return api_exceptions.server_error(request)
    return _error_page(request, "500.html", 500, posted=_posted(request))


def _posted(request):
    return request.method not in ("GET", "HEAD", "OPTIONS")


def _dependency_down(request, *, saved):
    """`saved`: whether a write may have gone through (the database was not what failed)."""
    posted = _posted(request)
    if request.path.startswith("/api/"):
        detail = "The service cannot reach a system it depends on. Try again shortly."
        if posted:
            detail += (
                " The request may have been carried out: check before sending it again."
                if saved
                else " Nothing was changed."
            )
        response = api_exceptions.problem_json(503, detail)
    else:
        response = _error_page(request, "503.html", 503, posted=posted, saved=saved)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _error_page(request, template, status, **context):
    context = {"service_name": settings.SERVICE_NAME, "request": request, **context}
    return HttpResponse(render_to_string(template, context), status=status)


# Capability apps add to the home page: functions of the actor returning a dict merged into
# its context (registered from their AppConfig.ready(), so the core knows none of them).
HOME_CONTRIBUTORS: list[Callable[[Actor], dict[str, Any]]] = []


@actor_required()
def home(request):
    actor = request.actor
    template = {
        Kind.CONSORTIUM: "dps/home_consortium.html",
        Kind.BOROUGH: "dps/home_borough.html",
        Kind.PROVIDER: "dps/home_provider.html",
    }[actor.kind]
    context = {}
    if actor.is_consortium_admin:
        context["failed_emails"] = (
            emails_visible_to(actor).filter(status=OutboundEmail.Status.FAILED).count()
        )
        context["boroughs"] = actor.organisation.boroughs.filter(is_active=True)
    for contributor in HOME_CONTRIBUTORS:
        context.update(contributor(actor))
    return render(request, template, context)


@actor_required(admin=True)
def org_users(request):
    actor = request.actor
    form = InvitationForm(request.POST or None, organisation=actor.organisation)
    if request.method == "POST" and form.is_valid():
        invitation = submit(form, invitation_create, actor=actor)
        if invitation:
            messages.success(request, f"An invitation has been sent to {invitation.email}.")
            return redirect("org_users")
    members = paginate(request, memberships_visible_to(actor).order_by("user__email"))
    invitations = Invitation.objects.filter(
        organisation=actor.organisation, accepted_at__isnull=True, revoked_at__isnull=True
    )[:50]
    return render_form(
        request, "dps/org_users.html", form, {"members": members, "invitations": invitations}
    )


@require_POST
@actor_required(admin=True)
def membership_set_active(request, pk, active):
    membership = get_or_404(memberships_visible_to(request.actor), pk=pk)
    service = membership_reactivate if active else membership_deactivate
    try:
        service(actor=request.actor, membership=membership)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        verb = "reactivated" if active else "deactivated"
        messages.success(request, f"{membership.user.email} has been {verb}.")
    return redirect("org_users")


def invitation_accept_view(request, token):
    invitation = Invitation.objects.select_related("organisation").filter(token=token).first()
    if invitation is None or not invitation.is_pending:
        return render(request, "dps/invitation_invalid.html", status=404)
    form = InvitationAcceptForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        data = {
            "full_name": form.cleaned_data["full_name"],
            "password": form.cleaned_data["password1"],
        }
        user = submit(form, invitation_accept, data, token=token, address=request_address(request))
        if user:
            login(request, user, backend="allauth.account.auth_backends.AuthenticationBackend")
            messages.success(request, f"Welcome. You have joined {invitation.organisation}.")
            return redirect("home")
    return render_form(request, "dps/invitation_accept.html", form, {"invitation": invitation})


@actor_required(admin=True, kinds={Kind.BOROUGH, Kind.PROVIDER})
def api_clients(request):
    actor = request.actor
    form = ApiClientForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        created = submit(form, api_client_create, actor=actor)
        if created:
            client, new_key = created
            form = ApiClientForm()
            messages.success(request, f"API client {client.name} created.")
    clients = paginate(request, api_clients_visible_to(actor).select_related("created_by"))
    return render_form(
        request, "dps/api_clients.html", form, {"clients": clients, "new_key": new_key}
    )


@require_POST
@actor_required(admin=True, kinds={Kind.BOROUGH, Kind.PROVIDER})
def api_client_revoke_view(request, pk):
    client = get_or_404(api_clients_visible_to(request.actor), pk=pk)
    try:
        api_client_revoke(actor=request.actor, client=client)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"API client {client.name} has been revoked.")
    return redirect("api_clients")


@actor_required(roles={Role.CONSORTIUM_ADMIN})
def consortium_boroughs(request):
    actor = request.actor
    form = BoroughForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        borough = submit(form, borough_create, actor=actor)
        if borough:
            messages.success(request, f"{borough.name} has joined. Invite its first admin.")
            return redirect("borough_invite", pk=borough.pk)
    boroughs = paginate(request, boroughs_visible_to(actor))
    return render_form(request, "dps/consortium_boroughs.html", form, {"boroughs": boroughs})


@actor_required(roles={Role.CONSORTIUM_ADMIN})
def borough_invite(request, pk):
    borough = get_or_404(boroughs_visible_to(request.actor), pk=pk)
    form = InvitationForm(
        request.POST or None, organisation=borough, initial={"is_org_admin": True}
    )
    if request.method == "POST" and form.is_valid():
        invitation = submit(form, invitation_create, actor=request.actor, organisation=borough)
        if invitation:
            messages.success(request, f"An invitation has been sent to {invitation.email}.")
            return redirect("consortium_boroughs")
    return render_form(request, "dps/borough_invite.html", form, {"borough": borough})


@actor_required(roles={Role.CONSORTIUM_ADMIN})
def audit_log(request):
    events = AuditEventFilter(request.GET or None, queryset=audit_events_visible_to(request.actor))
    page = paginate(request, events.qs)
    return render(request, "dps/audit_log.html", {"filter": events, "page": page})


@actor_required(roles={Role.CONSORTIUM_ADMIN})
def email_outbox(request):
    data = request.GET.copy()
    data.setdefault("status", OutboundEmail.Status.FAILED)
    emails = OutboundEmailFilter(data, queryset=emails_visible_to(request.actor))
    page = paginate(request, emails.qs.defer("body_text", "body_html"))
    return render(request, "dps/email_outbox.html", {"filter": emails, "page": page})


@require_POST
@actor_required(roles={Role.CONSORTIUM_ADMIN})
def email_retry_view(request, pk):
    email = get_or_404(emails_visible_to(request.actor), pk=pk)
    try:
        email_retry(email=email, actor=request.actor)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"The email to {email.to} will be sent again now.")
    return redirect("email_outbox")
