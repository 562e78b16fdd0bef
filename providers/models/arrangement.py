"""The consortium's arrangement as the law sees it: its legal basis, the conditions of
membership in force, the reopenings of an open framework, and the suppliers excluded from it.
docs/procurement.md gives each rule with its source.

- A dynamic purchasing system set up under the Public Contracts Regulations 2015 carries on
  only until 24 February 2029, expiring at the end of the day before (the Procurement Act 2023
  (Commencement No. 3 and Transitional and Saving Provisions) Regulations 2024, reg. 5(4)).
- A dynamic market (Procurement Act 2023, ss.34-40) takes applications at any time, decides
  them within a reasonable period, and never caps its membership; its conditions of membership
  are fixed unless the market is modified (s.39, with a UK15 notice).
- An open framework (s.49) is a scheme of frameworks awarded again at least once in its first
  three years and once in every five after the second award, ending eight years after the first
  award; suppliers apply only while it is open (a reopening)."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q

# The last day a legacy DPS may run. SI 2024/716 reg. 5(4) as made let a PCR 2015 DPS run to
# the end of 27 October 2028, the day before four years from the Act's coming into force (28
# October 2024); SI 2024/959 moved that to 24 February 2025, so it expires at the end of 23
# February 2029 (not 24 February: the earlier reading never lets a DPS outlive the law).
LEGACY_DPS_LAST_DAY = date(2029, 2, 23)
# The light-touch threshold, including VAT, from 1 January 2026 (Procurement Act 2023 Sch. 1,
# as amended by SI 2025/1200): the default of a consortium's setting.
LIGHT_TOUCH_THRESHOLD = 663_540


class Arrangement(models.Model):
    """The consortium's arrangement: one per consortium, set by its admin."""

    class Basis(models.TextChoices):
        LEGACY_DPS = "legacy_dps", "Dynamic purchasing system (Public Contracts Regulations 2015)"
        DYNAMIC_MARKET = "dynamic_market", "Dynamic market (Procurement Act 2023)"
        OPEN_FRAMEWORK = "open_framework", "Open framework (Procurement Act 2023)"

    consortium = models.OneToOneField(
        "dps.Organisation",
        on_delete=models.PROTECT,
        related_name="arrangement",
        limit_choices_to={"kind": "consortium"},
    )
    basis = models.CharField(max_length=20, choices=Basis.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(
        blank=True, help_text="The services bought through it, as notices describe them."
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    # Dynamic market and legacy DPS: applications are decided within this many days.
    decision_days = models.PositiveSmallIntegerField(default=10)
    # Light-touch threshold (GBP, including VAT) and how a placement's value is worked out.
    light_touch_threshold = models.DecimalField(
        max_digits=12, decimal_places=2, default=LIGHT_TOUCH_THRESHOLD
    )
    vat_percent = models.DecimalField(
        "VAT on fees (%)",
        max_digits=4,
        decimal_places=2,
        default=0,
        help_text="0 where fees are exempt from VAT, as care by a registered provider usually is.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.title} ({self.get_basis_display()})"


class ConditionsVersion(models.Model):
    """The conditions of membership (a dynamic market's, a legacy DPS's selection criteria) or a
    framework's award criteria, as in force from a moment. An application is judged against the
    version in force when it was submitted; a new version is a recorded modification."""

    arrangement = models.ForeignKey(
        Arrangement, on_delete=models.PROTECT, related_name="conditions"
    )
    number = models.PositiveSmallIntegerField()
    text = models.TextField()
    in_force_from = models.DateTimeField()
    reason = models.TextField(blank=True, help_text="Why the conditions changed (a modification).")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["arrangement", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["arrangement", "number"], name="conditions_version_number_unique"
            )
        ]

    def __str__(self):
        return f"Conditions version {self.number}"


class Opening(models.Model):
    """A window in which suppliers may apply to an open framework (its first opening or a
    reopening), and the date the framework it leads to is awarded."""

    arrangement = models.ForeignKey(Arrangement, on_delete=models.PROTECT, related_name="openings")
    opens_on = models.DateField()
    closes_on = models.DateField()
    awards_on = models.DateField(help_text="When the framework this opening leads to is awarded.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["arrangement", "opens_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on"))
                & Q(awards_on__gte=models.F("closes_on")),
                name="opening_dates_in_order",
            )
        ]

    def __str__(self):
        return f"Opening {self.opens_on:%d %b %Y} to {self.closes_on:%d %b %Y}"


class Exclusion(models.Model):
    """A supplier found excluded (a mandatory ground, Procurement Act 2023 Sch. 6) or excludable
    (a discretionary ground, Sch. 7), from the consortium's own assessment or the central
    debarment list. An excluded supplier is removed from every lot and open competition and
    cannot bid; an excludable one is removed when the consortium decides so."""

    class Kind(models.TextChoices):
        EXCLUDED = "excluded", "Excluded (mandatory ground)"
        EXCLUDABLE = "excludable", "Excludable (discretionary ground)"

    class Source(models.TextChoices):
        ASSESSMENT = "assessment", "The consortium's own assessment"
        DEBARMENT_LIST = "debarment_list", "The central debarment list"

    consortium = models.ForeignKey(
        "dps.Organisation", on_delete=models.PROTECT, related_name="exclusions"
    )
    provider = models.ForeignKey(
        "dps.Organisation", on_delete=models.PROTECT, related_name="exclusions_of"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    ground = models.CharField(
        max_length=300, help_text="The ground, with its paragraph of Schedule 6 or 7."
    )
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.ASSESSMENT)
    found_on = models.DateField()
    reason = models.TextField()
    removed = models.BooleanField(
        default=False, help_text="Removed from the lots and open competitions."
    )
    lifted_on = models.DateField(null=True, blank=True)
    lifted_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-found_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["consortium", "provider"],
                condition=Q(lifted_on__isnull=True),
                name="exclusion_one_in_force",
            )
        ]

    def __str__(self):
        return f"{self.provider}: {self.get_kind_display()}"
