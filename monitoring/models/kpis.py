"""KPI snapshots: each KPI's value for one scope (a borough, provider, service, lot or the whole
consortium) and one period (a month, quarter or year), as computed by a run. Dashboards read
these, never the raw rows. Thresholds per KPI, set by the consortium admin, give the RAG."""

from django.conf import settings
from django.db import models

from dps.state import StateMachine


class KpiRun(models.Model):
    """One recomputation, with its progress for the page that started it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    consortium = models.ForeignKey(
        "dps.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    trigger = models.CharField(max_length=40, default="nightly")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    total_steps = models.PositiveIntegerField(default=0)
    done_steps = models.PositiveIntegerField(default=0)
    snapshots_written = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"KPI run {self.pk} ({self.status})"


RunStatus = KpiRun.Status
# A run's allowed changes: a worker takes it, then it is done or failed.
KPI_RUN_STATES = StateMachine(
    RunStatus,
    {RunStatus.QUEUED: {RunStatus.RUNNING}, RunStatus.RUNNING: {RunStatus.DONE, RunStatus.FAILED}},
    refused=lambda old, new: f"A KPI run {old.label.lower()} cannot become {new.label.lower()}.",
    owner="consortium_id",
)


class KpiSnapshot(models.Model):
    class Scope(models.TextChoices):
        CONSORTIUM = "consortium", "Consortium"
        BOROUGH = "borough", "Borough"
        PROVIDER = "provider", "Provider"
        SERVICE = "service", "Service"
        LOT = "lot", "Lot"

    class Period(models.TextChoices):
        MONTH = "month", "Month"
        QUARTER = "quarter", "Quarter"
        YEAR = "year", "Year"

    kpi = models.CharField(max_length=60)
    # No index of its own: the (consortium, kpi, ...) index below leads with it.
    consortium = models.ForeignKey(
        "dps.Organisation", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    scope = models.CharField(max_length=12, choices=Scope.choices)
    scope_id = models.PositiveBigIntegerField()
    period = models.CharField(max_length=8, choices=Period.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    # The last day the figure counts: the period's end, or, for a period not yet ended when it
    # was computed, that day (the period to date). Pages label the period by it.
    counted_to = models.DateField(null=True, blank=True)
    value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    numerator = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    rag = models.CharField(max_length=5, blank=True)
    # No index: nothing looks snapshots up by run, runs are kept, and a national run would
    # rewrite the index entry of every snapshot it changes.
    run = models.ForeignKey(
        KpiRun, null=True, blank=True, on_delete=models.SET_NULL, db_index=False
    )
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["kpi", "scope", "scope_id", "period", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "consortium", "scope", "scope_id", "period", "period_start"],
                name="kpi_snapshot_unique",
            )
        ]
        indexes = [
            models.Index(fields=["consortium", "kpi", "scope", "period", "period_start"]),
            models.Index(fields=["scope", "scope_id", "kpi", "period"]),
        ]

    def __str__(self):
        return f"{self.kpi} {self.scope} {self.scope_id} {self.period} {self.period_start}"


class KpiThreshold(models.Model):
    """Where a KPI turns amber and red, for one consortium. Whether higher is better is the
    KPI's own (defined in code)."""

    consortium = models.ForeignKey("dps.Organisation", on_delete=models.CASCADE, related_name="+")
    kpi = models.CharField(max_length=60)
    amber_at = models.DecimalField(max_digits=14, decimal_places=4)
    red_at = models.DecimalField(max_digits=14, decimal_places=4)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consortium", "kpi"], name="kpi_threshold_unique")
        ]

    def __str__(self):
        return f"{self.kpi}: amber at {self.amber_at}, red at {self.red_at}"
