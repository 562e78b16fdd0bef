"""The lots a DPS is divided into; a provider enrols per lot."""

from django.db import models


class Lot(models.Model):
    consortium = models.ForeignKey(
        "dps.Organisation",
        on_delete=models.PROTECT,
        related_name="lots",
        limit_choices_to={"kind": "consortium"},
        help_text="The consortium whose DPS this lot is part of.",
    )
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["consortium", "code"], name="lot_code_unique")
        ]

    def __str__(self):
        return self.name
