from rest_framework import permissions

from ..tenancy import get_actor


class HasScope(permissions.BasePermission):
    """A caller must act for an organisation; writing needs the write scope."""

    message = "Your API key does not have the write scope."

    def has_permission(self, request, view):
        actor = get_actor(request)
        if actor is None:
            self.message = "You do not belong to an active organisation."
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        self.message = "Your API key does not have the write scope."
        return actor.can_write


class IsOrganisationAdmin(permissions.BasePermission):
    message = "Only your organisation's admin can do this."

    def has_permission(self, request, view):
        actor = get_actor(request)
        return actor is not None and actor.can_administer and actor.api_client is None


class IsConsortiumAdmin(permissions.BasePermission):
    message = "Only a consortium admin can do this."

    def has_permission(self, request, view):
        actor = get_actor(request)
        return actor is not None and actor.is_consortium_admin
