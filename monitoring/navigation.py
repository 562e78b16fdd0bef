"""The monitoring app's sections of the service navigation, by role."""


def items(actor):
    """(label, url name) pairs for the actor; each part adds its own."""
    result = []
    return result
