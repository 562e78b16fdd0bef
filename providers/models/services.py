"""The services (settings) providers run: homes, fostering services, accommodation, schools."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from dps.state import Action, StateMachine
from geography.postcodes import (
    DISTRICT,
    DISTRICT_MESSAGE,
    POSTCODE_MESSAGE,
    compact,
    normalise_postcode,
)

from ..needs import validate_needs


def validate_postcode_district(value):
    if value and not DISTRICT.match(value):
        raise ValidationError(DISTRICT_MESSAGE)


def vacancy_stale_cutoff(now=None):
    """Vacancy figures last updated before this moment are out of date."""
    return (now or timezone.now()) - timedelta(days=settings.VACANCY_STALE_DAYS)


class OfstedRating(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
    INADEQUATE = "inadequate", "Inadequate"
    NOT_YET_INSPECTED = "not_yet_inspected", "Not yet inspected"


class Service(models.Model):
    """A home, fostering service, accommodation or school that a provider runs."""

    class Type(models.TextChoices):
        CHILDRENS_HOME = "childrens_home", "Children's home"
        FOSTERING = "fostering", "Fostering service"
        SUPPORTED_ACCOMMODATION = "supported_accommodation", "Supported accommodation"
        SCHOOL = "school", "School"
        PARENT_AND_CHILD = "parent_and_child", "Parent and child"

    class Genders(models.TextChoices):
        ANY = "any", "Any"
        FEMALE = "female", "Female only"
        MALE = "male", "Male only"

    provider = models.ForeignKey(
        "dps.Organisation",
        on_delete=models.PROTECT,
        related_name="services",
        limit_choices_to={"kind": "provider"},
    )
    service_type = models.CharField(max_length=30, choices=Type.choices)
    name = models.CharField(max_length=200)
    ofsted_urn = models.CharField("Ofsted URN", max_length=20, blank=True, db_index=True)
    ofsted_rating = models.CharField(
        max_length=30, choices=OfstedRating.choices, default=OfstedRating.NOT_YET_INSPECTED
    )
    inspection_date = models.DateField(null=True, blank=True)
    registered_places = models.PositiveSmallIntegerField(default=0)
    vacancies = models.PositiveSmallIntegerField(default=0)
    vacancies_updated_at = models.DateTimeField(null=True, blank=True)
    age_min = models.PositiveSmallIntegerField(default=0)
    age_max = models.PositiveSmallIntegerField(default=17)
    genders = models.CharField(max_length=10, choices=Genders.choices, default=Genders.ANY)
    # Where the service is. The full postcode is shown only to the consortium and the provider;
    # the rest is derived from it with the ONS Postcode Directory (providers.services.location):
    # its district, its grid reference (for distances), the council whose area it is in (upper
    # tier, or WAL, SCO, NIR outside England) and that council's name. A service recorded
    # before full postcodes has its district only, and is located at the district's centre.
    postcode = models.CharField(
        max_length=8,
        blank=True,
        help_text="The service's full postcode. Only the consortium and your organisation see it.",
    )
    local_authority = models.CharField(max_length=100, blank=True)
    postcode_district = models.CharField(max_length=8, blank=True)
    easting = models.IntegerField(null=True, blank=True, editable=False)
    northing = models.IntegerField(null=True, blank=True, editable=False)
    council = models.CharField(max_length=9, blank=True, editable=False)
    # Why the service could not be located (a geography.selectors.Unknown value), or blank.
    location_unknown = models.CharField(max_length=20, blank=True, editable=False)
    needs_met = models.JSONField(
        default=dict,
        blank=True,
        validators=[validate_needs],
        help_text="Each Valuing Care indicator the service can meet, and up to which score.",
    )
    specialisms = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["provider__name", "name"]

    def __str__(self):
        return self.name

    @property
    def vacancies_stale(self):
        """True when the vacancy figure was never set, or not confirmed for
        VACANCY_STALE_DAYS days."""
        updated = self.vacancies_updated_at
        return updated is None or updated < vacancy_stale_cutoff()

    def clean(self):
        errors = {}
        if self.age_min > self.age_max:
            errors["age_max"] = "The oldest age must not be below the youngest."
        if self.age_max > 25:
            errors["age_max"] = "The oldest age must be 25 or under."
        if self.vacancies > self.registered_places:
            errors["vacancies"] = "Vacancies cannot exceed registered places."
        if self.postcode:
            if normalise_postcode(self.postcode) is None:
                errors["postcode"] = POSTCODE_MESSAGE
            else:
                self.postcode = normalise_postcode(self.postcode)
        self.postcode_district = compact(self.postcode_district)
        try:
            validate_postcode_district(self.postcode_district)
        except ValidationError as exc:
            errors["postcode_district"] = exc.messages[0]
        specialisms = self.specialisms
        if not isinstance(specialisms, list) or not set(specialisms) <= set(Specialism.values):
            errors["specialisms"] = "Choose specialisms from the list."
        if errors:
            raise ValidationError(errors)


class RatingProposal(models.Model):
    """A provider's correction of a service's Ofsted rating. Providers cannot set the rating
    (it feeds the quality score, and so the ranking): the consortium admin confirms the
    correction, which sets it as a recorded verification, or rejects it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the consortium"
        CONFIRMED = "confirmed", "Confirmed"
        REJECTED = "rejected", "Rejected"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="rating_proposals")
    rating = models.CharField(max_length=30, choices=OfstedRating.choices)
    inspection_date = models.DateField(null=True, blank=True)
    note = models.TextField(help_text="Why the rating on record is wrong, e.g. the report's date.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # None when an API client proposed it (the audit log names the client).
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["service"],
                condition=models.Q(status="pending"),
                name="rating_proposal_one_pending_per_service",
            )
        ]

    def __str__(self):
        return f"{self.service}: {self.get_rating_display()} ({self.get_status_display()})"


ProposalStatus = RatingProposal.Status
# A rating proposal's allowed changes: it is decided once.
RATING_PROPOSAL_STATES = StateMachine(
    ProposalStatus,
    {ProposalStatus.PENDING: {ProposalStatus.CONFIRMED, ProposalStatus.REJECTED}},
    actions={
        "confirm": Action(ProposalStatus.CONFIRMED),
        "reject": Action(ProposalStatus.REJECTED),
    },
    refused=lambda old, new: f"This correction is already {old.label.lower()}.",
)


class Specialism(models.TextChoices):
    CSE = "cse", "Child sexual exploitation"
    CCE = "cce", "Criminal exploitation and county lines"
    AUTISM = "autism", "Autism"
    LEARNING_DISABILITY = "learning_disability", "Learning disabilities"
    MENTAL_HEALTH = "mental_health", "Mental health"
    SUBSTANCE_MISUSE = "substance_misuse", "Substance misuse"
    SOLO = "solo", "Solo placements"
    SIBLINGS = "siblings", "Sibling groups"
    UASC = "uasc", "Unaccompanied asylum-seeking children"
    DISABILITY = "disability", "Physical disabilities"
    THERAPEUTIC = "therapeutic", "Therapeutic care"
    REMAND = "remand", "Remand and youth justice"
