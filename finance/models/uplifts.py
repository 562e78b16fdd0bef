"""Fee uplift rounds: the consortium admin opens one (a percentage from an effective date,
for some lots, with a closing date for requests); providers ask for it on their placements
with a reason and evidence; the borough (or, for a framework-wide round, the consortium)
agrees, agrees in part or refuses; each fee agreed becomes a dated fee row on its placement."""

from django.conf import settings
from django.db import models

from dps.state import Action, StateMachine


class UpliftRound(models.Model):
    class DecidedBy(models.TextChoices):
        BOROUGH = "borough", "Each borough, for its placements"
        CONSORTIUM = "consortium", "The consortium, framework-wide"

    consortium = models.ForeignKey("dps.Organisation", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=120)
    percent = models.DecimalField(max_digits=5, decimal_places=2)
    effective_date = models.DateField()
    requests_close = models.DateField()
    lots = models.ManyToManyField("providers.Lot", related_name="+")
    decided_by = models.CharField(
        max_length=10, choices=DecidedBy.choices, default=DecidedBy.BOROUGH
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_date", "-id"]

    def __str__(self):
        return self.name


class UpliftRequest(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", "Awaiting decision"
        AGREED = "agreed", "Agreed"
        AGREED_IN_PART = "agreed_in_part", "Agreed in part"
        REFUSED = "refused", "Refused"

    round = models.ForeignKey(UpliftRound, on_delete=models.PROTECT, related_name="requests")
    provider = models.ForeignKey("dps.Organisation", on_delete=models.PROTECT, related_name="+")
    # The borough whose placements it covers: each borough decides its own (or the consortium).
    borough = models.ForeignKey("dps.Organisation", on_delete=models.PROTECT, related_name="+")
    percent = models.DecimalField(max_digits=5, decimal_places=2)
    reason = models.TextField()
    evidence = models.FileField(upload_to="uplift-evidence/%Y/", blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED)
    agreed_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "provider", "borough"], name="uplift_request_one_per_borough"
            )
        ]

    def __str__(self):
        return f"{self.provider} asks {self.percent}% in {self.round}"


UpliftStatus = UpliftRequest.Status
UPLIFT_STATES = StateMachine(
    UpliftStatus,
    {
        UpliftStatus.REQUESTED: {
            UpliftStatus.AGREED,
            UpliftStatus.AGREED_IN_PART,
            UpliftStatus.REFUSED,
        }
    },
    actions={
        "decide": Action(
            sources={UpliftStatus.REQUESTED}, refused="This request has already been decided."
        ),
    },
    owner="borough_id",
)


class UpliftLine(models.Model):
    """A placement an uplift request covers: its fee on the effective date, the fee asked, and
    once decided the fee agreed (null: not agreed) and the fee row that carries it."""

    request = models.ForeignKey(UpliftRequest, on_delete=models.CASCADE, related_name="lines")
    placement = models.ForeignKey(
        "placements.Placement", on_delete=models.PROTECT, related_name="+"
    )
    fee_before = models.DecimalField(max_digits=9, decimal_places=2)
    fee_asked = models.DecimalField(max_digits=9, decimal_places=2)
    fee_agreed = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    fee = models.OneToOneField(
        "placements.Fee", null=True, blank=True, on_delete=models.PROTECT, related_name="uplift"
    )

    class Meta:
        ordering = ["request", "placement"]
        constraints = [
            models.UniqueConstraint(fields=["request", "placement"], name="uplift_line_unique")
        ]

    def __str__(self):
        return f"Uplift of placement {self.placement_id}"
