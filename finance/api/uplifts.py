"""API of the fee uplifts: the rounds the caller may see; uplift requests in the caller's
own tenancy (a provider's own, a borough's for its placements, the consortium's), with their
lines; a provider's request (idempotent: asking again exactly as before answers with the
requests made then; an Idempotency-Key header is honoured too); a decision."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from dps.tenancy import get_actor

from ..access import (
    get_round_for_actor,
    get_uplift_request_for_actor,
    rounds_visible_to,
    uplift_requests_visible_to,
)
from ..models import UpliftLine, UpliftRequest, UpliftRound
from ..services.uplifts import DECISIONS, uplift_decide, uplift_request_submit

# --- Output ---------------------------------------------------------------------------------


class UpliftRoundSerializer(serializers.ModelSerializer):
    lots: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = UpliftRound
        fields = [
            "id",
            "name",
            "percent",
            "effective_date",
            "requests_close",
            "lots",
            "decided_by",
        ]


class UpliftLineSerializer(serializers.ModelSerializer):
    child_reference = serializers.CharField(source="placement.child_reference", read_only=True)

    class Meta:
        model = UpliftLine
        fields = ["placement", "child_reference", "fee_before", "fee_asked", "fee_agreed", "fee"]


class UpliftRequestSerializer(serializers.ModelSerializer):
    evidence = serializers.SerializerMethodField()
    # A plain string, its values listed (an enum would collide with the other `status`es).
    status = serializers.CharField(
        read_only=True,
        help_text="One of " + ", ".join(f"`{v}`" for v in UpliftRequest.Status.values) + ".",
    )

    class Meta:
        model = UpliftRequest
        fields = [
            "id",
            "round",
            "provider",
            "borough",
            "percent",
            "reason",
            "evidence",
            "status",
            "agreed_percent",
            "decision_reason",
            "requested_at",
            "decided_at",
        ]

    def get_evidence(self, obj) -> bool:
        """Whether evidence was sent (downloaded from the request's page)."""
        return bool(obj.evidence)


class UpliftRequestDetailSerializer(UpliftRequestSerializer):
    lines = UpliftLineSerializer(many=True, read_only=True)

    class Meta(UpliftRequestSerializer.Meta):
        fields = [*UpliftRequestSerializer.Meta.fields, "lines"]


# --- Input ----------------------------------------------------------------------------------


class UpliftRequestInput(serializers.Serializer):
    round = serializers.IntegerField()
    reason = serializers.CharField(allow_blank=True)
    percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True
    )
    placements = serializers.ListField(child=serializers.IntegerField(), required=False)
    services = serializers.ListField(child=serializers.IntegerField(), required=False)
    evidence = serializers.FileField(
        required=False,
        help_text="Needed to ask for more than the round's percentage (send multipart/form-data).",
    )


class UpliftDecideInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=list(DECISIONS))
    agreed_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True
    )
    placements = serializers.ListField(
        child=serializers.IntegerField(), required=False, allow_null=True
    )
    reason = serializers.CharField(required=False, allow_blank=True, default="")


# --- Views ----------------------------------------------------------------------------------


@extend_schema(summary="The uplift rounds you can see")
class RoundList(generics.ListAPIView):
    serializer_class = UpliftRoundSerializer

    def get_queryset(self):
        return rounds_visible_to(get_actor(self.request)).prefetch_related("lots")


class RequestList(generics.ListAPIView):
    """Your uplift requests (a provider's own; a borough's for its placements; the
    consortium's); POST to ask for an uplift."""

    serializer_class = UpliftRequestSerializer
    # JSON, or multipart/form-data to attach evidence.
    parser_classes = [JSONParser, MultiPartParser]

    def get_queryset(self):
        return uplift_requests_visible_to(get_actor(self.request))

    @extend_schema(
        request=UpliftRequestInput,
        responses={
            201: UpliftRequestDetailSerializer(many=True),
            200: UpliftRequestDetailSerializer(many=True),
        },
        summary="Ask for an uplift: one request per borough whose placements it covers",
    )
    def post(self, request):
        actor = get_actor(request)
        data = UpliftRequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        round_ = get_round_for_actor(actor, fields.pop("round"))
        submitted = uplift_request_submit(actor=actor, round=round_, replay=True, **fields)
        return Response(
            UpliftRequestDetailSerializer(submitted.requests, many=True).data,
            status=status.HTTP_201_CREATED if submitted.created else status.HTTP_200_OK,
        )


@extend_schema(summary="One uplift request, with its placements' fees")
class RequestDetail(generics.RetrieveAPIView):
    serializer_class = UpliftRequestDetailSerializer

    def get_queryset(self):
        return uplift_requests_visible_to(get_actor(self.request)).prefetch_related(
            "lines__placement"
        )


class RequestDecide(APIView):
    @extend_schema(
        request=UpliftDecideInput,
        responses=UpliftRequestDetailSerializer,
        summary="Agree, agree in part or refuse an uplift request",
    )
    def post(self, request, pk):
        actor = get_actor(request)
        found = get_uplift_request_for_actor(actor, pk)
        data = UpliftDecideInput(data=request.data)
        data.is_valid(raise_exception=True)
        decision = uplift_decide(actor=actor, request=found, **data.validated_data)
        return Response(UpliftRequestDetailSerializer(decision.request).data)


urlpatterns = [
    path("uplift-rounds/", RoundList.as_view(), name="uplift-rounds"),
    path("uplift-requests/", RequestList.as_view(), name="uplift-requests"),
    path("uplift-requests/<int:pk>/", RequestDetail.as_view(), name="uplift-request"),
    path("uplift-requests/<int:pk>/decide/", RequestDecide.as_view(), name="uplift-request-decide"),
]
