"""The append-only audit log: who did what to which object, when, and from where; and every
change of an object's status, with who made it and why."""

from django.db import models
from django.utils import timezone


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError(self.model.APPEND_ONLY)

    def delete(self):
        raise TypeError(self.model.APPEND_ONLY)


class AppendOnly(models.Model):
    """A record that is written once and never changed or deleted (integrity, not business
    logic): its queryset, save and delete refuse with the model's APPEND_ONLY message."""

    APPEND_ONLY = "This record is append-only."

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError(self.APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(self.APPEND_ONLY)


class AuditEvent(AppendOnly):
    APPEND_ONLY = "The audit log is append-only."

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_user = models.ForeignKey(
        "dps.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_api_client = models.ForeignKey(
        "dps.ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The actor as they were named then, so the row reads the same after renames.
    actor_label = models.CharField(max_length=255)
    organisation = models.ForeignKey(
        "dps.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The organisation the actor acted for.",
    )
    action = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"


class StatusChange(AppendOnly):
    """One change of an object's status, made through its state machine (dps.state): which
    object, which field, from what to what, who made it (a person, an API client or the
    system), for which organisation, why and when. Each app's own timeline rows (a request's
    transitions, an application's) are kept as well; this is the one list across them."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    # The object, as the audit log names one: its model's label and its key.
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    field = models.CharField(max_length=40, default="status")
    old_status = models.CharField(max_length=30)
    new_status = models.CharField(max_length=30)
    actor_user = models.ForeignKey(
        "dps.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_api_client = models.ForeignKey(
        "dps.ApiClient", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=255)
    organisation = models.ForeignKey(
        "dps.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The organisation the actor acted for; for the system, the object's owner.",
    )
    reason = models.TextField(blank=True)

    APPEND_ONLY = "Status changes are append-only."

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.object_type} {self.object_id}: "
            f"{self.old_status} → {self.new_status}"
        )
