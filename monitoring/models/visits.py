"""Monitoring visits to providers' services: scheduled, then recorded with findings and a RAG."""

from django.conf import settings
from django.db import models

from dps.state import Action, StateMachine


class Rag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class MonitoringVisit(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    service = models.ForeignKey(
        "providers.Service", on_delete=models.PROTECT, related_name="monitoring_visits"
    )
    provider = models.ForeignKey(
        "dps.Organisation", on_delete=models.PROTECT, related_name="monitoring_visits"
    )
    consortium = models.ForeignKey("dps.Organisation", on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField(db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    visited_on = models.DateField(null=True, blank=True)
    findings = models.TextField(blank=True)
    rag = models.CharField(max_length=5, choices=Rag.choices, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["provider", "status", "due_date"])]

    def __str__(self):
        return f"Visit to {self.service} due {self.due_date}"


VisitStatus = MonitoringVisit.Status
# A visit is recorded or cancelled once; either ends it.
VISIT_STATES = StateMachine(
    VisitStatus,
    {VisitStatus.SCHEDULED: {VisitStatus.COMPLETED, VisitStatus.CANCELLED}},
    actions={"record": Action(VisitStatus.COMPLETED), "cancel": Action(VisitStatus.CANCELLED)},
    refused=lambda old, new: f"This visit is {old.label.lower()}, so it cannot be changed.",
    owner="consortium_id",
)
