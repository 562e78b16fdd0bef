"""The procurement app's sections of the service navigation, by role."""


def items(actor):
    """(label, url name) pairs for the actor."""
    # The notices owed on Find a Tender: the consortium admin's to publish.
    if actor.is_person and actor.is_consortium_admin:
        return [("Notices", "procurement:notice_list")]
    return []
