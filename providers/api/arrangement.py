"""API view of the arrangement part: the arrangement of the caller's consortium (its legal
basis, dates, lots, openings and the conditions of membership in force), read only, for the
consortium's and its boroughs' clients and people. Providers read the lots through /lots/."""

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, permissions, serializers

from dps.api.schema import PROBLEM_MEDIA_TYPE, ProblemSerializer
from dps.tenancy import get_actor

from ..models import ConditionsVersion, Lot, Opening
from ..models.arrangement import Arrangement
from ..selectors.arrangement import arrangement_visible_to, conditions_in_force


class ConsortiumOrBorough(permissions.BasePermission):
    message = "Only the consortium and its boroughs can read the arrangement."

    def has_permission(self, request, view):
        actor = get_actor(request)
        return actor is not None and actor.consortium is not None


class ArrangementLotSerializer(serializers.ModelSerializer):
    class Meta:
        model = Lot
        fields = ["id", "code", "name"]


class OpeningSerializer(serializers.ModelSerializer):
    class Meta:
        model = Opening
        fields = ["opens_on", "closes_on", "awards_on"]


class ConditionsSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConditionsVersion
        fields = ["number", "text", "in_force_from", "reason"]


class ArrangementSerializer(serializers.ModelSerializer):
    lots = serializers.SerializerMethodField()
    openings = OpeningSerializer(many=True, read_only=True)
    conditions_in_force = serializers.SerializerMethodField()

    class Meta:
        model = Arrangement
        fields = [
            "basis",
            "title",
            "description",
            "starts_on",
            "ends_on",
            "decision_days",
            "light_touch_threshold",
            "vat_percent",
            "lots",
            "openings",
            "conditions_in_force",
        ]

    @extend_schema_field(ArrangementLotSerializer(many=True))
    def get_lots(self, arrangement):
        lots = Lot.objects.filter(consortium_id=arrangement.consortium_id, is_active=True)
        return ArrangementLotSerializer(lots.order_by("position", "pk"), many=True).data

    @extend_schema_field(ConditionsSerializer(allow_null=True))
    def get_conditions_in_force(self, arrangement):
        version = conditions_in_force(arrangement)
        return ConditionsSerializer(version).data if version else None


class ArrangementDetail(generics.RetrieveAPIView):
    """The arrangement of the caller's consortium; 404 until the consortium admin sets it up."""

    serializer_class = ArrangementSerializer
    permission_classes = [*generics.RetrieveAPIView.permission_classes, ConsortiumOrBorough]

    @extend_schema(
        responses={
            200: ArrangementSerializer,
            (404, PROBLEM_MEDIA_TYPE): OpenApiResponse(
                ProblemSerializer, description="The consortium has no arrangement set up yet."
            ),
        }
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_object(self):
        arrangement = arrangement_visible_to(get_actor(self.request))
        if arrangement is None:
            raise Http404
        return arrangement


urlpatterns = [path("arrangement/", ArrangementDetail.as_view(), name="arrangement")]
