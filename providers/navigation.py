"""The providers app's sections of the service navigation, by role."""


def items(actor):
    """(label, url name) pairs for the actor; each part adds its own."""
    result = []
    # Services part: a provider's services and vacancies; the consortium's Ofsted import.
    if actor.is_provider:
        result += [("Services", "providers:services"), ("Vacancies", "providers:vacancies")]
    if actor.is_consortium_admin:
        result.append(("Ofsted import", "providers:ofsted_import"))
    # Documents part: a provider's accreditation documents.
    if actor.is_provider:
        result.append(("Documents", "providers:documents"))
    return result
