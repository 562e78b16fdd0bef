"""What the provider's side of the API reads and writes: its invitations ("opportunities")
with the request's anonymised profile, its questions, and its bids.

A provider reads the anonymised profile of a request it is invited to; the child's story and
free text only through the audited story endpoint. A borough reads a bid only once its request
has closed (bids come only from `selectors.bids.bids_visible_to`)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from geography.distance import BAND_LABELS, UNKNOWN_BAND

from ...models import Bid, PlacementRequest, ProviderInvitation, Question
from ...models.requests import Gender, LegalStatus
from ...selectors.distance import band_from_home
from ...services import budget
from ..common import (
    SaneDateField,
    blank_choice,
    context_actor,
    object_id,
    status_field,
    text,
)

Status = PlacementRequest.Status
# A provider reads its own bid's score parts once the request is awarded (as the emails then
# tell every bidder its rank and scores).
SCORES_TOLD = {Status.AWARDED, Status.PLACED}


# --- Invitations and the anonymised profile -------------------------------------------------------


class ProfileSerializer(serializers.ModelSerializer):
    """The anonymised request: what every invited provider may read. The placing council is
    named (the distance wished is from it); the child is not."""

    borough_name = serializers.CharField(source="borough.name")
    lot_name = serializers.CharField(source="lot.name")
    status = status_field(Status.choices)
    gender = blank_choice(Gender.choices)
    legal_status = blank_choice(LegalStatus.choices)
    needs = serializers.DictField(child=serializers.IntegerField())
    outcomes = serializers.DictField(child=serializers.CharField())
    areas = serializers.ListField(child=serializers.CharField())
    over_budget_rule = status_field(
        budget.Rule.choices,
        source="lot.over_budget_rule",
        help_text="Whether a bid over `max_weekly_budget` can win: `allowed`, "
        "`allowed_with_reason` (the borough records why) or `refused` (it cannot be made).",
    )

    class Meta:
        model = PlacementRequest
        fields = [
            "id",
            "borough",
            "borough_name",
            "lot",
            "lot_name",
            "status",
            "age",
            "gender",
            "ethnicity",
            "language",
            "religion",
            "legal_status",
            "urgency",
            "date_needed",
            "duration_weeks",
            "areas",
            "max_distance_miles",
            "solo_placement",
            "needs",
            "outcomes",
            "max_weekly_budget",
            "over_budget_rule",
            "bid_deadline",
            "terms_version",
            "published_at",
        ]
        read_only_fields = fields


class InvitedServiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    distance_band = serializers.CharField(
        help_text="How far the service is from the child's home, as a band (the home itself "
        f"is never given): one of {', '.join(f'`{b}`' for b in [*BAND_LABELS, UNKNOWN_BAND])}."
    )


class OpportunitySerializer(serializers.ModelSerializer):
    request = ProfileSerializer()
    services = serializers.SerializerMethodField(
        help_text="The provider's services the request was sent for: bid with one."
    )
    bid = serializers.IntegerField(
        source="own_bid_id", allow_null=True, help_text="The provider's bid on it, if any."
    )

    class Meta:
        model = ProviderInvitation
        fields = [
            "id",
            "request",
            "services",
            "invited_at",
            "first_viewed_at",
            "declined_at",
            "decline_reason",
            "bid",
        ]
        read_only_fields = fields

    @extend_schema_field(InvitedServiceSerializer(many=True))
    def get_services(self, invitation):
        return [
            {
                "id": service.pk,
                "name": service.name,
                "distance_band": band_from_home(invitation.request, service),
            }
            for service in invitation.services.all()
        ]


class OpportunityDetailSerializer(OpportunitySerializer):
    story_released = serializers.BooleanField(
        help_text="True when the child's story is released to the provider (shortlisted, or "
        "awarded): read it at /opportunities/{id}/story/."
    )

    class Meta(OpportunitySerializer.Meta):
        fields = [*OpportunitySerializer.Meta.fields, "story_released"]
        read_only_fields = fields


class StorySerializer(serializers.Serializer):
    strengths = serializers.CharField()
    story = serializers.CharField()
    child_views = serializers.CharField()
    contact_arrangements = serializers.CharField()
    education_needs = serializers.CharField()
    need_details = serializers.DictField(child=serializers.CharField())


class DeclineSerializer(serializers.Serializer):
    reason = text(2000)


# --- Questions ------------------------------------------------------------------------------------


class ProviderQuestionSerializer(serializers.ModelSerializer):
    """A question as an invited provider reads it: its own, or another's whose answer was
    shared with everyone (without saying who asked)."""

    asked_by_you = serializers.SerializerMethodField()

    class Meta:
        model = Question
        fields = ["id", "text", "asked_at", "asked_by_you", "answer", "answered_at", "shared"]
        read_only_fields = fields

    def get_asked_by_you(self, question) -> bool:
        actor = context_actor(self)
        return actor is not None and question.provider_id == actor.organisation.pk


class AskSerializer(serializers.Serializer):
    text = text(2000)


# --- Bids -----------------------------------------------------------------------------------------


class BidSerializer(serializers.ModelSerializer):
    """A bid: to its provider, always; to the borough, once the request has closed. The score
    parts are the borough's from closing, the provider's once the request is awarded; the young
    person's view is the borough's alone."""

    provider_name = serializers.CharField(source="provider.name")
    service_name = serializers.CharField(source="service.name")
    status = status_field(Bid.Status.choices)
    needs_met = serializers.DictField(child=serializers.CharField())
    needs_reconfirmation = serializers.BooleanField(
        help_text="The request's terms changed after the bid: confirm it before the deadline."
    )
    over_budget = serializers.SerializerMethodField(
        help_text="The weekly fee is over the request's maximum weekly budget. Whether such a "
        "bid can win is the lot's rule: `allowed`, `allowed_with_reason` (the award records "
        "why) or `refused` (it cannot be made)."
    )
    rank = serializers.SerializerMethodField()
    price_score = serializers.SerializerMethodField()
    quality_score = serializers.SerializerMethodField()
    needs_fit_score = serializers.SerializerMethodField()
    proximity_score = serializers.SerializerMethodField()
    total_score = serializers.SerializerMethodField()
    young_person_view = serializers.SerializerMethodField()

    class Meta:
        model = Bid
        fields = [
            "id",
            "request",
            "provider",
            "provider_name",
            "service",
            "service_name",
            "status",
            "core_weekly_fee",
            "extra_staffing_hours",
            "extra_staffing_cost",
            "weekly_fee",
            "over_budget",
            "start_date",
            "needs_met",
            "volume_discount",
            "terms_version",
            "needs_reconfirmation",
            "submitted_at",
            "withdrawn_at",
            "invalid_reason",
            "rank",
            "price_score",
            "quality_score",
            "needs_fit_score",
            "proximity_score",
            "total_score",
            "young_person_view",
        ]
        read_only_fields = fields

    def _scores_shown(self, bid):
        actor = context_actor(self)
        if actor is None:
            return False
        if actor.is_borough:
            return bid.request.bids_unsealed
        return bid.request.status in SCORES_TOLD

    def get_over_budget(self, bid) -> bool:
        return budget.over_budget(bid.request, bid.weekly_fee)

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_rank(self, bid):
        return bid.rank if self._scores_shown(bid) else None

    def _score(self, bid, name):
        value = getattr(bid, name)
        if value is None or not self._scores_shown(bid):
            return None
        return serializers.DecimalField(max_digits=6, decimal_places=2).to_representation(value)

    @extend_schema_field({"type": "string", "format": "decimal", "nullable": True})
    def get_price_score(self, bid):
        return self._score(bid, "price_score")

    @extend_schema_field({"type": "string", "format": "decimal", "nullable": True})
    def get_quality_score(self, bid):
        return self._score(bid, "quality_score")

    @extend_schema_field({"type": "string", "format": "decimal", "nullable": True})
    def get_needs_fit_score(self, bid):
        return self._score(bid, "needs_fit_score")

    @extend_schema_field({"type": "string", "format": "decimal", "nullable": True})
    def get_proximity_score(self, bid):
        return self._score(bid, "proximity_score")

    @extend_schema_field({"type": "string", "format": "decimal", "nullable": True})
    def get_total_score(self, bid):
        return self._score(bid, "total_score")

    @extend_schema_field({"type": "string", "nullable": True})
    def get_young_person_view(self, bid):
        actor = context_actor(self)
        if actor is None or not actor.is_borough:
            return None
        return bid.young_person_view


class BidChangeSerializer(serializers.Serializer):
    service = object_id(required=False, help_text="One of the services the request was sent for.")
    core_weekly_fee = serializers.DecimalField(max_digits=9, decimal_places=2, required=False)
    extra_staffing_hours = serializers.DecimalField(
        max_digits=6, decimal_places=2, required=False, help_text="Extra staffing hours a week."
    )
    extra_staffing_cost = serializers.DecimalField(
        max_digits=9, decimal_places=2, required=False, help_text="Their weekly cost."
    )
    start_date = SaneDateField(required=False)
    needs_met = serializers.DictField(
        child=serializers.CharField(max_length=2000, allow_blank=True),
        required=False,
        help_text="Each need the bid meets -> how it meets it.",
    )
    volume_discount = text(2000)


class BidInputSerializer(BidChangeSerializer):
    invitation = object_id(help_text="The invitation (opportunity) the bid answers.")
    service = object_id(help_text="One of the services the request was sent for.")
    core_weekly_fee = serializers.DecimalField(max_digits=9, decimal_places=2)
    start_date = SaneDateField()
