"""The quality score: the consortium's weights, and every computation kept with its inputs."""

from django.core.exceptions import ValidationError
from django.db import models

COMPONENTS = ["inspection", "outcomes", "compliance", "responsiveness"]


class QualityWeights(models.Model):
    """How much each part counts, in percent, set by the consortium admin; they total 100."""

    consortium = models.OneToOneField(
        "dps.Organisation", on_delete=models.CASCADE, related_name="quality_weights"
    )
    inspection = models.PositiveSmallIntegerField(default=40)
    outcomes = models.PositiveSmallIntegerField(default=30)
    compliance = models.PositiveSmallIntegerField(default=20)
    responsiveness = models.PositiveSmallIntegerField(default=10)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        "dps.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self):
        return f"Quality weights of {self.consortium}"

    def as_dict(self):
        return {name: getattr(self, name) for name in COMPONENTS}

    def clean(self):
        if sum(self.as_dict().values()) != 100:
            raise ValidationError("The weights must total 100%.")


class QualityScore(models.Model):
    """One computation of a provider's score, with everything it was computed from."""

    provider = models.ForeignKey(
        "dps.Organisation", on_delete=models.CASCADE, related_name="quality_scores"
    )
    consortium = models.ForeignKey("dps.Organisation", on_delete=models.CASCADE, related_name="+")
    computed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    total = models.DecimalField(max_digits=5, decimal_places=2)
    inspection = models.DecimalField(max_digits=5, decimal_places=2)
    outcomes = models.DecimalField(max_digits=5, decimal_places=2)
    compliance = models.DecimalField(max_digits=5, decimal_places=2)
    responsiveness = models.DecimalField(max_digits=5, decimal_places=2)
    weights = models.JSONField()
    inputs = models.JSONField(help_text="What each part was computed from, to explain it later.")
    trigger = models.CharField(max_length=80, help_text="What caused the computation.")

    class Meta:
        ordering = ["-computed_at", "-id"]
        indexes = [models.Index(fields=["provider", "consortium", "-computed_at"])]

    def __str__(self):
        return f"{self.provider}: {self.total} at {self.computed_at:%Y-%m-%d %H:%M}"
