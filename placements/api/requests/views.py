"""The borough's side: its placement requests, from draft to award, the questions providers ask
on them, and the evaluation once bids are opened.

Boroughs only; commissioners read, placement officers and case systems with the write scope
write. Another borough's request is a 404. Before a request closes nothing here says anything
about its bids: the evaluation answers 409 whether or not there are any."""

import django_filters
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from dps.api.exceptions import problem
from dps.api.schema import PROBLEM_MEDIA_TYPE
from dps.tenancy import get_actor
from providers.selectors.arrangement import pending_applications

from ...access import get_bid_for_actor, get_question_for_actor, get_request_for_actor
from ...models import Bid, PlacementRequest, Question
from ...selectors.bids import bids_visible_to
from ...selectors.questions import questions_visible_to
from ...selectors.requests import requests_visible_to
from ...services import award as award_services
from ...services import questions as question_services
from ...services import requests as request_services
from ...services.transitions import SHORTLIST_SIZE
from ..bids.serializers import BidSerializer
from ..common import MAX_ID, SEALED_RESPONSE, IsBorough, Sealed, every_problem, validated
from ..placements.serializers import PlacementSerializer
from . import serializers as s

Status = PlacementRequest.Status
PERMISSIONS = [*APIView.permission_classes, IsBorough]


def filter_lot(queryset, name, value):
    """By lot id; an id that is not a number matches nothing (rather than a 400)."""
    try:
        lot_id = int(value)
    except ValueError:
        return queryset.none()
    if not 0 < lot_id <= MAX_ID:
        return queryset.none()
    return queryset.filter(lot_id=lot_id)


class RequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Status.choices)
    lot = django_filters.CharFilter(method=filter_lot, label="The lot's id.")

    class Meta:
        model = PlacementRequest
        fields = ["status", "lot"]


def _detail(placement_request, request):
    placement_request = (
        PlacementRequest.objects.select_related("lot")
        .prefetch_related("transitions")
        .get(pk=placement_request.pk)
    )
    return s.RequestSerializer(placement_request, context={"request": request}).data


class RequestList(generics.ListAPIView):
    """The caller's borough's requests, newest first. A placement officer or case system starts
    a draft with POST (send an Idempotency-Key to make a retry safe)."""

    serializer_class = s.RequestSummarySerializer
    permission_classes = PERMISSIONS
    filterset_class = RequestFilter

    def get_queryset(self):
        return requests_visible_to(get_actor(self.request))

    @extend_schema(
        request=s.RequestInputSerializer,
        responses={201: s.RequestSerializer},
        summary="Start a draft request (it may be incomplete)",
    )
    def post(self, request):
        data = validated(s.RequestInputSerializer, request.data)
        placement_request = request_services.request_create(actor=get_actor(request), **data)
        return Response(_detail(placement_request, request), status=status.HTTP_201_CREATED)


class RequestDetail(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(responses=s.RequestSerializer, summary="A request, as its borough reads it")
    def get(self, request, pk):
        return Response(_detail(get_request_for_actor(get_actor(request), pk), request))

    @extend_schema(
        request=s.RequestInputSerializer,
        responses=s.RequestSerializer,
        summary="Change a draft, or the terms of an open request",
        description="A draft changes freely. While open, a change to the terms (needs, dates, "
        "budget, location) asks the providers who bid to re-confirm, and the lot cannot change. "
        "An open request must stay complete: a 400 lists every problem by field.",
    )
    def patch(self, request, pk):
        placement_request = get_request_for_actor(get_actor(request), pk, write=True)
        data = validated(s.RequestInputSerializer, request.data, partial=True)
        every_problem(
            request_services.request_update,
            actor=get_actor(request),
            placement_request=placement_request,
            **data,
        )
        return Response(_detail(placement_request, request))


class RequestPublish(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        request=s.PublishInputSerializer,
        responses={
            200: s.PublishResultSerializer,
            (400, PROBLEM_MEDIA_TYPE): OpenApiResponse(
                s.NoEligibleProblemSerializer,
                description="The draft is incomplete, or no provider would be invited.",
            ),
        },
        summary="Publish a draft: invite and email the eligible providers",
        description="Refused with a 400 that lists every missing or wrong field when the draft "
        "is incomplete, and with a 400 that says why each provider on the lot would not be "
        "invited when none would be (send `confirm_no_eligible: true` to publish it all the "
        "same). Otherwise the request opens for bids; the answer says how many providers were "
        "invited and, per reason (and per need), how many on the lot were not.",
    )
    def post(self, request, pk):
        placement_request = get_request_for_actor(get_actor(request), pk, write=True)
        data = validated(s.PublishInputSerializer, request.data)
        try:
            eligibility = every_problem(
                request_services.request_publish,
                actor=get_actor(request),
                placement_request=placement_request,
                **data,
            )
        except request_services.NoEligibleProvider as exc:
            refused = problem(
                status.HTTP_400_BAD_REQUEST,
                f"{exc.message} {exc.eligibility.explain()}",
                {exc.field: [exc.message]},
            )
            refused.data |= {"invited": 0, **_not_invited(exc.eligibility)}
            return refused
        result = {
            "invited": len(eligibility.eligible),
            **_not_invited(eligibility),
            "request": _detail(placement_request, request),
        }
        return Response(result)


def _not_invited(eligibility):
    return {
        "not_invited": s.not_invited_rows(eligibility.reasons),
        "unmet_needs": s.unmet_need_rows(eligibility),
    }


class RequestCancel(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        request=s.CancelSerializer,
        responses=s.RequestSerializer,
        summary="Cancel a request (every bidder is told)",
    )
    def post(self, request, pk):
        placement_request = get_request_for_actor(get_actor(request), pk, write=True)
        data = validated(s.CancelSerializer, request.data)
        request_services.request_cancel(
            actor=get_actor(request), placement_request=placement_request, **data
        )
        return Response(_detail(placement_request, request))


class RequestReopen(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        request=s.ReopenSerializer,
        responses=s.RequestSerializer,
        summary="Re-open a request that had no suitable offer, with a new deadline",
    )
    def post(self, request, pk):
        placement_request = get_request_for_actor(get_actor(request), pk, write=True)
        data = validated(s.ReopenSerializer, request.data)
        request_services.request_reopen(
            actor=get_actor(request), placement_request=placement_request, **data
        )
        return Response(_detail(placement_request, request))


class RequestNoSuitableOffer(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        request=s.NoOfferReasonSerializer,
        responses=s.RequestSerializer,
        summary="End a closed request with no suitable offer (say why)",
    )
    def post(self, request, pk):
        placement_request = get_request_for_actor(get_actor(request), pk, write=True)
        data = validated(s.NoOfferReasonSerializer, request.data)
        request_services.request_no_suitable_offer(
            actor=get_actor(request),
            placement_request=placement_request,
            reason=data.get("reason", ""),
        )
        return Response(_detail(placement_request, request))


class RequestShortlist(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        request=None,
        responses=s.RequestSerializer,
        summary="Confirm the shortlist (the top three are told, and the story released to them)",
    )
    def post(self, request, pk):
        placement_request = get_request_for_actor(get_actor(request), pk, write=True)
        request_services.request_shortlist_confirm(
            actor=get_actor(request), placement_request=placement_request
        )
        return Response(_detail(placement_request, request))


class RequestEvaluation(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        responses={200: s.EvaluationSerializer, **SEALED_RESPONSE},
        summary="The evaluation: ranked bids with each score part, and the invalid ones",
        description="Only once the request has closed at its deadline. Before that the answer "
        "is a 409, whether or not any bid was made.",
    )
    def get(self, request, pk):
        actor = get_actor(request)
        placement_request = get_request_for_actor(actor, pk)
        evaluation = getattr(placement_request, "evaluation", None)
        if not placement_request.bids_unsealed or evaluation is None:
            raise Sealed()
        bids = bids_visible_to(actor).filter(request=placement_request)
        ranked = (
            bids.filter(status=Bid.Status.SUBMITTED, rank__isnull=False)
            .select_related("request__borough")
            .order_by("rank")
        )
        invalid = bids.filter(status=Bid.Status.INVALID).order_by("submitted_at", "id")
        data = {
            "request": placement_request.pk,
            "status": placement_request.status,
            "closed_at": placement_request.closed_at,
            "evaluated_at": evaluation.evaluated_at,
            "weights": evaluation.weights,
            "lowest_fee": evaluation.lowest_fee,
            "total_need_score": evaluation.total_need_score,
            "shortlist_size": SHORTLIST_SIZE,
            "ranked": ranked,
            "invalid": invalid,
            "pending_applications": pending_applications(placement_request.lot),
            "inputs": evaluation.inputs,
        }
        return Response(s.EvaluationSerializer(data, context={"request": request}).data)


class RequestAward(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        request=s.AwardSerializer,
        responses={201: PlacementSerializer},
        summary="Award a ranked bid: the placement and its IPA are made",
        description="The top-ranked bid needs no reason; any other needs one. A bid over the "
        "request's maximum weekly budget follows the lot's rule: `allowed_with_reason` needs a "
        "reason (a 400 on `reason` without one), `refused` cannot be awarded (a 400 on `bid`). "
        "Of two awards at once, one succeeds and the other is told the request is already "
        "awarded. The bidders' emails and the IPA's PDF are made after it, in the background.",
    )
    def post(self, request, pk):
        placement_request = get_request_for_actor(get_actor(request), pk, write=True)
        data = validated(s.AwardSerializer, request.data)
        placement = award_services.award(
            actor=get_actor(request),
            placement_request=placement_request,
            bid=data["bid"],
            reason=data.get("reason", ""),
            pending_applications_considered=data.get("pending_applications_considered", False),
        )
        return Response(
            PlacementSerializer(placement, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class RequestQuestions(generics.ListAPIView):
    """The questions invited providers asked on the request, with who asked and the answers."""

    serializer_class = s.QuestionSerializer
    permission_classes = PERMISSIONS
    queryset = Question.objects.none()  # for the schema; get_queryset scopes it

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        actor = get_actor(self.request)
        placement_request = get_request_for_actor(actor, self.kwargs["pk"])
        # Each question asks its request whether its asker may be shown yet.
        return questions_visible_to(actor, placement_request).select_related("request")


class QuestionAnswer(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        request=s.QuestionAnswerSerializer,
        responses=s.QuestionSerializer,
        summary="Answer a question, for the provider who asked or (shared) for every one",
    )
    def post(self, request, pk):
        actor = get_actor(request)
        question = get_question_for_actor(actor, pk, write=True)
        data = validated(s.QuestionAnswerSerializer, request.data)
        question = question_services.question_answer(actor=actor, question=question, **data)
        return Response(s.QuestionSerializer(question).data)


class YoungPersonView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        request=s.YoungPersonViewSerializer,
        responses=BidSerializer,
        summary="Record the young person's view of a shortlisted offer",
    )
    def post(self, request, pk):
        actor = get_actor(request)
        bid = get_bid_for_actor(actor, pk, write=True)
        data = validated(s.YoungPersonViewSerializer, request.data)
        bid = award_services.young_person_view_record(
            actor=actor, bid=bid, view=data.get("view", "")
        )
        bid = bids_visible_to(actor).get(pk=bid.pk)
        return Response(BidSerializer(bid, context={"request": request}).data)


urlpatterns = [
    path("requests/", RequestList.as_view(), name="requests"),
    path("requests/<int:pk>/", RequestDetail.as_view(), name="request"),
    path("requests/<int:pk>/publish/", RequestPublish.as_view(), name="request-publish"),
    path("requests/<int:pk>/cancel/", RequestCancel.as_view(), name="request-cancel"),
    path("requests/<int:pk>/reopen/", RequestReopen.as_view(), name="request-reopen"),
    path(
        "requests/<int:pk>/no-suitable-offer/",
        RequestNoSuitableOffer.as_view(),
        name="request-no-suitable-offer",
    ),
    path("requests/<int:pk>/shortlist/", RequestShortlist.as_view(), name="request-shortlist"),
    path("requests/<int:pk>/evaluation/", RequestEvaluation.as_view(), name="request-evaluation"),
    path("requests/<int:pk>/award/", RequestAward.as_view(), name="request-award"),
    path("requests/<int:pk>/questions/", RequestQuestions.as_view(), name="request-questions"),
    path("questions/<int:pk>/answer/", QuestionAnswer.as_view(), name="question-answer"),
    path(
        "bids/<int:pk>/young-person-view/",
        YoungPersonView.as_view(),
        name="bid-young-person-view",
    ),
]
