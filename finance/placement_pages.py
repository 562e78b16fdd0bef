"""What finance adds to the placements app's page of a placement (registered in
FinanceConfig.ready()): the link to its cost schedule, for a placement bought with a fee (one
read from an SSDA903 return has none)."""

from django.urls import reverse

from placements.models import Placement


def detail_context(actor, placement):
    if placement.source == Placement.Source.SSDA903:
        return {}
    return {"schedule_url": reverse("finance:placement_schedule", args=[placement.pk])}
