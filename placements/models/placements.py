"""A placement: what an award becomes, with its Individual Placement Agreement; also a placement
made outside the DPS (a spot purchase) or read from the borough's SSDA903 return, so the share
made through the DPS and the stability of every child's care can be measured."""

from django.conf import settings
from django.db import models

from dps.state import Action, StateMachine


class Placement(models.Model):
    class Status(models.TextChoices):
        AWARDED = "awarded", "Awarded, not yet started"
        STARTED = "started", "Started"
        ENDED = "ended", "Ended"

    class Source(models.TextChoices):
        DPS = "dps", "Through the DPS"
        SPOT = "spot", "Spot purchase"
        SSDA903 = "ssda903", "SSDA903 return"

    request = models.OneToOneField(
        "placements.PlacementRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="placement",
    )
    bid = models.OneToOneField(
        "placements.Bid", null=True, blank=True, on_delete=models.PROTECT, related_name="placement"
    )
    borough = models.ForeignKey(
        "dps.Organisation", on_delete=models.PROTECT, related_name="borough_placements"
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.DPS)
    # A placement read from an SSDA903 return may be with no provider on the DPS (in-house
    # foster care, or a setting whose URN matches no service).
    provider = models.ForeignKey(
        "dps.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="provider_placements",
    )
    service = models.ForeignKey(
        "providers.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    child = models.ForeignKey(
        "placements.Child",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="placements",
    )
    lot = models.ForeignKey(
        "providers.Lot", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    child_reference = models.CharField(max_length=40, blank=True)
    # A spot purchase from a provider not on the DPS: its name, as the borough gives it.
    spot_provider_name = models.CharField(max_length=200, blank=True)
    weekly_fee = models.DecimalField(max_digits=9, decimal_places=2)
    # Where the child is placed against their home, as the DfE measures it, fixed at award:
    # miles from the home (null: not known, with the geography.selectors.Unknown reason), the
    # council whose area the service is in, and whether that is outside the borough's
    # boundary (null: not known).
    distance_miles = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    distance_unknown = models.CharField(max_length=20, blank=True)
    council = models.CharField(max_length=9, blank=True)
    outside_boundary = models.BooleanField(null=True, blank=True)
    # The request's total needs score (its total_need_score), kept when the placement
    # is made, so that fee-against-need reads placements alone; null without a request.
    needs_total = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    start_date = models.DateField()
    planned_end_date = models.DateField(null=True, blank=True)
    actual_start_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.AWARDED)
    award_reason = models.TextField(
        blank=True, help_text="Why a bid other than the top-ranked one was chosen."
    )
    # A direct award because the child or family chose the provider (a user choice contract,
    # Procurement Act 2023 Sch. 5 para. 15): its grounds. Blank: not such an award.
    user_choice_grounds = models.TextField(blank=True)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    awarded_at = models.DateTimeField(auto_now_add=True)
    ipa_pdf = models.FileField(upload_to="ipa/%Y/%m/", blank=True)
    # The ending (monitoring records it): when, planned or not, why (the DfE reason for a
    # change of placement) and where the child went.
    end_date = models.DateField(null=True, blank=True)
    end_planned = models.BooleanField(null=True, blank=True)
    end_reason = models.CharField(max_length=10, blank=True)
    destination = models.CharField(max_length=200, blank=True)
    # From an SSDA903 episode: its placement type (PLACE) and legal status (LS) codes.
    placement_type = models.CharField(max_length=4, blank=True)
    legal_status = models.CharField(max_length=4, blank=True)
    # A placement an SSDA903 return leaves open is known to run only to the end of that
    # return's year (31 March): the KPIs count it as running until then, not to today, until a
    # later return or a recorded ending says more. Null: open with no such limit.
    known_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-awarded_at", "-id"]
        indexes = [
            models.Index(fields=["borough", "-awarded_at"]),
            models.Index(fields=["provider", "-awarded_at"]),
            models.Index(fields=["borough", "start_date"]),
            models.Index(fields=["provider", "start_date"]),
        ]

    def __str__(self):
        return f"Placement {self.pk} with {self.provider}"


PlacementStatus = Placement.Status
# A placement's one table: the borough records its start (placements) and its ending
# (monitoring), each through this machine.
PLACEMENT_STATES = StateMachine(
    PlacementStatus,
    {
        PlacementStatus.AWARDED: {PlacementStatus.STARTED},
        PlacementStatus.STARTED: {PlacementStatus.ENDED},
    },
    actions={
        "start": Action(PlacementStatus.STARTED, refused="This placement has already started."),
        "review": Action(
            sources={PlacementStatus.STARTED},
            refused="Reviews are recorded for a placement that has started and not ended.",
        ),
        "change_fee": Action(
            sources={PlacementStatus.STARTED, PlacementStatus.ENDED},
            refused="Change the fee once the placement has started.",
        ),
        "end": Action(
            PlacementStatus.ENDED,
            refused=lambda status: (
                "This placement has already ended."
                if status == PlacementStatus.ENDED
                else "Record the start before the ending."
            ),
        ),
    },
    refused=lambda old, new: f"A placement {old.label.lower()} cannot become {new.label.lower()}.",
    owner="borough_id",
)


class Child(models.Model):
    """A child as a borough knows them: its own reference (the SSDA903 CHILD id), never a name.
    Placements of the same child are linked through it, for the stability measures."""

    borough = models.ForeignKey("dps.Organisation", on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=40)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=10, blank=True)
    ethnicity = models.CharField(max_length=10, blank=True)
    # The date the child started to be looked after continuously, for long-term stability.
    looked_after_since = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["borough", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["borough", "reference"], name="child_unique")
        ]

    def __str__(self):
        return self.reference
