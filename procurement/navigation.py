"""The procurement app's sections of the service navigation, by role."""

from .selectors.notices import may_read_notices


def items(actor):
    """(label, url name) pairs for the actor."""
    # The notices owed on Find a Tender: the consortium admin's to publish, its boroughs'
    # commissioners' to read.
    if actor.is_person and may_read_notices(actor):
        return [("Notices", "procurement:notice_list")]
    return []
