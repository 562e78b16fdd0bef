"""Clarification questions: invited providers ask while the request is open; the borough answers,
and may share an answer with every invited provider without saying who asked."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from dps.services import DomainError
from dps.services.audit import audit_record
from dps.tenancy import Actor

from ..access import require_borough_writer
from ..models import PlacementRequest, ProviderInvitation, Question
from .notify import notify_borough, notify_providers, opportunity_path

Status = PlacementRequest.Status
MAX_LENGTH = 2000


def _text(value, field, what):
    value = (value or "").strip()
    if not value:
        raise DomainError(f"Enter your {what}.", field)
    if len(value) > MAX_LENGTH:
        raise DomainError(f"Your {what} must be {MAX_LENGTH} characters or fewer.", field)
    return value


def _require_open(placement_request):
    now = timezone.now()
    if placement_request.status != Status.OPEN or now >= placement_request.bid_deadline:
        raise DomainError("Questions can be asked and answered only while bids are open.")


@transaction.atomic
def question_ask(
    *, actor: Actor | None, placement_request: PlacementRequest, text: str | None
) -> Question:
    if actor is None or not actor.is_bidder:
        raise PermissionDenied("Only an invited provider's bidders can ask questions.")
    if not ProviderInvitation.objects.filter(
        request=placement_request, provider=actor.organisation
    ).exists():
        raise PermissionDenied("Your organisation was not invited to this request.")
    _require_open(placement_request)
    question = Question.objects.create(
        request=placement_request,
        provider=actor.organisation,
        text=_text(text, "text", "question"),
        asked_by=actor.user,
    )
    audit_record(actor=actor, action="question.asked", obj=question)
    notify_borough(
        placement_request,
        "placement_question_asked",
        {"question": question},
        f"question:{question.pk}:asked",
    )
    return question


@transaction.atomic
def question_answer(
    *, actor: Actor | None, question: Question, answer: str | None, shared: bool = False
) -> Question:
    placement_request = question.request
    actor = require_borough_writer(actor, placement_request)
    _require_open(placement_request)
    question = Question.objects.select_for_update().get(pk=question.pk)
    question.answer = _text(answer, "answer", "answer")
    question.shared = bool(shared)
    question.answered_by = actor.user
    question.answered_at = timezone.now()
    question.save()
    audit_record(
        actor=actor,
        action="question.answered",
        obj=question,
        organisation=placement_request.borough,
        detail={"shared": question.shared},
    )
    if question.shared:
        providers = list(placement_request.invitations.values_list("provider_id", flat=True))
    else:
        providers = [question.provider_id]
    notify_providers(
        providers,
        "placement_question_answered",
        {"placement_request": placement_request, "question": question},
        f"question:{question.pk}:answered:{question.answered_at.isoformat()}",
        path_for=opportunity_path(placement_request),
    )
    return question
