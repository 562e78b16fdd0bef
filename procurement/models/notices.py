"""The notices the consortium owes on the Central Digital Platform (Find a Tender), each tracked
from the event that owes it to its publication. docs/procurement.md gives each notice's rule.

A notice describes the service, the lot, the value and the provider: never anything that
identifies a child."""

from django.db import models
from django.db.models import Q


class Notice(models.Model):
    class Kind(models.TextChoices):
        UK4 = "UK4", "UK4 Tender notice"
        UK6 = "UK6", "UK6 Contract award notice"
        UK7 = "UK7", "UK7 Contract details notice"
        UK10 = "UK10", "UK10 Contract change notice"
        UK11 = "UK11", "UK11 Contract termination notice"
        UK12 = "UK12", "UK12 Procurement termination notice"
        UK13 = "UK13", "UK13 Dynamic market notice: intention"
        UK14 = "UK14", "UK14 Dynamic market notice: establishment"
        UK15 = "UK15", "UK15 Dynamic market notice: modification"
        UK16 = "UK16", "UK16 Dynamic market notice: cessation"

    class Status(models.TextChoices):
        DUE = "due", "Due"
        DRAFTED = "drafted", "Drafted"
        PUBLISHED = "published", "Published"

    consortium = models.ForeignKey(
        "dps.Organisation", on_delete=models.PROTECT, related_name="notices"
    )
    kind = models.CharField(max_length=4, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DUE)
    # What owed it, in words ("Award of a placement above the light-touch threshold").
    event = models.CharField(max_length=200)
    due_on = models.DateField()
    # The subject: at most one of these, by kind (none: the arrangement itself).
    placement = models.ForeignKey(
        "placements.Placement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
    )
    request = models.ForeignKey(
        "placements.PlacementRequest",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
    )
    opening = models.ForeignKey(
        "providers.Opening",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
    )
    conditions = models.ForeignKey(
        "providers.ConditionsVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
    )
    # The notice's fields as they will be (drafted) or were (published) sent.
    fields = models.JSONField(default=dict, blank=True)
    fts_notice_id = models.CharField("Find a Tender notice id", max_length=20, blank=True)
    drafted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["consortium", "status", "due_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "placement"],
                condition=Q(placement__isnull=False),
                name="notice_one_per_placement",
            ),
            models.UniqueConstraint(
                fields=["kind", "request"],
                condition=Q(request__isnull=False),
                name="notice_one_per_request",
            ),
            models.UniqueConstraint(
                fields=["kind", "opening"],
                condition=Q(opening__isnull=False),
                name="notice_one_per_opening",
            ),
            models.UniqueConstraint(
                fields=["kind", "conditions"],
                condition=Q(conditions__isnull=False),
                name="notice_one_per_conditions",
            ),
            models.UniqueConstraint(
                fields=["consortium", "kind"],
                condition=Q(
                    placement__isnull=True,
                    request__isnull=True,
                    opening__isnull=True,
                    conditions__isnull=True,
                ),
                name="notice_one_per_arrangement",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} due {self.due_on:%d %b %Y}"
