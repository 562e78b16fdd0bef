"""Which questions on requests an actor sees."""

from django.db.models import Q, QuerySet

from dps.tenancy import Actor

from ..models import PlacementRequest, Question
from .requests import requests_visible_to


def questions_visible_to(
    actor: Actor | None, placement_request: PlacementRequest | None = None
) -> QuerySet[Question]:
    """The borough sees every question on its request; a provider its own questions and the
    answers shared with every invited provider. Without a request: on every request the actor
    sees."""
    if actor is None:
        return Question.objects.none()
    if placement_request is None:
        qs = Question.objects.filter(request__in=requests_visible_to(actor))
        own_request = actor.is_borough
    else:
        qs = Question.objects.filter(request=placement_request)
        own_request = actor.is_borough and placement_request.borough_id == actor.organisation.pk
    if own_request:
        return qs.select_related("provider")
    if actor.is_provider:
        return qs.filter(Q(provider=actor.organisation) | Q(shared=True, answered_at__isnull=False))
    return Question.objects.none()
