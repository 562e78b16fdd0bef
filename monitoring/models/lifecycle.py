"""A placement over time: its reviews (needs re-scored, outcomes progress, education). Its
start and end are on the placement itself; its fee over time is its schedule
(placements.models.fees)."""

from django.conf import settings
from django.db import models

from providers.needs import validate_needs


class EducationStatus(models.TextChoices):
    ATTENDING = "attending", "Attending school"
    NOT_ATTENDING = "not_attending", "Not attending school"
    EET = "eet", "In education, employment or training (16+)"
    NEET = "neet", "Not in education, employment or training (16+)"
    NOT_APPLICABLE = "not_applicable", "Not of school age"


class PlacementReview(models.Model):
    class Progress(models.TextChoices):
        ACHIEVED = "achieved", "Achieved"
        IMPROVING = "improving", "Improving"
        NO_CHANGE = "no_change", "No change"
        WORSE = "worse", "Worse"

    placement = models.ForeignKey(
        "placements.Placement", on_delete=models.PROTECT, related_name="reviews"
    )
    review_date = models.DateField(db_index=True)
    needs = models.JSONField(validators=[validate_needs], help_text="The twelve needs re-scored.")
    needs_total = models.PositiveSmallIntegerField(default=0)
    outcomes_progress = models.JSONField(
        default=dict, blank=True, help_text="Per domain: {progress, note}."
    )
    education_status = models.CharField(max_length=20, choices=EducationStatus.choices)
    attendance_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-review_date", "-id"]
        indexes = [models.Index(fields=["placement", "-review_date"])]

    def __str__(self):
        return f"Review of {self.placement} on {self.review_date}"
