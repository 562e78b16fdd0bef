"""Which questions on a request an actor sees."""

from django.db.models import Q, QuerySet

from dps.tenancy import Actor

from ..models import PlacementRequest, Question


def questions_visible_to(
    actor: Actor | None, placement_request: PlacementRequest
) -> QuerySet[Question]:
    """The borough sees every question on its request; a provider its own questions and the
    answers shared with every invited provider."""
    if actor is None:
        return Question.objects.none()
    qs = Question.objects.filter(request=placement_request)
    if actor.is_borough and placement_request.borough_id == actor.organisation.pk:
        return qs.select_related("provider")
    if actor.is_provider:
        return qs.filter(Q(provider=actor.organisation) | Q(shared=True, answered_at__isnull=False))
    return Question.objects.none()
