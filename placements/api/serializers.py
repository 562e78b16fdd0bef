"""What the placements API reads and writes.

Sealed bids: nothing a borough reads about a request says anything about its bids (not even how
many there are) until the request closes; bids themselves come only from
`selectors.bids_visible_to`. A provider reads the anonymised profile of a request it is invited
to; the child's story and free text only through the audited story endpoint."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dps.api.schema import ValidationProblemSerializer
from dps.tenancy import get_actor
from providers.needs import DOMAINS, INDICATOR_CODES, MAX_SCORE

from ..models import Bid, Placement, PlacementRequest, ProviderInvitation, Question
from ..models.requests import Gender, LegalStatus, RequestTransition
from ..selectors.requests import responses_shown_to_borough
from ..services import budget
from ..services.closing import SHORTLIST_SIZE
from ..services.eligibility import REASONS
from .common import SaneDateField, SaneDateTimeField, status_field, text

Status = PlacementRequest.Status
DOMAIN_CODES = [code for code, _ in DOMAINS]
MAX_ID = 2**63 - 1
# A provider reads its own bid's score parts once the request is awarded (as the emails then
# tell every bidder its rank and scores).
SCORES_TOLD = {Status.AWARDED, Status.PLACED}


def _actor(serializer):
    request = serializer.context.get("request")
    return get_actor(request) if request is not None else None


def blank_choice(choices):
    """A read-only choice that may be blank (a draft leaves it empty)."""
    return serializers.ChoiceField(choices, allow_blank=True, read_only=True)


def object_id(**kwargs):
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class NamedObjectSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


# --- Requests (the borough's view) -------------------------------------------------------


class NotInvitedSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="The reason's code.")
    label = serializers.CharField()
    count = serializers.IntegerField(help_text="Providers on the lot not invited for it.")


def not_invited_rows(counts):
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
    max_distance_miles = serializers.IntegerField(
        min_value=0, max_value=1000, required=False, allow_null=True
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
    label = serializers.CharField()
    score = serializers.IntegerField(help_text="The child's score for the need.")
    count = serializers.IntegerField(
        help_text="Providers not invited for their needs none of whose services meets this "
        "one at that score (a provider may count under several needs)."
    )


def unmet_need_rows(eligibility):
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


# --- The evaluation ------------------------------------------------------------------------


class EvaluatedBidSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name")
    service_name = serializers.CharField(source="service.name")
    needs_met = serializers.DictField(child=serializers.CharField())
    shortlisted = serializers.SerializerMethodField()
    over_budget = serializers.SerializerMethodField(
        help_text="The weekly fee is over the request's maximum weekly budget."
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
            "total_score",
            "young_person_view",
            "young_person_view_at",
        ]
        read_only_fields = fields

    def get_shortlisted(self, bid) -> bool:
        return bid.rank is not None and bid.rank <= SHORTLIST_SIZE

    def get_over_budget(self, bid) -> bool:
        return budget.over_budget(bid.request, bid.weekly_fee)


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
    inputs = serializers.DictField(
        help_text="Per bid id: the figures each score part was computed from."
    )


# --- Questions -----------------------------------------------------------------------------


class QuestionSerializer(serializers.ModelSerializer):
    """A question on the borough's request and the answer; who asked it is null until the
    deadline has passed (it would say which providers are taking part)."""

    provider = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
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


class ProviderQuestionSerializer(serializers.ModelSerializer):
    """A question as an invited provider reads it: its own, or another's whose answer was
    shared with everyone (without saying who asked)."""

    asked_by_you = serializers.SerializerMethodField()

    class Meta:
        model = Question
        fields = ["id", "text", "asked_at", "asked_by_you", "answer", "answered_at", "shared"]
        read_only_fields = fields

    def get_asked_by_you(self, question) -> bool:
        actor = _actor(self)
        return actor is not None and question.provider_id == actor.organisation.pk


class QuestionAnswerSerializer(serializers.Serializer):
    answer = text(2000)
    shared = serializers.BooleanField(
        default=False, help_text="Show the answer to every invited provider (not who asked)."
    )


class AskSerializer(serializers.Serializer):
    text = text(2000)


# --- Invitations and the anonymised profile (the provider's view) -------------------------


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


class OpportunitySerializer(serializers.ModelSerializer):
    request = ProfileSerializer()
    services = NamedObjectSerializer(
        many=True, help_text="The provider's services the request was sent for: bid with one."
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


# --- Bids ----------------------------------------------------------------------------------


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
            "total_score",
            "young_person_view",
        ]
        read_only_fields = fields

    def _scores_shown(self, bid):
        actor = _actor(self)
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
    def get_total_score(self, bid):
        return self._score(bid, "total_score")

    @extend_schema_field({"type": "string", "nullable": True})
    def get_young_person_view(self, bid):
        actor = _actor(self)
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


class YoungPersonViewSerializer(serializers.Serializer):
    view = text(4000, help_text="What the young person thinks of the offer.")


# --- Placements ----------------------------------------------------------------------------


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
        actor = _actor(self)
        if actor is None or not actor.is_borough:
            return None
        return placement.award_reason


class PlacementStartSerializer(serializers.Serializer):
    actual_start_date = SaneDateField(help_text="The day the child moved in.")
