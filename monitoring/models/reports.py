"""Quarterly contract monitoring reports (PDF), and who subscribes to them."""

from django.conf import settings
from django.db import models

from dps.state import Action, StateMachine


class ReportSubscription(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_subscription"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.user} subscribes to the quarterly reports"


class Report(models.Model):
    """A quarter's report. "Generate now" queues it (a worker renders it); a report being
    generated again keeps its last PDF until the new one is stored."""

    class Kind(models.TextChoices):
        PROVIDER = "provider", "Provider contract monitoring report"
        CONSORTIUM = "consortium", "Consortium report"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        GENERATING = "generating", "Generating"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    consortium = models.ForeignKey("dps.Organisation", on_delete=models.CASCADE, related_name="+")
    provider = models.ForeignKey(
        "dps.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    pdf = models.FileField(upload_to="reports/%Y/", blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.READY)
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    generated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "consortium", "provider", "period_start"], name="report_unique"
            ),
            # A consortium report has no provider, and NULLs never clash in the one above.
            models.UniqueConstraint(
                fields=["kind", "consortium", "period_start"],
                condition=models.Q(provider__isnull=True),
                name="report_unique_without_provider",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period_start:%Y-%m}"


ReportStatus = Report.Status
# A report's allowed changes. Generating again is a redelivered task's; a report rendered
# there and then (when its file is lost, or by a command) is ready whatever it was.
REPORT_STATES = StateMachine(
    ReportStatus,
    {
        ReportStatus.QUEUED: {ReportStatus.GENERATING, ReportStatus.READY},
        ReportStatus.GENERATING: {
            ReportStatus.GENERATING,
            ReportStatus.READY,
            ReportStatus.FAILED,
        },
        ReportStatus.READY: {ReportStatus.QUEUED},
        ReportStatus.FAILED: {ReportStatus.QUEUED, ReportStatus.READY},
    },
    actions={
        "retry": Action(
            ReportStatus.QUEUED, refused="Only a report that failed can be tried again."
        )
    },
    refused=lambda old, new: f"A report {old.label.lower()} cannot become {new.label.lower()}.",
    owner="consortium_id",
)
