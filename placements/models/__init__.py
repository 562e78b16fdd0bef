"""Placement requests, invitations, questions, sealed bids, their evaluation, and placements."""

from .bids import Bid, Evaluation
from .fees import Fee
from .placements import Child, Placement
from .requests import (
    Gender,
    LegalStatus,
    PlacementRequest,
    ProviderInvitation,
    Question,
    RequestTransition,
)

__all__ = [
    "Bid",
    "Child",
    "Evaluation",
    "Fee",
    "Gender",
    "LegalStatus",
    "Placement",
    "PlacementRequest",
    "ProviderInvitation",
    "Question",
    "RequestTransition",
]
