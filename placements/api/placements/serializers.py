"""What the API reads and writes of a placement: the borough's and the provider's own (the
reason for the award is the borough's alone)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from geography.distance import band_of

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
    user_choice_grounds = serializers.SerializerMethodField(
        help_text="A direct award chosen by the child or family (a user choice contract, "
        "Procurement Act 2023 Sch. 5 para. 15): its grounds; blank otherwise. The borough's "
        "alone (null for the provider)."
    )
    distance_miles = serializers.SerializerMethodField(
        help_text="Miles from the child's home to the service, as the DfE measures it, recorded "
        "at the award; null when not known (see `distance_unknown`). The borough's alone: the "
        "provider reads `distance_band`."
    )
    distance_band = serializers.SerializerMethodField()
    distance_unknown = serializers.CharField(
        read_only=True,
        help_text="Why the distance is not known: `not_given`, `invalid`, `not_found`, "
        "`terminated`, `no_grid`, `confidential` (the home was not shared) or `not_loaded`; "
        "blank when it is known.",
    )
    council = serializers.SerializerMethodField(
        help_text="The council whose area the service is in (upper tier; WAL, SCO, NIR "
        "outside England). The borough's alone."
    )
    outside_boundary = serializers.SerializerMethodField(
        help_text="Whether the service is outside the borough's boundary; null when not known. "
        "The borough's alone."
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
            "user_choice_grounds",
            "source",
            "spot_provider_name",
            "end_date",
            "end_planned",
            "end_reason",
            "destination",
            "distance_miles",
            "distance_band",
            "distance_unknown",
            "council",
            "outside_boundary",
        ]
        read_only_fields = fields

    def _borough(self):
        actor = context_actor(self)
        return actor is not None and actor.is_borough

    @extend_schema_field({"type": "string", "format": "decimal", "nullable": True})
    def get_distance_miles(self, placement):
        miles = placement.distance_miles
        return None if miles is None or not self._borough() else str(miles)

    def get_distance_band(self, placement) -> str:
        return band_of(placement.distance_miles)

    @extend_schema_field({"type": "string", "nullable": True})
    def get_council(self, placement):
        return placement.council if self._borough() else None

    @extend_schema_field({"type": "boolean", "nullable": True})
    def get_outside_boundary(self, placement):
        return placement.outside_boundary if self._borough() else None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_award_reason(self, placement):
        actor = context_actor(self)
        if actor is None or not actor.is_borough:
            return None
        return placement.award_reason

    @extend_schema_field({"type": "string", "nullable": True})
    def get_user_choice_grounds(self, placement):
        actor = context_actor(self)
        if actor is None or not actor.is_borough:
            return None
        return placement.user_choice_grounds


class PlacementStartSerializer(serializers.Serializer):
    actual_start_date = SaneDateField(help_text="The day the child moved in.")
