"""API views of the quality part, and their routes (included by providers/api/urls.py).

Quality score snapshots, read only: a provider reads its own; boroughs and consortium admins
read their consortium's snapshots of the providers enrolled (active) on its lots."""

import django_filters
from django import forms
from django.urls import path
from drf_spectacular.utils import extend_schema_field
from rest_framework import generics, serializers

from dps.tenancy import get_actor

from ..models import QualityScore
from ..selectors.quality import quality_scores_visible_to, score_breakdown

MAX_ID = 2**63 - 1


class IdFilter(django_filters.Filter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=MAX_ID, **kwargs)


class BreakdownPartSerializer(serializers.Serializer):
    name = serializers.ChoiceField(
        choices=["inspection", "outcomes", "compliance", "responsiveness"]
    )
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label
    value = serializers.DecimalField(max_digits=5, decimal_places=2, help_text="0 to 100.")
    weight = serializers.IntegerField(help_text="The part's weight, in percent.")
    contribution = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        help_text="What the part adds to the total: weight x value / 100, rounded half up.",
    )
    basis = serializers.CharField(help_text="What the part was computed from, in words.")


class WeightsSerializer(serializers.Serializer):
    inspection = serializers.IntegerField()
    outcomes = serializers.IntegerField()
    compliance = serializers.IntegerField()
    responsiveness = serializers.IntegerField()


class QualityScoreSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    consortium_name = serializers.CharField(source="consortium.name", read_only=True)
    weights = WeightsSerializer(read_only=True)
    inputs = serializers.JSONField(
        read_only=True,
        help_text="Everything the parts were computed from: each service's rating and places, "
        "each mandatory document's status and expiry, the source of each neutral part.",
    )
    breakdown = serializers.SerializerMethodField()

    class Meta:
        model = QualityScore
        fields = [
            "id",
            "provider",
            "provider_name",
            "consortium",
            "consortium_name",
            "computed_at",
            "trigger",
            "total",
            "inspection",
            "outcomes",
            "compliance",
            "responsiveness",
            "weights",
            "breakdown",
            "inputs",
        ]
        read_only_fields = fields

    @extend_schema_field(BreakdownPartSerializer(many=True))
    def get_breakdown(self, score):
        return BreakdownPartSerializer(score_breakdown(score), many=True).data


class QualityScoreFilter(django_filters.FilterSet):
    provider = IdFilter(field_name="provider_id", label="A provider's id")
    consortium = IdFilter(field_name="consortium_id", label="A consortium's id")

    class Meta:
        model = QualityScore
        fields: list[str] = []


class QualityScoreList(generics.ListAPIView):
    """Quality score snapshots, newest first, each with its breakdown and inputs. A provider
    sees its own; a borough its consortium's snapshots of the providers enrolled on its lots."""

    serializer_class = QualityScoreSerializer
    filterset_class = QualityScoreFilter

    def get_queryset(self):
        return quality_scores_visible_to(get_actor(self.request))


urlpatterns = [
    path("quality-scores/", QualityScoreList.as_view(), name="quality-scores"),
]
