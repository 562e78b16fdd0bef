from collections.abc import Callable

from django.conf import settings
from django.urls import reverse

from .models.people import Role
from .tenancy import Actor, get_actor

# Capability apps add their sections: functions of the actor returning (label, url name)
# pairs, registered from their AppConfig.ready(), so the core knows none of them.
NAVIGATION_CONTRIBUTORS: list[Callable[[Actor], list[tuple[str, str]]]] = []


def navigation(actor):
    """The service navigation for the actor's role: (label, url name)."""
    if actor is None:
        return []
    items = [("Home", "home")]
    for contributor in NAVIGATION_CONTRIBUTORS:
        items += contributor(actor)
    if actor.role == Role.CONSORTIUM_ADMIN:
        items += [
            ("Boroughs", "consortium_boroughs"),
            ("Audit log", "audit_log"),
            ("Emails", "email_outbox"),
        ]
    if actor.can_administer:
        items.append(("Users", "org_users"))
        if actor.is_borough or actor.is_provider:
            items.append(("API clients", "api_clients"))
    items.append(("Your account", "account_email"))
    return items


def service(request):
    actor = get_actor(request)
    path = request.path
    nav = []
    for label, name in navigation(actor):
        url = reverse(name)
        active = path == url if name == "home" else path.startswith(url)
        nav.append({"label": label, "url": url, "active": active})
    return {"service_name": settings.SERVICE_NAME, "actor": actor, "nav_items": nav}
