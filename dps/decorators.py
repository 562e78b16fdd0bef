"""Access checks for pages. Anonymous users go to the login page; a signed-in user without the
right role is refused with 403 (pages with an object answer 404 for another tenant's)."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .tenancy import get_actor


def actor_required(*, roles=None, admin=False, kinds=None):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            actor = get_actor(request)
            if actor is None:
                raise PermissionDenied("You do not belong to an active organisation.")
            if roles is not None and actor.role not in roles:
                raise PermissionDenied
            if kinds is not None and actor.kind not in kinds:
                raise PermissionDenied
            if admin and not actor.can_administer:
                raise PermissionDenied
            request.actor = actor
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
