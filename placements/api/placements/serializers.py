"""What the API reads and writes of a placement: the borough's and the provider's own (the
reason for the award is the borough's alone)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ...models import Placement
from ..common import SaneDateField, context_actor, status_field


class PlacementSerializer(serializers.ModelSerializer):
    borough_name = serializers.CharField(source="borough.name")
    provider_name = serializers.CharField(source="provider.name", allow_null=True, default=None)
    service_name = serializers.CharField(source="service.name", allow_null=True, default=None)
    lot_name = serializers.CharField(source="lot.name", allow_null=True, default=None)
    status = status_field(Placement.Status.choices)
    source = status_field(Placement.Source.choices)
    end_reason = serializers.CharField(
        read_only=True, help_text="The DfE SSDA903 reason code (REC or REASON_PLACE_CHANGE)."
    )
    award_reason = serializers.SerializerMethodField(
        help_text="Why a bid other than the top-ranked one was chosen (the borough's own)."
    )

    class Meta:
        model = Placement
        fields = [
            "id",
            "request",
            "borough",
            "borough_name",
            "provider",
            "provider_name",
            "service",
            "service_name",
            "lot",
            "lot_name",
            "child_reference",
            "weekly_fee",
            "start_date",
            "planned_end_date",
            "actual_start_date",
            "status",
            "awarded_at",
            "award_reason",
            "source",
            "spot_provider_name",
            "end_date",
            "end_planned",
            "end_reason",
            "destination",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "nullable": True})
    def get_award_reason(self, placement):
        actor = context_actor(self)
        if actor is None or not actor.is_borough:
            return None
        return placement.award_reason


class PlacementStartSerializer(serializers.Serializer):
    actual_start_date = SaneDateField(help_text="The day the child moved in.")
