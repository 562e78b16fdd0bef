"""What the borough's side of the API reads and writes: its requests, what publishing says
about who was invited, the evaluation, the questions providers asked, and the award.

Sealed bids: nothing a borough reads about a request says anything about its bids (not even how
many there are) until the request closes; bids themselves come only from
`selectors.bids.bids_visible_to`."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dps.api.schema import ValidationProblemSerializer
from dps.models import Organisation
from providers.needs import DOMAINS, INDICATOR_CODES, MAX_SCORE

from ...models import Bid, PlacementRequest, Question
from ...models.requests import Gender, LegalStatus, RequestTransition
from ...selectors.distance import from_home, home_grid
from ...selectors.requests import responses_shown_to_borough
from ...services import budget
from ...services.eligibility import REASONS, Eligibility
from ...services.transitions import SHORTLIST_SIZE
from ..common import (
    NamedObjectSerializer,
    SaneDateField,
    SaneDateTimeField,
    blank_choice,
    object_id,
    status_field,
    text,
)

Status = PlacementRequest.Status
DOMAIN_CODES = [code for code, _ in DOMAINS]


# --- Requests -------------------------------------------------------------------------------------


class NotInvitedSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="The reason's code.")
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label
    count = serializers.IntegerField(help_text="Providers on the lot not invited for it.")


def not_invited_rows(counts: dict[str, int] | None) -> list[dict]:
    counts = counts or {}
    return [
        {"reason": code, "label": label, "count": counts[code]}
        for code, label in REASONS
        if counts.get(code)
    ]


class RequestTransitionSerializer(serializers.ModelSerializer):
    from_status = status_field(Status.choices)
    to_status = status_field(Status.choices)

    class Meta:
        model = RequestTransition
        fields = ["from_status", "to_status", "at", "actor_label", "reason"]


class RequestSummarySerializer(serializers.ModelSerializer):
    lot_name = serializers.CharField(source="lot.name", allow_null=True, default=None)
    status = status_field(Status.choices)

    class Meta:
        model = PlacementRequest
        fields = [
            "id",
            "reference",
            "lot",
            "lot_name",
            "status",
            "urgency",
            "age",
            "date_needed",
            "bid_deadline",
            "published_at",
            "closed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class RequestSerializer(RequestSummarySerializer):
    """A request as its borough reads it: every field, who was invited, and why the others on
    the lot were not. Nothing about bids until it closes (see the evaluation)."""

    needs = serializers.DictField(child=serializers.IntegerField())
    need_details = serializers.DictField(child=serializers.CharField())
    outcomes = serializers.DictField(child=serializers.CharField())
    areas = serializers.ListField(child=serializers.CharField())
    cancel_reason = status_field(PlacementRequest.CancelReason.choices)
    gender = blank_choice(Gender.choices)
    legal_status = blank_choice(LegalStatus.choices)
    bids_unsealed = serializers.BooleanField(
        help_text="True once the request has closed: its evaluation can be read."
    )
    home_location = status_field(PlacementRequest.HomeLocation.choices)
    home_located = serializers.SerializerMethodField(
        help_text="Whether the child's home could be located (distances are measured from it)."
    )
    placement_area = status_field(PlacementRequest.PlacementArea.choices)
    invited_providers = serializers.SerializerMethodField()
    not_invited = serializers.SerializerMethodField()
    transitions = RequestTransitionSerializer(many=True)

    class Meta(RequestSummarySerializer.Meta):
        fields = [
            *RequestSummarySerializer.Meta.fields,
            "strengths",
            "gender",
            "ethnicity",
            "language",
            "religion",
            "legal_status",
            "duration_weeks",
            "areas",
            "home_location",
            "home_district",
            "home_located",
            "placement_area",
            "max_distance_miles",
            "solo_placement",
            "allow_no_vacancy",
            "needs",
            "need_details",
            "outcomes",
            "education_needs",
            "contact_arrangements",
            "child_views",
            "story",
            "max_weekly_budget",
            "terms_version",
            "cancel_reason",
            "status_reason",
            "bids_unsealed",
            "invited_providers",
            "not_invited",
            "transitions",
        ]
        read_only_fields = fields

    @extend_schema_field(NamedObjectSerializer(many=True))
    def get_invited_providers(self, placement_request):
        invitations = placement_request.invitations.select_related("provider").order_by(
            "provider__name"
        )
        return [{"id": i.provider_id, "name": i.provider.name} for i in invitations]

    def get_home_located(self, placement_request) -> bool:
        return home_grid(placement_request) is not None

    @extend_schema_field(NotInvitedSerializer(many=True))
    def get_not_invited(self, placement_request):
        return not_invited_rows(placement_request.ineligible_counts)


class RequestInputSerializer(serializers.Serializer):
    """The fields an officer or case system writes. A draft may leave any of them out;
    publishing says what is still missing."""

    lot = object_id(required=False, allow_null=True, help_text="A lot's id (see /lots/).")
    reference = text(40, help_text="The borough's own reference for the child; never a name.")
    strengths = text(help_text="The child's strengths and interests.")
    age = serializers.IntegerField(min_value=0, max_value=25, required=False, allow_null=True)
    gender = serializers.ChoiceField(Gender.choices, required=False, allow_blank=True)
    ethnicity = text(80)
    language = text(80, help_text="The child's first language.")
    religion = text(80)
    legal_status = serializers.ChoiceField(LegalStatus.choices, required=False, allow_blank=True)
    urgency = serializers.ChoiceField(PlacementRequest.Urgency.choices, required=False)
    date_needed = SaneDateField(required=False, allow_null=True)
    duration_weeks = serializers.IntegerField(
        min_value=1, max_value=520, required=False, allow_null=True
    )
    areas = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        max_length=100,
        help_text="Local authority areas wanted; empty for anywhere.",
    )
    home_location = serializers.ChoiceField(
        PlacementRequest.HomeLocation.choices,
        required=False,
        help_text="`district`: the child's home postcode district is given; `borough`: the "
        "home is not to be shared, and distances are measured from the borough's own area.",
    )
    home_district = text(
        8,
        help_text="The postcode district of the child's home, like N19. Never the full "
        "postcode: a full postcode is refused, to keep the child pseudonymised.",
    )
    placement_area = serializers.ChoiceField(
        PlacementRequest.PlacementArea.choices,
        required=False,
        help_text="`in_borough` or `out_of_area` (outside the borough, for the child's safety) "
        "limit who is invited; `any` does not.",
    )
    max_distance_miles = serializers.IntegerField(
        min_value=1,
        max_value=1000,
        required=False,
        allow_null=True,
        help_text="Services further from the child's home, or whose location is not known, "
        "are not invited. Needs a home that can be located.",
    )
    solo_placement = serializers.BooleanField(required=False)
    allow_no_vacancy = serializers.BooleanField(
        required=False, help_text="Invite providers whose services have no vacancy today."
    )
    needs = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=MAX_SCORE),
        required=False,
        help_text="Each Valuing Care indicator -> the child's score, 0 to 3. Publishing needs "
        f"all twelve: {', '.join(INDICATOR_CODES)}.",
    )
    need_details = serializers.DictField(
        child=serializers.CharField(max_length=2000, allow_blank=True),
        required=False,
        help_text="A line of detail for each need scored 1 or more: indicator -> text.",
    )
    outcomes = serializers.DictField(
        child=serializers.CharField(max_length=4000, allow_blank=True),
        required=False,
        help_text=f"Desired outcomes per domain: {', '.join(DOMAIN_CODES)}.",
    )
    education_needs = text()
    contact_arrangements = text()
    child_views = text(help_text="The child's own views.")
    story = text(help_text="Why the placement is needed now, and the child's journey.")
    max_weekly_budget = serializers.DecimalField(
        max_digits=9, decimal_places=2, required=False, allow_null=True
    )
    bid_deadline = SaneDateTimeField(
        required=False,
        allow_null=True,
        help_text="When bids close. Left empty, publishing sets 24 hours ahead (4 for an "
        "emergency).",
    )


class UnmetNeedSerializer(serializers.Serializer):
    need = serializers.CharField(help_text="The need's code.")
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label
    score = serializers.IntegerField(help_text="The child's score for the need.")
    count = serializers.IntegerField(
        help_text="Providers not invited for their needs none of whose services meets this "
        "one at that score (a provider may count under several needs)."
    )


def unmet_need_rows(eligibility: Eligibility) -> list[dict]:
    return [
        {"need": code, "label": label, "score": score, "count": count}
        for code, label, score, count in eligibility.need_rows
    ]


class PublishInputSerializer(serializers.Serializer):
    confirm_no_eligible = serializers.BooleanField(
        default=False,
        help_text="Publish even though no provider is eligible (none is invited). Without it, "
        "such a request is refused with a 400 that says why each provider would not be invited.",
    )


class PublishResultSerializer(serializers.Serializer):
    invited = serializers.IntegerField(help_text="Providers invited (and emailed).")
    not_invited = NotInvitedSerializer(many=True)
    unmet_needs = UnmetNeedSerializer(many=True)
    request = RequestSerializer()


class NoEligibleProblemSerializer(ValidationProblemSerializer):
    """Bad input, or (with `errors.confirm_no_eligible`) no provider would be invited: then
    `not_invited` and `unmet_needs` say why not."""

    invited = serializers.IntegerField(required=False, help_text="Always 0.")
    not_invited = NotInvitedSerializer(many=True, required=False)
    unmet_needs = UnmetNeedSerializer(many=True, required=False)


class CancelSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(PlacementRequest.CancelReason.choices)
    detail = text(4000, help_text="Required when the reason is `other`.")


class ReopenSerializer(serializers.Serializer):
    bid_deadline = SaneDateTimeField(help_text="The new deadline for bids.")


class NoOfferReasonSerializer(serializers.Serializer):
    reason = text(4000)


class AwardSerializer(serializers.Serializer):
    bid = object_id(help_text="The id of one of the ranked bids in the evaluation.")
    reason = text(
        4000, help_text="Why this bid rather than the top-ranked one (required for any other)."
    )
    pending_applications_considered = serializers.BooleanField(
        default=False,
        help_text="The officer considered the applications to join the lot still pending "
        "(required, under a dynamic market or legacy DPS, when there are any: Procurement Act "
        "2023 s.34(4)). The evaluation's `pending_applications` lists them.",
    )


# --- The evaluation -------------------------------------------------------------------------------


class EvaluatedBidSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name")
    service_name = serializers.CharField(source="service.name")
    needs_met = serializers.DictField(child=serializers.CharField())
    shortlisted = serializers.SerializerMethodField()
    over_budget = serializers.SerializerMethodField(
        help_text="The weekly fee is over the request's maximum weekly budget."
    )
    distance_miles = serializers.SerializerMethodField(
        help_text="Miles from the child's home (the borough's centre when the home is not "
        "shared) to the service; null when either is not located."
    )
    distance_band = serializers.SerializerMethodField()
    outside_boundary = serializers.SerializerMethodField(
        help_text="Whether the service is outside the borough; null when not known."
    )

    class Meta:
        model = Bid
        fields = [
            "id",
            "rank",
            "shortlisted",
            "over_budget",
            "provider",
            "provider_name",
            "service",
            "service_name",
            "core_weekly_fee",
            "extra_staffing_hours",
            "extra_staffing_cost",
            "weekly_fee",
            "start_date",
            "needs_met",
            "volume_discount",
            "submitted_at",
            "price_score",
            "quality_score",
            "needs_fit_score",
            "proximity_score",
            "total_score",
            "distance_miles",
            "distance_band",
            "outside_boundary",
            "young_person_view",
            "young_person_view_at",
        ]
        read_only_fields = fields

    def get_shortlisted(self, bid) -> bool:
        return bid.rank is not None and bid.rank <= SHORTLIST_SIZE

    def get_over_budget(self, bid) -> bool:
        return budget.over_budget(bid.request, bid.weekly_fee)

    def _from_home(self, bid):
        return from_home(bid.request, bid.service)

    @extend_schema_field({"type": "string", "format": "decimal", "nullable": True})
    def get_distance_miles(self, bid):
        miles = self._from_home(bid).miles
        return None if miles is None else str(miles)

    def get_distance_band(self, bid) -> str:
        return self._from_home(bid).band

    @extend_schema_field({"type": "boolean", "nullable": True})
    def get_outside_boundary(self, bid):
        return self._from_home(bid).outside_boundary


class InvalidBidSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name")
    service_name = serializers.CharField(source="service.name")

    class Meta:
        model = Bid
        fields = [
            "id",
            "provider",
            "provider_name",
            "service",
            "service_name",
            "weekly_fee",
            "submitted_at",
            "invalid_reason",
        ]
        read_only_fields = fields


class EvaluationWeightsSerializer(serializers.Serializer):
    quality = serializers.IntegerField()
    price = serializers.IntegerField()
    needs_fit = serializers.IntegerField()
    proximity = serializers.IntegerField(default=0)


class PendingApplicationSerializer(serializers.Serializer):
    provider_name = serializers.CharField(source="provider.name")
    status = serializers.CharField(help_text="`submitted` or `more_info`.")
    submitted_at = serializers.DateTimeField(allow_null=True)


class EvaluationSerializer(serializers.Serializer):
    request = serializers.IntegerField()
    status = status_field(Status.choices)
    closed_at = serializers.DateTimeField()
    evaluated_at = serializers.DateTimeField()
    weights = EvaluationWeightsSerializer(
        help_text="The lot's weights in percent, frozen at closing."
    )
    lowest_fee = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    total_need_score = serializers.IntegerField()
    shortlist_size = serializers.IntegerField()
    ranked = EvaluatedBidSerializer(many=True, help_text="The valid bids, best first.")
    invalid = InvalidBidSerializer(many=True, help_text="Bids set aside, with the reason.")
    pending_applications = PendingApplicationSerializer(
        many=True,
        help_text="Applications to join the lot still pending (dynamic market or legacy DPS): "
        "the award needs `pending_applications_considered` when there are any.",
    )
    inputs = serializers.DictField(
        help_text="Per bid id: the figures each score part was computed from."
    )


class YoungPersonViewSerializer(serializers.Serializer):
    view = text(4000, help_text="What the young person thinks of the offer.")


# --- Questions ------------------------------------------------------------------------------------


class QuestionSerializer(serializers.ModelSerializer):
    """A question on the borough's request and the answer; who asked it is null until the
    deadline has passed (it would say which providers are taking part)."""

    provider: "serializers.PrimaryKeyRelatedField[Organisation]" = (
        serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    )
    provider_name = serializers.CharField(source="provider.name", allow_null=True)

    class Meta:
        model = Question
        fields = [
            "id",
            "request",
            "provider",
            "provider_name",
            "text",
            "asked_at",
            "answer",
            "answered_at",
            "shared",
        ]
        read_only_fields = fields

    def to_representation(self, question):
        data = super().to_representation(question)
        if not responses_shown_to_borough(question.request):
            data["provider"] = data["provider_name"] = None
        return data


class QuestionAnswerSerializer(serializers.Serializer):
    answer = text(2000)
    shared = serializers.BooleanField(
        default=False, help_text="Show the answer to every invited provider (not who asked)."
    )
