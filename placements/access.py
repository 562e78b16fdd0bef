"""Who may touch which of the placements app's objects, decided once here.

Services refuse (403) a write by anyone but the side that owns the record."""

from django.core.exceptions import PermissionDenied

from dps.tenancy import Actor


def require_borough_writer(actor: Actor | None, record=None) -> None:
    """Refuse anyone but a borough's placement officers (and its case systems with the write
    scope); given a record of a borough (a request, a placement), refuse other boroughs too."""
    if actor is None or not actor.is_borough_writer:
        raise PermissionDenied("Only the borough's placement officers can do this.")
    if record is not None and record.borough_id != actor.organisation.pk:
        raise PermissionDenied("This belongs to another borough.")
