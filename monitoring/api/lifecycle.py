"""A placement's life over the API: its timeline of events, read by the borough and the
provider; reviews, fee changes, the ending and spot purchases, recorded by the borough's
placement officers and case systems with the write scope."""

from decimal import Decimal

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from dps.tenancy import get_actor
from placements.api.common import (
    IsBorough,
    IsBoroughOrProvider,
    SaneDateField,
    object_id,
    status_field,
    text,
    validated,
)
from placements.api.placements import serializers as placement_serializers
from placements.models import Fee
from placements.selectors import placements_visible_to
from providers.needs import DOMAINS, INDICATOR_CODES, MAX_SCORE

from .. import access
from ..models import EducationStatus, PlacementReview
from ..selectors.lifecycle import placement_events
from ..services import lifecycle as services
from ..ssda903_codes import END_REASONS

READERS = [*APIView.permission_classes, IsBoroughOrProvider]
PROGRESS_VALUES = ", ".join(f"`{value}`" for value in PlacementReview.Progress.values)
EDUCATION_VALUES = ", ".join(f"`{value}`" for value in EducationStatus.values)
DOMAIN_VALUES = ", ".join(f"`{code}`" for code, _ in DOMAINS)


class EventSerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text="One of `award`, `spot`, `start`, `review`, `fee_change`, `end`."
    )
    date = serializers.DateField()
    title = serializers.CharField()
    summary = serializers.CharField()
    by = serializers.CharField(help_text="Who recorded it (blank if unknown).")
    object_id = serializers.IntegerField(
        allow_null=True, help_text="The review's or fee change's id."
    )
    detail = serializers.DictField(help_text="The event's own fields.")


class OutcomeProgressSerializer(serializers.Serializer):
    progress = serializers.CharField(max_length=20, help_text=f"One of {PROGRESS_VALUES}.")
    note = text(max_length=2000)


class ReviewWriteSerializer(serializers.Serializer):
    review_date = SaneDateField()
    needs = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=MAX_SCORE),
        help_text="Each of the twelve needs scored 0 to 3: "
        + ", ".join(f"`{code}`" for code in INDICATOR_CODES)
        + ".",
    )
    outcomes_progress = serializers.DictField(
        child=OutcomeProgressSerializer(),
        required=False,
        help_text=f"Per outcome domain ({DOMAIN_VALUES}): the progress and a note. Required for "
        "each desired outcome of the request.",
    )
    education_status = serializers.CharField(max_length=20, help_text=f"One of {EDUCATION_VALUES}.")
    attendance_percent = serializers.IntegerField(
        min_value=0, max_value=100, required=False, allow_null=True
    )
    notes = text()


class ReviewSerializer(serializers.ModelSerializer):
    education_status = status_field(EducationStatus.choices)
    outcomes_progress = serializers.DictField(child=OutcomeProgressSerializer(), read_only=True)
    needs = serializers.DictField(child=serializers.IntegerField(), read_only=True)

    class Meta:
        model = PlacementReview
        fields = [
            "id",
            "placement",
            "review_date",
            "needs",
            "needs_total",
            "outcomes_progress",
            "education_status",
            "attendance_percent",
            "notes",
            "recorded_at",
        ]
        read_only_fields = fields


class FeeChangeWriteSerializer(serializers.Serializer):
    effective_date = SaneDateField()
    weekly_fee = serializers.DecimalField(
        max_digits=9, decimal_places=2, min_value=Decimal("0.01"), coerce_to_string=True
    )
    reason = serializers.CharField(max_length=5000)
    kind = serializers.ChoiceField(
        choices=services.CHANGE_KINDS,
        default=Fee.Kind.OTHER,
        help_text="Why the fee changes: an uplift, additional support (such as 1:1 staffing "
        "hours), a change of needs, or another change.",
    )


class FeeChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Fee
        fields = [
            "id",
            "placement",
            "kind",
            "effective_date",
            "ends",
            "weekly_fee",
            "reason",
            "recorded_at",
        ]
        read_only_fields = fields


class EndWriteSerializer(serializers.Serializer):
    end_date = SaneDateField()
    planned = serializers.BooleanField()
    reason = serializers.CharField(
        max_length=10,
        help_text="A DfE SSDA903 code: a reason the episode ceased (REC, e.g. `E4A`) or for a "
        "change of placement (REASON_PLACE_CHANGE, e.g. `CARPL`). One of "
        + ", ".join(f"`{code}`" for code in END_REASONS)
        + ".",
    )
    destination = text(max_length=200)


class SpotWriteSerializer(serializers.Serializer):
    child_reference = serializers.CharField(max_length=40)
    service = object_id(
        required=False, allow_null=True, help_text="A service of a provider on the DPS."
    )
    spot_provider_name = text(
        max_length=200, help_text="The provider's name, when it is not on the DPS."
    )
    lot = object_id(required=False, allow_null=True)
    start_date = SaneDateField()
    planned_end_date = SaneDateField(required=False, allow_null=True)
    weekly_fee = serializers.DecimalField(
        max_digits=9, decimal_places=2, min_value=Decimal("0.01"), coerce_to_string=True
    )
    user_choice = serializers.BooleanField(
        required=False,
        default=False,
        help_text="A direct award chosen by the child or family (a user choice contract, "
        "Procurement Act 2023 Sch. 5 para. 15).",
    )
    user_choice_grounds = text(max_length=2000, help_text="Why they chose this provider.")


def _placement(request, pk):
    """The placement the caller reads (404 otherwise). Whether it may record on it the service
    decides, once the input is checked."""
    actor = get_actor(request)
    return actor, access.get_placement_for_actor(actor, pk)


def _placement_answer(request, actor, pk, code=status.HTTP_200_OK):
    placement = placements_visible_to(actor).get(pk=pk)
    data = placement_serializers.PlacementSerializer(placement, context={"request": request}).data
    return Response(data, status=code)


class PlacementEvents(APIView):
    permission_classes = READERS

    @extend_schema(
        responses=EventSerializer(many=True),
        summary="The placement's timeline: award, start, reviews, fee changes and ending",
    )
    def get(self, request, pk):
        actor, placement = _placement(request, pk)
        events = placement_events(placement, for_borough=actor.is_borough)
        return Response(EventSerializer(events, many=True).data)


class PlacementReviewCreate(APIView):
    permission_classes = READERS

    @extend_schema(
        request=ReviewWriteSerializer,
        responses={201: ReviewSerializer},
        summary="Record a review: the twelve needs re-scored, outcomes progress, education",
    )
    def post(self, request, pk):
        actor, placement = _placement(request, pk)
        data = validated(ReviewWriteSerializer, request.data)
        data.setdefault("outcomes_progress", {})
        review = services.review_record(actor=actor, placement=placement, **data)
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class PlacementFeeChangeCreate(APIView):
    permission_classes = READERS

    @extend_schema(
        request=FeeChangeWriteSerializer,
        responses={201: FeeChangeSerializer},
        summary="Change the weekly fee from a date, past or future (a dated row of the schedule)",
    )
    def post(self, request, pk):
        actor, placement = _placement(request, pk)
        data = validated(FeeChangeWriteSerializer, request.data)
        change = services.fee_change_record(actor=actor, placement=placement, **data)
        return Response(FeeChangeSerializer(change).data, status=status.HTTP_201_CREATED)


class PlacementEnd(APIView):
    permission_classes = READERS

    @extend_schema(
        request=EndWriteSerializer,
        responses=placement_serializers.PlacementSerializer,
        summary="Record the ending: date, planned or not, DfE reason, destination",
    )
    def post(self, request, pk):
        actor, placement = _placement(request, pk)
        data = validated(EndWriteSerializer, request.data)
        services.placement_end_record(actor=actor, placement=placement, **data)
        return _placement_answer(request, actor, placement.pk)


class SpotPlacementCreate(APIView):
    permission_classes = [*APIView.permission_classes, IsBorough]

    @extend_schema(
        request=SpotWriteSerializer,
        responses={201: placement_serializers.PlacementSerializer},
        summary="Record a placement bought outside the DPS (a spot purchase)",
    )
    def post(self, request):
        actor = get_actor(request)
        data = validated(SpotWriteSerializer, request.data)
        placement = services.spot_placement_create(actor=actor, **data)
        return _placement_answer(request, actor, placement.pk, status.HTTP_201_CREATED)


urlpatterns = [
    path("placements/<int:pk>/events/", PlacementEvents.as_view(), name="placement-events"),
    path("placements/<int:pk>/reviews/", PlacementReviewCreate.as_view(), name="placement-reviews"),
    path(
        "placements/<int:pk>/fee-changes/",
        PlacementFeeChangeCreate.as_view(),
        name="placement-fee-changes",
    ),
    path("placements/<int:pk>/end/", PlacementEnd.as_view(), name="placement-end"),
    path("spot-placements/", SpotPlacementCreate.as_view(), name="spot-placements"),
]
