"""Clarification questions: asked only by an invited provider while bids are open; answered by
the borough, privately to the asker or shared with every invited provider without naming who
asked."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from dps.models import AuditEvent, OutboundEmail
from dps.services import DomainError
from placements.models import PlacementRequest, Question
from placements.selectors import questions_visible_to
from placements.services import questions as question_services
from placements.services import requests as request_services
from providers.models import Enrolment
from tests.factories import EnrolmentFactory, MembershipFactory, ProviderFactory, UserFactory
from tests.placements import helpers
from tests.placements.helpers import actor_of

QUESTION = "Does she need a school place from September?"
ANSWER = "Yes: her current school is too far away."
A_PEOPLE = ["admin@provider-a.test", "bidder@provider-a.test"]
B_PEOPLE = ["admin@provider-b.test", "bidder@provider-b.test"]


@pytest.fixture
def market(world):
    return helpers.market(world)


@pytest.fixture
def open_request(world, market):
    lot, _ = market
    return helpers.published(world, lot)


def ask(user, placement_request, text=QUESTION):
    return question_services.question_ask(
        actor=actor_of(user), placement_request=placement_request, text=text
    )


def answer(user, question, text=ANSWER, shared=False):
    return question_services.question_answer(
        actor=actor_of(user), question=question, answer=text, shared=shared
    )


def answered_emails():
    return OutboundEmail.objects.filter(subject__contains="a question has been answered")


# ---------------------------------------------------------------------------------------------
# Asking


def test_an_invited_provider_asks_while_bids_are_open(world, open_request):
    question = ask(world.bidder_a, open_request, text=f"  {QUESTION}  ")

    question.refresh_from_db()
    assert question.request == open_request
    assert question.provider == world.provider_a
    assert question.asked_by == world.bidder_a
    assert question.text == QUESTION
    assert question.answer == ""
    assert AuditEvent.objects.filter(action="question.asked", object_id=str(question.pk)).exists()
    # The borough's placement officers are told, with the question.
    told = OutboundEmail.objects.filter(subject__contains="a provider asked a question")
    assert list(told.values_list("to", flat=True)) == ["officer@a.test"]
    assert QUESTION in told.get().body_text


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001])
def test_an_empty_or_overlong_question_is_refused(world, open_request, text):
    with pytest.raises(DomainError) as refused:
        ask(world.bidder_a, open_request, text=text)

    assert refused.value.field == "text"
    assert not Question.objects.exists()


def test_a_provider_not_invited_cannot_ask(world, market):
    lot, _ = market
    # Bravo's enrolment is suspended before publishing: it is not invited.
    Enrolment.objects.filter(provider=world.provider_b, lot=lot).update(status="suspended")
    placement_request = helpers.published(world, lot)
    # A provider on another lot, never invited.
    other = ProviderFactory(slug="other", name="Other Care")
    EnrolmentFactory(provider=other)
    outsider = UserFactory(email="bidder@other.test")
    MembershipFactory(user=outsider, organisation=other, role="bidder")

    for user in (world.bidder_b, world.provider_admin_b, outsider):
        with pytest.raises(PermissionDenied):
            ask(user, placement_request)

    assert not Question.objects.exists()


@pytest.mark.parametrize("who", ["officer_a", "commissioner_a", "officer_b", "admin"])
def test_only_providers_ask(world, open_request, who):
    with pytest.raises(PermissionDenied):
        ask(getattr(world, who), open_request)


def test_no_question_after_the_deadline_even_before_closing(world, open_request):
    with (
        time_machine.travel(open_request.bid_deadline + timedelta(seconds=1), tick=False),
        pytest.raises(DomainError, match="only while bids are open"),
    ):
        ask(world.bidder_a, open_request)

    assert not Question.objects.exists()


@pytest.mark.parametrize("state", ["closed", "cancelled"])
def test_no_question_once_the_request_is_closed_or_cancelled(world, open_request, state):
    if state == "closed":
        helpers.close(open_request)
    else:
        request_services.request_cancel(
            actor=actor_of(world.officer_a),
            placement_request=open_request,
            reason=PlacementRequest.CancelReason.PLACED_IN_HOUSE,
        )
    open_request.refresh_from_db()

    with pytest.raises(DomainError, match="only while bids are open"):
        ask(world.bidder_a, open_request)


# ---------------------------------------------------------------------------------------------
# Answering


def test_a_private_answer_goes_to_the_asker_alone(world, open_request):
    question = ask(world.bidder_a, open_request)

    answer(world.officer_a, question, text=f"  {ANSWER} ")

    question.refresh_from_db()
    assert question.answer == ANSWER
    assert question.shared is False
    assert question.answered_by == world.officer_a
    assert question.answered_at is not None
    assert sorted(answered_emails().values_list("to", flat=True)) == A_PEOPLE
    for email in answered_emails():
        assert QUESTION in email.body_text
        assert ANSWER in email.body_text
    # Bravo sees neither the question nor the answer.
    assert list(questions_visible_to(actor_of(world.bidder_b), open_request)) == []
    assert list(questions_visible_to(actor_of(world.bidder_a), open_request)) == [question]
    event = AuditEvent.objects.get(action="question.answered")
    assert event.detail == {"shared": False}


def test_a_shared_answer_goes_to_every_invited_provider_without_naming_the_asker(
    world, open_request
):
    question = ask(world.bidder_a, open_request)

    answer(world.officer_a, question, shared=True)

    question.refresh_from_db()
    assert question.shared is True
    assert sorted(answered_emails().values_list("to", flat=True)) == sorted(A_PEOPLE + B_PEOPLE)
    for email in answered_emails().filter(to__in=B_PEOPLE):
        assert QUESTION in email.body_text
        assert ANSWER in email.body_text
        for asker in ("Alpha", "provider-a", world.bidder_a.email, world.bidder_a.full_name):
            assert asker not in email.body_text
            assert asker not in email.subject
    # Bravo now sees the question and its answer.
    assert list(questions_visible_to(actor_of(world.bidder_b), open_request)) == [question]


def test_a_shared_question_is_not_shown_to_others_before_it_is_answered(world, open_request):
    question = ask(world.bidder_a, open_request)
    Question.objects.filter(pk=question.pk).update(shared=True)

    assert list(questions_visible_to(actor_of(world.bidder_b), open_request)) == []


@pytest.mark.parametrize("text", ["", "  "])
def test_an_empty_answer_is_refused(world, open_request, text):
    question = ask(world.bidder_a, open_request)

    with pytest.raises(DomainError) as refused:
        answer(world.officer_a, question, text=text)

    assert refused.value.field == "answer"
    question.refresh_from_db()
    assert question.answered_at is None
    assert not answered_emails().exists()


@pytest.mark.parametrize("who", ["commissioner_a", "officer_b", "bidder_a", "bidder_b", "admin"])
def test_only_the_boroughs_placement_officers_answer(world, open_request, who):
    question = ask(world.bidder_a, open_request)

    with pytest.raises(PermissionDenied):
        answer(getattr(world, who), question, shared=True)

    question.refresh_from_db()
    assert question.answered_at is None
    assert not answered_emails().exists()


def test_no_answer_after_the_deadline(world, open_request):
    question = ask(world.bidder_a, open_request)

    with (
        time_machine.travel(open_request.bid_deadline + timedelta(seconds=1), tick=False),
        pytest.raises(DomainError, match="only while bids are open"),
    ):
        answer(world.officer_a, question)

    question.refresh_from_db()
    assert question.answered_at is None
