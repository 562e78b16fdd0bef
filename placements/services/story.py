"""The child's story and the other free text about them: released to a provider only once it is
shortlisted (and, after the award, to the winner alone), and every view of it is audited."""

from django.core.exceptions import PermissionDenied

from dps.services.audit import audit_record
from dps.tenancy import Actor

from ..models import PlacementRequest
from ..selectors.story import story_released_to

# What is released; everything else on the request is the anonymised profile.
STORY_FIELDS = (
    "strengths",
    "story",
    "child_views",
    "contact_arrangements",
    "education_needs",
    "need_details",
)


def story_view(*, actor: Actor | None, placement_request: PlacementRequest) -> dict[str, str]:
    """The free text about the child, for a provider it is released to; the view is audited
    (the borough's own staff read it on their request without an audit entry per view)."""
    if not story_released_to(actor, placement_request):
        raise PermissionDenied("The child's story is released only to shortlisted providers.")
    if actor.is_provider:
        audit_record(
            actor=actor,
            action="request.story_viewed",
            obj=placement_request,
            detail={"request": placement_request.pk, "borough": placement_request.borough_id},
        )
    return {name: getattr(placement_request, name) for name in STORY_FIELDS}
