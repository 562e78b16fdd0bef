"""Every URL of the project, walked: nobody reaches another tenant's data.

ROUTES classifies each named route. A route that exists but is not in the table fails
`test_every_route_is_classified`; a table entry whose route is gone fails
`test_the_table_names_only_routes_that_exist`. So adding a page or an endpoint means saying here
who may use it and, for a tenant's route, how to point it at the victim's objects.

The victim is borough A (and its consortium). Each TENANT route is requested with GET and POST by
anonymous users, by the people of borough B and of providers A and B, and (for /api/) with API
keys of borough B and of the providers. Each answer must be a refusal, or a page that shows none
of the victim's marker strings; never a server error; and no request may change the victim's data.
A positive control shows the rightful user gets the page, the marker, and can make the change,
so each check can fail.
"""

import gzip
import importlib
import json
import pkgutil
import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone

from dps.models import (
    AuditEvent,
    IdempotencyKey,
    Invitation,
    Membership,
    Organisation,
    OutboundEmail,
    Role,
    User,
)
from dps.services.audit import audit_record
from dps.tenancy import Actor
from tests import tenancy_routes
from tests.conftest import person
from tests.factories import UserFactory, make_api_client

# --- The victim and its markers -----------------------------------------------------------

VICTIM_CLIENT_NAME = "Alpha Case System"
VICTIM_EMAIL_SUBJECT = "Alpha borough failed email"
VICTIM_INVITEE = "invitee@a.test"
VICTIM_FORMER = "former@a.test"
MARKERS = (
    "Alpha Borough",
    "commissioner@a.test",
    "officer@a.test",
    VICTIM_INVITEE,
    VICTIM_FORMER,
    VICTIM_CLIENT_NAME,
    VICTIM_EMAIL_SUBJECT,
)


@pytest.fixture
def victim(world):
    """Borough A's objects, one of each kind a route can point at."""
    a = world.borough_a
    actor = Actor.for_membership(world.commissioner_a.memberships.get())
    former = UserFactory(email=VICTIM_FORMER, is_active=False)
    v = {
        "borough": a,
        "officer_membership": world.officer_a.memberships.get(),
        "former_membership": Membership.objects.create(
            user=former,
            organisation=a,
            role=Role.PLACEMENT_OFFICER,
            is_active=False,
            deactivated_at=timezone.now(),
        ),
        "api_client": make_api_client(a, name=VICTIM_CLIENT_NAME)[0],
        "email": OutboundEmail.objects.create(
            to="officer@a.test",
            subject=VICTIM_EMAIL_SUBJECT,
            body_text="About a child in Alpha Borough.",
            status=OutboundEmail.Status.FAILED,
            attempts=6,
            organisation=a,
        ),
        "invitation": Invitation.objects.create(
            organisation=a,
            email=VICTIM_INVITEE,
            role=Role.PLACEMENT_OFFICER,
            expires_at=timezone.now() + timedelta(days=7),
        ),
    }
    audit_record(actor=actor, action="test.victim", obj=v["invitation"])
    return v


# --- The table ----------------------------------------------------------------------------

PUBLIC = "public"  # anyone, signed in or not; shows nothing of a tenant
ACCOUNT = "account"  # the signed-in user's own account (django-allauth)
ADMIN_SITE = "admin site"  # the Django admin: staff only


@dataclass(frozen=True)
class Tenant:
    """A route that shows or changes a tenant's data.

    victim: the organisation whose data it is, a `world` attribute: "borough_a" (the
      default) or "provider_a".
    kwargs: the route's URL arguments: the name of one of the `victim` fixture's objects, or
      a function of `world` that creates the object (for objects of the capability apps).
    owner: the persona who may use it (positive control); sees `owner_sees` on GET.
    post: form (or, for /api/, JSON) data for POST, or a function of `world` returning it;
      None if the route has no POST.
    changes: the owner's POST changes the victim's data (so the no-change check can fail).
    markers: strings of the victim's that no intruder may see (by default its name and
      its people's emails).
    intruders: the personas who must be refused; by default everyone outside the victim's
      organisation (see INTRUDERS).
    api_intruders: the organisations whose API keys must be refused (for /api/); by default
      every organisation but the victim (see INTRUDER_ORGANISATIONS).
    """

    kwargs: dict = field(default_factory=dict)
    owner: str = "commissioner_a"
    owner_sees: str | None = "Alpha Borough"
    get: bool = True
    post: dict | None = None
    changes: bool = False
    markers: tuple | None = None
    victim: str = "borough_a"
    intruders: tuple | None = None
    api_intruders: tuple | None = None

    @property
    def secrets(self):
        """The markers no intruder may see: given, or the victim's by default."""
        if self.markers is not None:
            return self.markers
        return PROVIDER_MARKERS if self.victim == "provider_a" else MARKERS


# Provider A's own data: its name and its people.
PROVIDER_MARKERS = ("Alpha Care", "admin@provider-a.test", "bidder@provider-a.test")


INVITE = {"email": "someone-new@example.org", "role": Role.PLACEMENT_OFFICER}

ROUTES = {
    # The shared core's pages
    "home": Tenant(),
    "healthz": PUBLIC,
    "readyz": PUBLIC,
    "org_users": Tenant(owner_sees="officer@a.test", post=INVITE, changes=True),
    "membership_deactivate": Tenant(
        kwargs={"pk": "officer_membership"}, get=False, post={}, changes=True
    ),
    "membership_reactivate": Tenant(
        kwargs={"pk": "former_membership"}, get=False, post={}, changes=True
    ),
    "api_clients": Tenant(owner_sees=VICTIM_CLIENT_NAME, post={"name": "New client"}, changes=True),
    "api_client_revoke": Tenant(kwargs={"pk": "api_client"}, get=False, post={}, changes=True),
    "invitation_accept": PUBLIC,
    "consortium_boroughs": Tenant(owner="admin", post={"name": "New Borough"}, changes=True),
    "borough_invite": Tenant(kwargs={"pk": "borough"}, owner="admin", post=INVITE, changes=True),
    "audit_log": Tenant(owner="admin", owner_sees="commissioner@a.test"),
    "email_outbox": Tenant(owner="admin", owner_sees=VICTIM_EMAIL_SUBJECT),
    "email_retry": Tenant(kwargs={"pk": "email"}, owner="admin", get=False, post={}, changes=True),
    # Signing in and out, password reset, email confirmation (django-allauth)
    "account_login": PUBLIC,
    "account_logout": ACCOUNT,
    "account_inactive": PUBLIC,
    "account_signup": PUBLIC,
    "account_reauthenticate": ACCOUNT,
    "account_email": ACCOUNT,
    "account_email_verification_sent": PUBLIC,
    "account_change_password": ACCOUNT,
    "account_set_password": ACCOUNT,
    "account_reset_password": PUBLIC,
    "account_confirm_login_code": PUBLIC,
    "account_confirm_email": PUBLIC,
    "account_reset_password_from_key_done": PUBLIC,
    "account_reset_password_from_key": PUBLIC,
    "account_reset_password_done": PUBLIC,
    # Second factor (allauth.mfa); the authenticate page is a step of signing in
    "mfa_index": ACCOUNT,
    "mfa_authenticate": PUBLIC,
    "mfa_reauthenticate": ACCOUNT,
    "mfa_activate_totp": ACCOUNT,
    "mfa_deactivate_totp": ACCOUNT,
    "mfa_view_recovery_codes": ACCOUNT,
    "mfa_generate_recovery_codes": ACCOUNT,
    "mfa_download_recovery_codes": ACCOUNT,
    "usersessions_list": ACCOUNT,
    # The admin site's login page; every other admin route is ADMIN_SITE by its namespace
    "admin:login": PUBLIC,
    # The API
    "api:core:me": Tenant(owner_sees="commissioner@a.test"),
    "api:core:organisations": Tenant(),
    "api:core:members": Tenant(owner_sees="officer@a.test"),
    "api:core:invitations": Tenant(get=False, post=INVITE, changes=True),
    "api:core:audit-events": Tenant(owner="admin", owner_sees="commissioner@a.test"),
    "api:providers:lots": Tenant(owner_sees=None),
    "api-schema": PUBLIC,
    "api-docs": PUBLIC,
}
# Each capability app keeps its own table in tests/tenancy_routes/<app>.py (a ROUTES dict of
# the same kinds); they are merged here.
for _module in sorted(pkgutil.iter_modules(tenancy_routes.__path__), key=lambda m: m.name):
    _extra = importlib.import_module(f"{tenancy_routes.__name__}.{_module.name}").ROUTES
    assert not set(_extra) & set(ROUTES), f"{_module.name} names routes named elsewhere"
    ROUTES.update(_extra)

# Every route in these namespaces that the table does not name otherwise.
NAMESPACES = {"admin": ADMIN_SITE}


# --- Walking the URL configuration --------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", or "namespace:<unnamed route>" for an unnamed pattern
    route: str  # the full route, converters and regular expressions as written


def walk(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            name = pattern.name or f"<unnamed {route}>"
            yield Route(f"{namespace}{name}", route)


ALL_ROUTES = list(walk())
ROUTES_BY_KEY = {r.key: r for r in ALL_ROUTES}


def classification(key):
    if key in ROUTES:
        return ROUTES[key]
    namespace = key.split(":", 1)[0] if ":" in key else None
    return NAMESPACES.get(namespace)


SAMPLE_ARGUMENTS = {
    "app_label": "dps",
    "url": "no/such/page/",
    "token": "not-a-real-token",
    "key": "not-a-real-key",
    "uidb36": "zz",
}


def url_for(route, values=None):
    """A concrete path for a route: `<conv:name>` and `(?P<name>...)` filled from `values`,
    then SAMPLE_ARGUMENTS, then "1"; checked to resolve back to the same route."""
    values = {**SAMPLE_ARGUMENTS, **(values or {})}

    def fill(match):
        return str(values.get(match.group("name"), "1"))

    path = re.sub(r"\(\?P<(?P<name>\w+)>[^)]*\)", fill, route.route)
    path = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", fill, path)
    path = "/" + path.replace("^", "").replace("$", "")
    match = resolve(path)
    walked = match.route if hasattr(match, "route") else None
    assert match.view_name == route.key or walked == route.route.replace("^", ""), (
        f"{path} resolves to {match.view_name}, not {route.key}"
    )
    return path


def test_the_walk_finds_the_routes_of_every_part_of_the_project():
    keys = set(ROUTES_BY_KEY)
    assert {"home", "account_login", "mfa_index", "admin:index", "api:core:me"} <= keys


def test_every_route_is_classified():
    missing = sorted(f"{r.key} (/{r.route})" for r in ALL_ROUTES if classification(r.key) is None)
    assert not missing, "Add these routes to ROUTES in tests/test_url_tenancy.py:\n" + "\n".join(
        missing
    )


def test_the_table_names_only_routes_that_exist():
    gone = sorted(set(ROUTES) - set(ROUTES_BY_KEY))
    assert not gone, f"ROUTES names routes that no longer exist: {gone}"


def test_tenant_routes_are_never_in_the_namespaces_classified_wholesale():
    for key, kind in ROUTES.items():
        if isinstance(kind, Tenant):
            assert ":" not in key or key.split(":", 1)[0] not in NAMESPACES, key


# --- Who asks -----------------------------------------------------------------------------

INTRUDERS = {
    "borough_a": (
        "commissioner_b",
        "officer_b",
        "provider_admin_a",
        "bidder_a",
        "provider_admin_b",
        "bidder_b",
    ),
    "provider_a": (
        "commissioner_a",
        "officer_a",
        "commissioner_b",
        "officer_b",
        "provider_admin_b",
        "bidder_b",
    ),
}
INTRUDER_ORGANISATIONS = {
    "borough_a": ("borough_b", "provider_a", "provider_b"),
    "provider_a": ("borough_a", "borough_b", "provider_b"),
}


def snapshot(world, victim="borough_a"):
    """The victim's data: every row of a model that belongs to the victim organisation (and,
    for a borough, its consortium), and every row that belongs to one of their users. The
    audit log (append-only, written by refusals too) and session bookkeeping are left out."""
    orgs = [getattr(world, victim).pk]
    if victim == "borough_a":
        orgs.append(world.consortium.pk)
    users = list(
        User.objects.filter(memberships__organisation__in=orgs).values_list("pk", flat=True)
    )
    skip = {AuditEvent, IdempotencyKey, Session}
    state = {}
    for model in apps.get_models():
        if model in skip or model._meta.app_label in {"usersessions", "axes", "sessions"}:
            continue
        fields = [
            f
            for f in model._meta.concrete_fields
            if not getattr(f, "auto_now", False) and f.name not in {"last_login", "last_used_at"}
        ]
        query = models.Q()
        if model is Organisation:
            query |= models.Q(pk__in=orgs)
        if model is User:
            query |= models.Q(pk__in=users)
        for f in model._meta.concrete_fields:
            if isinstance(f, models.ForeignKey) and f.related_model is Organisation:
                query |= models.Q(**{f"{f.name}__in": orgs})
            if isinstance(f, models.ForeignKey) and f.related_model is User:
                query |= models.Q(**{f"{f.name}__in": users})
        if not query:
            continue
        rows = model.objects.filter(query).distinct().order_by("pk")
        state[model._meta.label] = [tuple(f.value_from_object(row) for f in fields) for row in rows]
    return state


def changed(before, after):
    return sorted(
        label for label in before.keys() | after.keys() if before.get(label) != after.get(label)
    )


def send(client, method, path, data, *, api, auth=None):
    extra = {"HTTP_AUTHORIZATION": auth} if auth else {}
    if method == "GET":
        return client.get(path, **extra)
    if api:
        return client.post(path, json.dumps(data or {}), content_type="application/json", **extra)
    return client.post(path, data or {}, **extra)


def body_text(response):
    """The body as text: a streamed one read whole, a gzipped download unpacked."""
    if not response.streaming:
        return response.content.decode(errors="replace")
    body = b"".join(response.streaming_content)
    if response.get("Content-Type") == "application/gzip":
        body = gzip.decompress(body)
    return body.decode(errors="replace")


def leaks(response, markers):
    text = body_text(response) + response.get("Location", "")
    return [m for m in markers if m.lower() in text.lower()]


def check_intruder(who, response, recipe, *, api, anonymous):
    """The problems with one answer to an intruder, as text (empty if none)."""
    status = response.status_code
    if status >= 500:
        return [f"{who}: server error {status}"]
    problems = []
    if found := leaks(response, recipe.secrets):
        problems.append(f"{who}: {status} shows the victim's {found}")
    if anonymous and api and status not in (401, 403, 405):
        problems.append(f"{who}: expected 401/403 for an anonymous API call, got {status}")
    if anonymous and not api:
        to_login = status == 302 and response["Location"].startswith("/accounts/login/")
        if not (to_login or status in (403, 404, 405)):
            problems.append(f"{who}: expected a redirect to sign in, got {status}")
    if not anonymous and status not in (200, 201, 204, 302, 400, 401, 403, 404, 405):
        problems.append(f"{who}: unexpected status {status}")
    return problems


TENANT_ROUTES = sorted(k for k, v in ROUTES.items() if isinstance(v, Tenant))


def tenant_path(key, victim, world):
    recipe = ROUTES[key]
    route = ROUTES_BY_KEY.get(key)
    assert route is not None, f"{key} is in ROUTES but no longer exists"
    kwargs = {
        name: (obj(world) if callable(obj) else victim[obj]).pk
        for name, obj in recipe.kwargs.items()
    }
    return url_for(route, kwargs)


def post_data(recipe, world):
    return recipe.post(world) if callable(recipe.post) else recipe.post


@pytest.mark.parametrize("key", TENANT_ROUTES)
def test_intruders_cannot_see_or_change_the_victims_data(key, world, victim, api_key_for):
    recipe = ROUTES[key]
    path = tenant_path(key, victim, world)
    data = post_data(recipe, world)
    api = path.startswith("/api/")
    methods = [m for m in ("GET", "POST") if m == "POST" or recipe.get]
    callers = [("anonymous", None, None)]
    intruders = recipe.intruders or INTRUDERS[recipe.victim]
    callers += [(name, getattr(world, name), None) for name in intruders]
    if api:
        callers += [
            (f"API key of {org}", None, api_key_for(getattr(world, org)))
            for org in recipe.api_intruders or INTRUDER_ORGANISATIONS[recipe.victim]
        ]

    problems = []
    for who, user, auth in callers:
        client = Client()
        if user is not None:
            client.force_login(user)
        for method in methods:
            before = snapshot(world, recipe.victim)
            response = send(client, method, path, data, api=api, auth=auth)
            label = f"{method} {path} as {who}"
            problems += check_intruder(
                label, response, recipe, api=api, anonymous=user is None and auth is None
            )
            if diff := changed(before, snapshot(world, recipe.victim)):
                problems.append(f"{label}: changed the victim's {diff}")

    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("key", TENANT_ROUTES)
def test_the_rightful_user_can_use_the_route(key, world, victim):
    """The positive control: the checks above can see the victim's data and its changes."""
    recipe = ROUTES[key]
    path = tenant_path(key, victim, world)
    data = post_data(recipe, world)
    api = path.startswith("/api/")
    client = Client()
    client.force_login(getattr(world, recipe.owner))

    if recipe.get:
        response = client.get(path)
        assert response.status_code == 200, response.content[:500]
        if recipe.owner_sees:
            assert recipe.owner_sees in response.content.decode()
    if data is not None:
        before = snapshot(world, recipe.victim)
        response = send(client, "POST", path, data, api=api)
        assert response.status_code < 400, response.content[:500]
        assert bool(changed(before, snapshot(world, recipe.victim))) == recipe.changes


# --- Public, account and admin routes -----------------------------------------------------

PUBLIC_ROUTES = sorted(k for k, v in ROUTES.items() if v == PUBLIC)
ACCOUNT_ROUTES = sorted(k for k, v in ROUTES.items() if v == ACCOUNT)
ADMIN_ROUTES = sorted(r.key for r in ALL_ROUTES if classification(r.key) == ADMIN_SITE)


@pytest.mark.parametrize("key", PUBLIC_ROUTES)
def test_public_routes_show_no_tenant_data(key, client, world, victim):
    path = url_for(ROUTES_BY_KEY[key])

    response = client.get(path)

    assert response.status_code < 500
    assert not leaks(response, MARKERS + PROVIDER_MARKERS)


@pytest.mark.parametrize("key", ACCOUNT_ROUTES)
def test_account_routes_need_a_signed_in_user(key, client, db):
    path = url_for(ROUTES_BY_KEY[key])

    response = client.get(path)

    assert response.status_code in (302, 405)
    if response.status_code == 302:
        # Signing out when not signed in just goes home, which asks to sign in.
        home = key == "account_logout" and response["Location"] == "/"
        assert home or response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("key", ACCOUNT_ROUTES)
def test_account_routes_show_only_the_users_own_account(key, client, world, victim):
    path = url_for(ROUTES_BY_KEY[key])
    client.force_login(world.commissioner_b)

    response = client.get(path)

    assert response.status_code < 500
    assert not leaks(response, MARKERS)


@pytest.fixture
def non_staff(db):
    """An organisation admin of a borough: powerful in the service, nothing in the admin."""
    consortium = Organisation.objects.create(kind="consortium", name="C", slug="c")
    borough = Organisation.objects.create(kind="borough", name="B", slug="b", consortium=consortium)
    return person("org-admin@b.test", borough, Role.COMMISSIONER, admin=True)


@pytest.mark.parametrize("key", ADMIN_ROUTES)
def test_the_admin_site_refuses_everyone_but_staff(key, non_staff):
    path = url_for(ROUTES_BY_KEY[key])
    for user in (None, non_staff):
        client = Client()
        if user:
            client.force_login(user)

        response = client.get(path)

        assert response.status_code == 302, (user, response.status_code)
        # The admin's logout sends those not signed in to its index, which asks them to.
        index = key == "admin:logout" and response["Location"] == "/admin/"
        assert index or response["Location"].startswith("/admin/login/"), response["Location"]


def test_the_admin_site_serves_staff(client, db):
    """The positive control for the admin checks."""
    user = UserFactory(email="operator@dps.test")
    user.is_staff = True
    user.is_superuser = True
    user.save()
    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)

    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/dps/organisation/").status_code == 200
