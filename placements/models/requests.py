"""A borough's placement request (referral): the anonymised child, the needs profile, the terms
of the mini-competition, and every change of its status."""

from django.conf import settings
from django.db import models

from dps.state import Action, StateMachine
from providers.needs import validate_needs


class LegalStatus(models.TextChoices):
    S20 = "s20", "Section 20 (voluntary accommodation)"
    S31 = "s31", "Section 31 (care order)"
    S38 = "s38", "Section 38 (interim care order)"
    S25 = "s25", "Section 25 (secure accommodation)"
    REMAND = "remand", "Remand"
    NOT_LOOKED_AFTER = "not_looked_after", "Not looked after"


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other or not stated"


class PlacementRequest(models.Model):
    class HomeLocation(models.TextChoices):
        DISTRICT = "district", "The postcode district of the child's home"
        BOROUGH = "borough", "The borough's own area (the home is not to be shared)"

    class PlacementArea(models.TextChoices):
        ANY = "any", "Inside or outside the borough"
        IN_BOROUGH = "in_borough", "Inside the borough"
        OUT_OF_AREA = "out_of_area", "Outside the borough, for the child's safety"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open for bids"
        CLOSED = "closed", "Closed (bids opened)"
        SHORTLISTED = "shortlisted", "Shortlisted"
        AWARDED = "awarded", "Awarded"
        PLACED = "placed", "Placed"
        CANCELLED = "cancelled", "Cancelled"
        NO_SUITABLE_OFFER = "no_suitable_offer", "No suitable offer"

    class Urgency(models.TextChoices):
        PLANNED = "planned", "Planned move"
        EMERGENCY = "emergency", "Emergency"

    class CancelReason(models.TextChoices):
        NO_LONGER_NEEDED = "no_longer_needed", "No longer needed"
        PLACED_IN_HOUSE = "placed_in_house", "Placed in-house"
        PLACED_ELSEWHERE = "placed_elsewhere", "Placed elsewhere"
        OTHER = "other", "Other"

    borough = models.ForeignKey(
        "dps.Organisation",
        on_delete=models.PROTECT,
        related_name="placement_requests",
        limit_choices_to={"kind": "borough"},
    )
    lot = models.ForeignKey(
        "providers.Lot", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reference = models.CharField(
        "borough reference",
        max_length=40,
        blank=True,
        help_text="The borough's own reference for the child; never their name.",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)

    # The child, without identifying them. Strengths come first, as in the form.
    strengths = models.TextField(
        "strengths and interests", blank=True, help_text="What the child enjoys and is good at."
    )
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    gender = models.CharField(max_length=10, choices=Gender.choices, blank=True)
    ethnicity = models.CharField(max_length=80, blank=True)
    language = models.CharField("first language", max_length=80, blank=True)
    religion = models.CharField(max_length=80, blank=True)
    legal_status = models.CharField(max_length=20, choices=LegalStatus.choices, blank=True)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.PLANNED)
    date_needed = models.DateField(null=True, blank=True)
    duration_weeks = models.PositiveSmallIntegerField(
        "expected duration in weeks", null=True, blank=True
    )
    # Location wishes: the local authority areas wanted (none: anywhere), how far from the
    # child's home, inside or outside the borough, and whether the child must be placed alone.
    areas = models.JSONField(default=list, blank=True)
    max_distance_miles = models.PositiveSmallIntegerField(null=True, blank=True)
    placement_area = models.CharField(
        max_length=12, choices=PlacementArea.choices, default=PlacementArea.ANY
    )
    # The child's home, pseudonymised: its postcode district, never the full postcode, or the
    # borough's own area when the home is not to be shared. The grid reference is derived
    # from it (the district's or the borough's centre; null when it cannot be located).
    home_location = models.CharField(
        max_length=10, choices=HomeLocation.choices, default=HomeLocation.DISTRICT
    )
    home_district = models.CharField("home postcode district", max_length=4, blank=True)
    home_easting = models.IntegerField(null=True, blank=True, editable=False)
    home_northing = models.IntegerField(null=True, blank=True, editable=False)
    solo_placement = models.BooleanField(default=False)
    allow_no_vacancy = models.BooleanField(
        default=False,
        help_text="Invite providers whose services have no vacancy today (e.g. for a later date).",
    )
    needs = models.JSONField(default=dict, blank=True, validators=[validate_needs])
    need_details = models.JSONField(
        default=dict, blank=True, help_text="A line of detail for each need: indicator -> text."
    )
    outcomes = models.JSONField(
        default=dict, blank=True, help_text="Desired outcomes per Valuing Care domain."
    )
    education_needs = models.TextField(blank=True)
    contact_arrangements = models.TextField(blank=True)
    child_views = models.TextField("the child's own views", blank=True)
    story = models.TextField(
        "the child's story",
        blank=True,
        help_text="Why the placement is needed now and the child's journey. Released only to "
        "shortlisted providers.",
    )
    max_weekly_budget = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)

    # The competition.
    bid_deadline = models.DateTimeField(null=True, blank=True, db_index=True)
    # Raised whenever the terms change while open; bids confirmed at an older version must
    # be re-confirmed.
    terms_version = models.PositiveIntegerField(default=1)
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When bids were opened; before it they are sealed."
    )
    cancel_reason = models.CharField(max_length=20, choices=CancelReason.choices, blank=True)
    status_reason = models.TextField(blank=True)
    ineligible_counts = models.JSONField(
        default=dict, blank=True, help_text="Providers on the lot not invited, per reason."
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["borough", "status"]),
            models.Index(fields=["status", "bid_deadline"]),
        ]

    def __str__(self):
        return f"Request {self.pk}" + (f" ({self.reference})" if self.reference else "")

    @property
    def bids_unsealed(self):
        """Bids are sealed until the request closes; from then the borough may read them."""
        return self.closed_at is not None

    @property
    def total_need_score(self):
        return sum((self.needs or {}).values())


RequestStatus = PlacementRequest.Status


def _award_refused(status):
    if status == RequestStatus.CLOSED:
        return "Confirm the shortlist before awarding."
    if status in (RequestStatus.AWARDED, RequestStatus.PLACED):
        return "This request has already been awarded."
    return f"A request that is {status.label.lower()} cannot be awarded."


# A request's allowed changes of status, by a person or the system (closing at the deadline),
# and the actions the borough's pages offer.
REQUEST_STATES = StateMachine(
    RequestStatus,
    {
        RequestStatus.DRAFT: {RequestStatus.OPEN, RequestStatus.CANCELLED},
        RequestStatus.OPEN: {
            RequestStatus.CLOSED,
            RequestStatus.NO_SUITABLE_OFFER,
            RequestStatus.CANCELLED,
        },
        RequestStatus.CLOSED: {
            RequestStatus.SHORTLISTED,
            RequestStatus.NO_SUITABLE_OFFER,
            RequestStatus.CANCELLED,
        },
        RequestStatus.SHORTLISTED: {
            RequestStatus.AWARDED,
            RequestStatus.NO_SUITABLE_OFFER,
            RequestStatus.CANCELLED,
        },
        RequestStatus.AWARDED: {RequestStatus.PLACED},
        RequestStatus.NO_SUITABLE_OFFER: {RequestStatus.OPEN},
    },
    actions={
        "edit": Action(
            sources={RequestStatus.DRAFT, RequestStatus.OPEN},
            refused="Only a draft or an open request can be changed.",
        ),
        "publish": Action(
            RequestStatus.OPEN,
            sources={RequestStatus.DRAFT},
            refused="Only a draft can be published.",
        ),
        "cancel": Action(RequestStatus.CANCELLED),
        "confirm_shortlist": Action(RequestStatus.SHORTLISTED),
        "award": Action(RequestStatus.AWARDED, refused=_award_refused),
        "young_person_view": Action(
            sources={RequestStatus.SHORTLISTED},
            refused="The young person's view is recorded while the request is shortlisted.",
        ),
        # An open request ends with no suitable offer only at closing, with no valid bid.
        "no_offer": Action(
            RequestStatus.NO_SUITABLE_OFFER,
            sources={RequestStatus.CLOSED, RequestStatus.SHORTLISTED},
            refused=lambda status: (
                "Bids are still open: wait for the deadline, or cancel the request."
                if status == RequestStatus.OPEN
                else None
            ),
        ),
        "reopen": Action(
            RequestStatus.OPEN,
            sources={RequestStatus.NO_SUITABLE_OFFER},
            refused="Only a request that ended with no suitable offer can be re-opened.",
        ),
    },
    refused=lambda old, new: (
        f"A request that is {old.label.lower()} cannot become {new.label.lower()}."
    ),
    owner="borough_id",
)


class RequestTransition(models.Model):
    """Each change of a request's status: dated, attributed, with its reason."""

    request = models.ForeignKey(
        PlacementRequest, on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(max_length=20, choices=PlacementRequest.Status.choices)
    to_status = models.CharField(max_length=20, choices=PlacementRequest.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=255, default="system")
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.request}: {self.from_status} → {self.to_status}"


class ProviderInvitation(models.Model):
    """A provider found eligible when the request was published (or its terms changed)."""

    request = models.ForeignKey(
        PlacementRequest, on_delete=models.CASCADE, related_name="invitations"
    )
    provider = models.ForeignKey(
        "dps.Organisation", on_delete=models.PROTECT, related_name="placement_invitations"
    )
    services = models.ManyToManyField("providers.Service", related_name="+")
    invited_at = models.DateTimeField(auto_now_add=True)
    first_viewed_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    # Withdrawn by the consortium when the provider was excluded (placements.services.exclusions).
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-invited_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "provider"], name="invitation_unique")
        ]
        indexes = [
            models.Index(fields=["provider", "-invited_at"]),
            # The API's pages of a provider's opportunities, newest (highest id) first.
            models.Index(fields=["provider", "-id"], name="invitation_provider_id_desc"),
        ]

    def __str__(self):
        return f"{self.provider} invited to {self.request}"


class Question(models.Model):
    """A clarification question from an invited provider, and the borough's answer. A shared
    answer is shown to every invited provider, without naming who asked."""

    request = models.ForeignKey(
        PlacementRequest, on_delete=models.CASCADE, related_name="questions"
    )
    provider = models.ForeignKey("dps.Organisation", on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    asked_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    shared = models.BooleanField(default=False)

    class Meta:
        ordering = ["asked_at", "id"]

    def __str__(self):
        return f"Question {self.pk} on {self.request}"
