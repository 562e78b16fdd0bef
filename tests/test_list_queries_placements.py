"""The placements pages and endpoints that list a record's rows answer in a fixed number of
queries however many rows there are: a request's invitations, questions, readers of the story
and history; its bids on the shortlist and in the evaluation; an invitation's services and
questions; a placement's timeline. Also the home dashboards' tables of requests."""

from datetime import timedelta
from itertools import count

import pytest
from django.utils import timezone

from dps.models import AuditEvent
from placements.models import (
    Bid,
    Evaluation,
    Placement,
    PlacementRequest,
    ProviderInvitation,
    Question,
    RequestTransition,
)
from tests.factories import LotFactory, ProviderFactory, ServiceFactory, UserFactory
from tests.list_queries import assert_queries_do_not_grow, label

Status = PlacementRequest.Status


def request_of(world, status=Status.OPEN):
    now = timezone.now()
    closed = status not in (Status.DRAFT, Status.OPEN)
    return PlacementRequest.objects.create(
        borough=world.borough_a,
        lot=LotFactory(consortium=world.consortium),
        status=status,
        age=14,
        gender="female",
        published_at=now,
        bid_deadline=now + timedelta(days=-1 if closed else 1),
        closed_at=now if closed else None,
    )


# --- A borough's request ---------------------------------------------------------------------


def request_rows(placement_request, n):
    """n providers invited to the request, each asking a question and reading the story, and
    n changes of state, each by a different officer."""
    shown = []
    for _ in range(n):
        provider = ProviderFactory(name=label("Invited Care"))
        ProviderInvitation.objects.create(request=placement_request, provider=provider)
        question = Question.objects.create(
            request=placement_request, provider=provider, text=label("Question"), asked_by=None
        )
        officer = UserFactory(full_name=label("Officer"))
        transition = RequestTransition.objects.create(
            request=placement_request,
            from_status=Status.DRAFT,
            to_status=Status.OPEN,
            actor=officer,
            actor_label=officer.full_name,
            reason=label("Reason"),
        )
        reader = label("Reader")
        AuditEvent.objects.create(
            actor_label=reader,
            organisation=provider,
            action="request.story_viewed",
            object_type=PlacementRequest._meta.label,
            object_id=str(placement_request.pk),
        )
        shown += [provider.name, question.text, officer.full_name, transition.reason, reader]
    return shown


def request_page(world):
    placement_request = request_of(world)

    def more(n):
        return request_rows(placement_request, n)

    return f"/requests/{placement_request.pk}/", more


def request_endpoint(world):
    placement_request = request_of(world)

    def more(n):
        shown = request_rows(placement_request, n)
        # The API gives the invited providers and the history (questions have their own list).
        return [text for text in shown if not text.startswith(("Question", "Reader"))]

    return f"/api/v1/requests/{placement_request.pk}/", more


def request_questions_endpoint(world):
    placement_request = request_of(world)

    def more(n):
        # Before the deadline the borough sees the questions, not who asked them.
        return [text for text in request_rows(placement_request, n) if text.startswith("Question")]

    return f"/api/v1/requests/{placement_request.pk}/questions/", more


# --- The bids of a closed request --------------------------------------------------------------


def bid_rows(placement_request, n, ranks):
    """n bids from as many providers: valid and ranked, with every third set aside as invalid."""
    shown = []
    now = timezone.now()
    for i in range(n):
        provider = ProviderFactory(name=label("Bidding Care"))
        service = ServiceFactory(provider=provider, name=label("Home"))
        invalid = i % 3 == 2
        Bid.objects.create(
            request=placement_request,
            provider=provider,
            service=service,
            status=Bid.Status.INVALID if invalid else Bid.Status.SUBMITTED,
            invalid_reason="Over the budget" if invalid else "",
            core_weekly_fee=3000,
            weekly_fee=3000,
            start_date=now.date(),
            submitted_at=now,
            rank=None if invalid else next(ranks),
            price_score=50,
            quality_score=50,
            needs_fit_score=50,
            total_score=50,
        )
        shown += [provider.name, service.name]
    return shown


def closed_request(world):
    placement_request = request_of(world, Status.CLOSED)
    Evaluation.objects.create(
        request=placement_request, weights={"quality": 40, "price": 40, "needs_fit": 20}
    )
    return placement_request


def shortlist_page(world):
    placement_request = closed_request(world)
    ranks = count(1)
    return f"/requests/{placement_request.pk}/shortlist/", (
        lambda n: bid_rows(placement_request, n, ranks)
    )


def award_page(world):
    """The award form offers each ranked bid of a shortlisted request."""
    placement_request = closed_request(world)
    placement_request.status = Status.SHORTLISTED
    placement_request.save(update_fields=["status"])
    ranks = count(1)

    def more(n):
        shown = bid_rows(placement_request, n, ranks)
        # Invalid bids are not offered: keep the names of the valid ones only.
        valid = Bid.objects.filter(request=placement_request, status=Bid.Status.SUBMITTED)
        names = set(valid.values_list("provider__name", flat=True))
        return [text for text in shown if text in names]

    return f"/requests/{placement_request.pk}/award/", more


def evaluation_endpoint(world):
    placement_request = closed_request(world)
    ranks = count(1)
    return f"/api/v1/requests/{placement_request.pk}/evaluation/", (
        lambda n: bid_rows(placement_request, n, ranks)
    )


# --- A provider's invitation -----------------------------------------------------------------


def invitation_rows(world, invitation, n, *, services=True, questions=True):
    """n of provider A's services invited, n of its questions, and n questions of other
    providers whose answers the borough shared."""
    shown = []
    for _ in range(n):
        if services:
            service = ServiceFactory(provider=world.provider_a, name=label("Alpha Home"))
            invitation.services.add(service)
            shown.append(service.name)
        if questions:
            own = Question.objects.create(
                request=invitation.request, provider=world.provider_a, text=label("We ask")
            )
            shared = Question.objects.create(
                request=invitation.request,
                provider=ProviderFactory(),
                text=label("They ask"),
                answer=label("Answer"),
                answered_at=timezone.now(),
                shared=True,
            )
            shown += [own.text, shared.text, shared.answer]
    return shown


def invitation_of_provider_a(world):
    return ProviderInvitation.objects.create(request=request_of(world), provider=world.provider_a)


def opportunity_page(world):
    invitation = invitation_of_provider_a(world)
    return f"/opportunities/{invitation.pk}/", lambda n: invitation_rows(world, invitation, n)


def opportunity_endpoint(world):
    invitation = invitation_of_provider_a(world)
    return f"/api/v1/opportunities/{invitation.pk}/", (
        lambda n: invitation_rows(world, invitation, n, questions=False)
    )


def opportunity_questions_endpoint(world):
    invitation = invitation_of_provider_a(world)
    return f"/api/v1/opportunities/{invitation.pk}/questions/", (
        lambda n: invitation_rows(world, invitation, n, services=False)
    )


# --- A placement's timeline ------------------------------------------------------------------


def placement_timeline(world, path):
    from monitoring.models import PlacementReview
    from placements.models import Fee

    placement = Placement.objects.create(
        borough=world.borough_a,
        provider=world.provider_a,
        service=ServiceFactory(provider=world.provider_a),
        lot=LotFactory(consortium=world.consortium),
        child_reference="C-1",
        weekly_fee=3000,
        start_date=timezone.localdate(),
        actual_start_date=timezone.localdate(),
        status=Placement.Status.STARTED,
    )

    def more(n):
        """n reviews and n fee changes, each recorded by a different officer."""
        shown = []
        for _ in range(n):
            review = PlacementReview.objects.create(
                placement=placement,
                review_date=timezone.localdate(),
                needs={},
                education_status="attending",
                notes=label("Review note"),
                recorded_by=UserFactory(full_name=label("Reviewer")),
            )
            change = Fee.objects.create(
                placement=placement,
                kind=Fee.Kind.OTHER,
                effective_date=timezone.localdate(),
                weekly_fee=3100,
                reason=label("Fee reason"),
                recorded_by=UserFactory(full_name=label("Recorder")),
            )
            shown += [review.notes, change.reason]
        return shown

    return path.format(pk=placement.pk), more


def placement_page(world):
    return placement_timeline(world, "/placements/{pk}/")


def placement_events_endpoint(world):
    return placement_timeline(world, "/api/v1/placements/{pk}/events/")


# --- The home dashboards -------------------------------------------------------------------


def borough_home(world):
    """The borough's open requests closing soonest (five of them): the newest close first."""
    deadlines = count(0)
    now = timezone.now()

    def more(n):
        made = []
        for _ in range(n):
            made.append(
                PlacementRequest.objects.create(
                    borough=world.borough_a,
                    lot=LotFactory(consortium=world.consortium, name=label("Open lot")),
                    reference=label("REF"),
                    status=Status.OPEN,
                    bid_deadline=now + timedelta(days=30) - timedelta(hours=next(deadlines)),
                )
            )
        return [f"{r.reference}</a>" for r in made[-5:]] + [r.lot.name for r in made[-5:]]

    return "/", more


def provider_home(world):
    """Provider A's open invitations closing soonest (five of them): the newest close first."""
    deadlines = count(0)
    now = timezone.now()

    def more(n):
        made = []
        for _ in range(n):
            placement_request = PlacementRequest.objects.create(
                borough=world.borough_a,
                lot=LotFactory(consortium=world.consortium, name=label("Invited lot")),
                status=Status.OPEN,
                age=14,
                gender="female",
                published_at=now,
                bid_deadline=now + timedelta(days=30) - timedelta(hours=next(deadlines)),
            )
            ProviderInvitation.objects.create(request=placement_request, provider=world.provider_a)
            made.append(placement_request)
        return [f"{r.lot.name}, request {r.pk}" for r in made[-5:]]

    return "/", more


# (persona, scenario, signed in with an API key of the persona's organisation)
SCENARIOS = [
    ("officer_a", request_page, False),
    ("officer_a", request_endpoint, True),
    ("officer_a", request_questions_endpoint, True),
    ("officer_a", shortlist_page, False),
    ("officer_a", award_page, False),
    ("officer_a", evaluation_endpoint, True),
    ("bidder_a", opportunity_page, False),
    ("bidder_a", opportunity_endpoint, True),
    ("bidder_a", opportunity_questions_endpoint, True),
    ("officer_a", placement_page, False),
    ("bidder_a", placement_page, False),
    ("officer_a", placement_events_endpoint, True),
    ("provider_admin_a", placement_events_endpoint, True),
    ("officer_a", borough_home, False),
    ("provider_admin_a", provider_home, False),
]


@pytest.mark.parametrize(
    ("persona", "scenario", "api_key"),
    SCENARIOS,
    ids=[f"{persona}-{scenario.__name__}" for persona, scenario, _ in SCENARIOS],
)
def test_a_list_answers_in_the_same_number_of_queries_for_more_rows(
    client, world, persona, scenario, api_key
):
    assert_queries_do_not_grow(client, world, persona, scenario, api_key)
