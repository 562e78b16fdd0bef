"""The provider's side: its invitations ("opportunities"), questions, bids.

An opportunity is the provider's invitation to a request, with the request's anonymised
profile. The child's story and the other free text about them are read from
/opportunities/{id}/story/ once the provider is shortlisted; each read is audited (so the
list and detail never carry them).

Bids are sealed: a provider reads only its own; a borough reads the bids of its requests
once they have closed (and nothing of them before: a sealed bid is a 404 like any other), but
never a bid its provider withdrew."""

import django_filters
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from dps.tenancy import get_actor, get_or_404

from ...access import get_bid_for_actor, get_invitation_for_actor
from ...models import Bid, PlacementRequest, ProviderInvitation, Question
from ...selectors.bids import bids_readable_by, bids_visible_to
from ...selectors.invitations import invitations_visible_to, opportunities_of
from ...selectors.questions import questions_visible_to
from ...selectors.story import story_released_to
from ...services import bids as bid_services
from ...services import questions as question_services
from ...services.story import story_view
from ..common import MAX_ID, IsProvider, ProvidersWrite, validated
from . import serializers as s

PROVIDERS = [*APIView.permission_classes, IsProvider]
READ_BOTH_WRITE_PROVIDER = [*APIView.permission_classes, ProvidersWrite]


class OpportunityFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        field_name="request__status",
        choices=PlacementRequest.Status.choices,
        label="The request's status (e.g. `open` for those still taking bids).",
    )

    class Meta:
        model = ProviderInvitation
        fields = ["status"]


class OpportunityList(generics.ListAPIView):
    """The requests the caller's provider is invited to, newest first, each with its
    anonymised profile and the provider's bid (if any)."""

    serializer_class = s.OpportunitySerializer
    permission_classes = PROVIDERS
    filterset_class = OpportunityFilter

    def get_queryset(self):
        return opportunities_of(get_actor(self.request))


def _opportunity(request, pk, *, write=False):
    return get_invitation_for_actor(get_actor(request), pk, write=write, as_opportunity=True)


class OpportunityDetail(APIView):
    permission_classes = PROVIDERS

    @extend_schema(
        responses=s.OpportunityDetailSerializer,
        summary="An invitation, with the request's anonymised profile",
    )
    def get(self, request, pk):
        actor = get_actor(request)
        invitation = _opportunity(request, pk)
        bid_services.invitation_mark_viewed(invitation=invitation)
        invitation.story_released = story_released_to(actor, invitation.request)
        return Response(s.OpportunityDetailSerializer(invitation).data)


class OpportunityStory(APIView):
    permission_classes = PROVIDERS

    @extend_schema(
        responses=s.StorySerializer,
        summary="The child's story and the free text about them (shortlisted providers only)",
        description="Released once the provider is shortlisted (after the award, to the "
        "winner alone); 403 otherwise. Each read is recorded in the audit log.",
    )
    def get(self, request, pk):
        invitation = _opportunity(request, pk)
        story = story_view(actor=get_actor(request), placement_request=invitation.request)
        return Response(s.StorySerializer(story).data)


class OpportunityDecline(APIView):
    permission_classes = PROVIDERS

    @extend_schema(
        request=s.DeclineSerializer,
        responses=s.OpportunityDetailSerializer,
        summary="Say the provider will not bid (withdraw any bid first)",
    )
    def post(self, request, pk):
        actor = get_actor(request)
        invitation = _opportunity(request, pk, write=True)
        data = validated(s.DeclineSerializer, request.data)
        bid_services.invitation_decline(
            actor=actor, invitation=invitation, reason=data.get("reason", "")
        )
        invitation = _opportunity(request, pk)
        invitation.story_released = story_released_to(actor, invitation.request)
        return Response(s.OpportunityDetailSerializer(invitation).data)


class OpportunityQuestions(generics.ListAPIView):
    """The provider's own questions on the request, and the answers the borough shared with
    every invited provider (without saying who asked). Ask with POST while bids are open."""

    serializer_class = s.ProviderQuestionSerializer
    permission_classes = PROVIDERS
    queryset = Question.objects.none()  # for the schema; get_queryset scopes it

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        invitation = _opportunity(self.request, self.kwargs["pk"])
        return questions_visible_to(get_actor(self.request), invitation.request)

    @extend_schema(
        request=s.AskSerializer,
        responses={201: s.ProviderQuestionSerializer},
        summary="Ask the borough a question about the request",
    )
    def post(self, request, pk):
        invitation = _opportunity(request, pk, write=True)
        data = validated(s.AskSerializer, request.data)
        question = question_services.question_ask(
            actor=get_actor(request),
            placement_request=invitation.request,
            text=data.get("text", ""),
        )
        return Response(
            s.ProviderQuestionSerializer(question, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


# --- Bids ----------------------------------------------------------------------------------


def filter_request(queryset, name, value):
    try:
        request_id = int(value)
    except ValueError:
        return queryset.none()
    if not 0 < request_id <= MAX_ID:
        return queryset.none()
    return queryset.filter(request_id=request_id)


class BidFilter(django_filters.FilterSet):
    request = django_filters.CharFilter(method=filter_request, label="The request's id.")
    status = django_filters.ChoiceFilter(choices=Bid.Status.choices)

    class Meta:
        model = Bid
        fields = ["request", "status"]


BID_CHANGE_FIELDS = (
    "service",
    "core_weekly_fee",
    "extra_staffing_hours",
    "extra_staffing_cost",
    "start_date",
    "needs_met",
    "volume_discount",
)


def _bid_data(request, bid):
    bid = bids_visible_to(get_actor(request)).get(pk=bid.pk)
    return s.BidSerializer(bid, context={"request": request}).data


class BidList(generics.ListAPIView):
    """Bids the caller may read: a provider's own; a borough's, those on its requests that have
    closed (none before the deadline). A provider bids with POST: one bid per request, so a
    POST for a request it already bid on changes that bid (200), and after withdrawing bids
    again."""

    serializer_class = s.BidSerializer
    permission_classes = READ_BOTH_WRITE_PROVIDER
    filterset_class = BidFilter

    def get_queryset(self):
        return bids_readable_by(get_actor(self.request))

    @extend_schema(
        request=s.BidInputSerializer,
        responses={201: s.BidSerializer, 200: s.BidSerializer},
        summary="Bid on an invitation (or change the bid already made on it)",
        description="Accepted only before the deadline: the check is made when the bid is "
        "saved, so a bid sent after it is refused with a 400 that says when it passed.",
    )
    def post(self, request):
        actor = get_actor(request)
        data = dict(validated(s.BidInputSerializer, request.data))
        invitation = invitations_visible_to(actor).filter(pk=data.pop("invitation")).first()
        if invitation is None:
            raise serializers.ValidationError(
                {"invitation": ["Choose one of your organisation's invitations."]}
            )
        existed = Bid.objects.filter(
            request_id=invitation.request_id, provider_id=invitation.provider_id
        ).exists()
        bid = bid_services.bid_save(actor=actor, invitation=invitation, **data)
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(_bid_data(request, bid), status=code)


class BidDetail(APIView):
    permission_classes = READ_BOTH_WRITE_PROVIDER

    @extend_schema(responses=s.BidSerializer, summary="A bid")
    def get(self, request, pk):
        bid = get_bid_for_actor(get_actor(request), pk)
        return Response(s.BidSerializer(bid, context={"request": request}).data)

    @extend_schema(
        request=s.BidChangeSerializer,
        responses=s.BidSerializer,
        summary="Change the bid (before the deadline); the fields left out stay as they are",
    )
    def patch(self, request, pk):
        actor = get_actor(request)
        bid = get_bid_for_actor(actor, pk, write=True)
        data = validated(s.BidChangeSerializer, request.data, partial=True)
        fields = {name: getattr(bid, name) for name in BID_CHANGE_FIELDS}
        fields["service"] = bid.service_id
        fields.update(data)
        invitation = get_or_404(
            invitations_visible_to(actor), request_id=bid.request_id, provider_id=bid.provider_id
        )
        bid = bid_services.bid_save(actor=actor, invitation=invitation, **fields)
        return Response(_bid_data(request, bid))


class BidWithdraw(APIView):
    permission_classes = PROVIDERS

    @extend_schema(request=None, responses=s.BidSerializer, summary="Withdraw the bid")
    def post(self, request, pk):
        bid = get_bid_for_actor(get_actor(request), pk, write=True)
        bid = bid_services.bid_withdraw(actor=get_actor(request), bid=bid)
        return Response(_bid_data(request, bid))


class BidConfirm(APIView):
    permission_classes = PROVIDERS

    @extend_schema(
        request=None,
        responses=s.BidSerializer,
        summary="Confirm the bid still stands after the request's terms changed",
    )
    def post(self, request, pk):
        bid = get_bid_for_actor(get_actor(request), pk, write=True)
        bid = bid_services.bid_confirm(actor=get_actor(request), bid=bid)
        return Response(_bid_data(request, bid))


urlpatterns = [
    path("opportunities/", OpportunityList.as_view(), name="opportunities"),
    path("opportunities/<int:pk>/", OpportunityDetail.as_view(), name="opportunity"),
    path("opportunities/<int:pk>/story/", OpportunityStory.as_view(), name="opportunity-story"),
    path(
        "opportunities/<int:pk>/decline/", OpportunityDecline.as_view(), name="opportunity-decline"
    ),
    path(
        "opportunities/<int:pk>/questions/",
        OpportunityQuestions.as_view(),
        name="opportunity-questions",
    ),
    path("bids/", BidList.as_view(), name="bids"),
    path("bids/<int:pk>/", BidDetail.as_view(), name="bid"),
    path("bids/<int:pk>/withdraw/", BidWithdraw.as_view(), name="bid-withdraw"),
    path("bids/<int:pk>/confirm/", BidConfirm.as_view(), name="bid-confirm"),
]
