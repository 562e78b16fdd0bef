"""Every read of the placements app, scoped to the actor (see dps.tenancy). Every page,
endpoint, export and email starts from the `*_visible_to` querysets, which the apps built on
placements import from here; the other reads live beside them, in the module of what they
read."""

from .bids import bids_visible_to
from .invitations import invitations_visible_to
from .placements import placements_visible_to
from .questions import questions_visible_to
from .requests import requests_visible_to

__all__ = [
    "bids_visible_to",
    "invitations_visible_to",
    "placements_visible_to",
    "questions_visible_to",
    "requests_visible_to",
]
