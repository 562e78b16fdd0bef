"""The providers app's sections of the service navigation, by role."""


def items(actor):
    """(label, url name) pairs for the actor; each part adds its own."""
    result = []
    # Enrolment part: a provider's applications; the consortium's review queue and enrolments.
    if actor.is_provider:
        result.append(("Applications", "providers:applications"))
    if actor.is_consortium_admin:
        result += [
            ("Arrangement", "providers:arrangement"),
            ("Review queue", "providers:review_queue"),
            ("Enrolments", "providers:enrolment_list"),
        ]
    # Services part: a provider's services and vacancies; the consortium's Ofsted import and
    # the providers' corrections of their ratings.
    if actor.is_provider:
        result += [("Services", "providers:services"), ("Vacancies", "providers:vacancies")]
    if actor.is_consortium_admin:
        result += [
            ("Ofsted import", "providers:ofsted_import"),
            ("Rating corrections", "providers:rating_proposals"),
        ]
    # Documents part: a provider's accreditation documents.
    if actor.is_provider:
        result.append(("Documents", "providers:documents"))
    # Quality part: a provider's own score; the consortium admin's weights.
    if actor.is_provider:
        result.append(("Quality score", "providers:quality_score"))
    if actor.is_consortium_admin:
        result.append(("Quality weights", "providers:quality_weights"))
    # Directory part: boroughs and consortium admins browse the enrolled providers.
    if actor.is_borough or actor.is_consortium_admin:
        result.append(("Providers", "providers:directory"))
    return result
