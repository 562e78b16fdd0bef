"""The placements app's sections of the service navigation, by role."""


def items(actor):
    """(label, url name) pairs for the actor; each part adds its own."""
    result = []
    # Borough pages: the borough's requests and its placements.
    if actor.is_borough:
        result += [
            ("Requests", "placements:request_list"),
            ("Placements", "placements:placement_list"),
        ]
    # Provider side: the requests it is invited to, and its placements.
    if actor.is_provider:
        result += [
            ("Opportunities", "placements:opportunity_list"),
            ("Placements", "placements:placement_list"),
        ]
    # Consortium admins: each lot's evaluation weights and service types.
    if actor.is_consortium_admin:
        result += [("Lots", "placements:lot_list"), ("Exclusions", "placements:exclusions")]
    return result
