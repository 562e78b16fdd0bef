from .api import ApiClient, IdempotencyKey
from .audit import AuditEvent, StatusChange
from .emails import OutboundEmail
from .people import Invitation, Membership, Organisation, Role, User

__all__ = [
    "ApiClient",
    "AuditEvent",
    "IdempotencyKey",
    "Invitation",
    "Membership",
    "Organisation",
    "OutboundEmail",
    "Role",
    "StatusChange",
    "User",
]
