"""A borough's SSDA903 returns (the DfE's looked-after children return): each upload with its
validation and import, and the episodes of care it records, from which the DfE's own measures
(children looked after on 31 March, placement stability, ...) are computed."""

import uuid
from datetime import date

from django.conf import settings
from django.db import models

from dps.periods import return_year
from dps.state import Action, StateMachine


def return_file_path(instance, filename):
    # The stored name says nothing about the borough or the file; the original name is a field.
    return f"ssda903/{instance.borough_id}/{uuid.uuid4().hex}"


class Ssda903Return(models.Model):
    """One upload of a borough's return for a year: queued, validated (every problem found is
    an Ssda903Issue), then, when the user chooses, imported (the valid children only)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be checked"
        VALIDATING = "validating", "Being checked"
        VALIDATED = "validated", "Checked: waiting for your decision"
        REFUSED = "refused", "Refused: the files cannot be read as this return"
        IMPORTING = "importing", "Being imported"
        IMPORTED = "imported", "Imported"
        DISCARDED = "discarded", "Not imported"
        FAILED = "failed", "Failed"

    borough = models.ForeignKey("dps.Organisation", on_delete=models.CASCADE, related_name="+")
    # The return year: 1 April (year_ending - 1) to 31 March year_ending.
    year_ending = models.PositiveSmallIntegerField()
    header_file = models.FileField(upload_to=return_file_path, max_length=200)
    episodes_file = models.FileField(upload_to=return_file_path, max_length=200)
    header_name = models.CharField(max_length=255)
    episodes_name = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who ran it when no user did (the command line).
    label = models.CharField(max_length=60, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    # What the worker is doing now, and how far it has got, for the page that shows progress.
    stage = models.CharField(max_length=200, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    # Problems with the files as a whole (wrong delimiter, encoding, year, missing columns):
    # a list of messages; with any, the return is refused and nothing can be imported.
    problems = models.JSONField(default=list, blank=True)
    # Counts found by the validation: children and episodes read, and how many are valid.
    children_total = models.PositiveIntegerField(default=0)
    children_valid = models.PositiveIntegerField(default=0)
    episodes_total = models.PositiveIntegerField(default=0)
    issues_total = models.PositiveIntegerField(default=0)
    # What the import did (created, updated, unchanged, unmatched URNs, ...).
    report = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    validated_at = models.DateTimeField(null=True, blank=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["borough", "-created_at"])]

    def __str__(self):
        return f"SSDA903 return {self.year_ending} of {self.borough_id} ({self.status})"

    @property
    def year_start(self):
        return return_year(self.year_ending).start

    @property
    def year_end(self):
        return return_year(self.year_ending).end


ReturnStatus = Ssda903Return.Status
# A return's allowed changes: a worker checks it, the user imports or discards it, a worker
# imports it; a step that fails leaves it failed.
SSDA903_RETURN_STATES = StateMachine(
    ReturnStatus,
    {
        ReturnStatus.QUEUED: {ReturnStatus.VALIDATING, ReturnStatus.FAILED},
        ReturnStatus.VALIDATING: {
            ReturnStatus.VALIDATED,
            ReturnStatus.REFUSED,
            ReturnStatus.FAILED,
        },
        ReturnStatus.VALIDATED: {ReturnStatus.IMPORTING, ReturnStatus.DISCARDED},
        ReturnStatus.IMPORTING: {ReturnStatus.IMPORTED, ReturnStatus.FAILED},
    },
    actions={
        "import": Action(ReturnStatus.IMPORTING),
        "discard": Action(ReturnStatus.DISCARDED),
    },
    refused=lambda old, new: f"A return {old.label.lower()} cannot become {new}.",
    owner="borough_id",
)


class Ssda903Issue(models.Model):
    """One problem found in a return: a DfE validation rule a row breaks (with the rule's code),
    or a check of ours (a code starting with "DPS")."""

    ssda903_return = models.ForeignKey(
        Ssda903Return, on_delete=models.CASCADE, related_name="issues"
    )
    file = models.CharField(max_length=20)  # header or episodes
    line = models.PositiveIntegerField(null=True, blank=True)  # in the file, header row = 1
    child = models.CharField(max_length=40, blank=True)
    code = models.CharField(max_length=20)
    message = models.TextField()
    fields = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["ssda903_return", "file", "line", "id"]

    def __str__(self):
        return f"{self.file} line {self.line}: {self.code}"


class CareEpisode(models.Model):
    """An episode of care, as a return records it: a new one starts whenever the child's
    placement or legal status changes (its RNE says which). The codes are the DfE's own.

    An episode a return leaves open (no DEC) is known to run only to the end of that return's
    year (`year_ending`), until a later return says more (`ends`)."""

    borough = models.ForeignKey("dps.Organisation", on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey(
        "placements.Child", on_delete=models.CASCADE, related_name="care_episodes"
    )
    decom = models.DateField()
    # The episode's order among the child's episodes starting on the same day (its order in
    # the file), so several episodes on one day are kept apart.
    seq = models.PositiveSmallIntegerField(default=0)
    rne = models.CharField(max_length=1)
    ls = models.CharField(max_length=2)
    cin = models.CharField(max_length=2, blank=True)
    place = models.CharField(max_length=2)
    place_provider = models.CharField(max_length=3, blank=True)
    dec = models.DateField(null=True, blank=True)
    rec = models.CharField(max_length=3, blank=True)
    reason_place_change = models.CharField(max_length=6, blank=True)
    home_post = models.CharField(max_length=8, blank=True)
    pl_post = models.CharField(max_length=8, blank=True)
    urn = models.CharField(max_length=8, blank=True)
    # Derived at import from PL_POST and HOME_POST by the DfE's validator (the ONS Postcode
    # Directory): the upper-tier local authority of the placement (or SCO, WAL, NIR), whether
    # that is the borough's own area (IN) or not (OUT; blank: not known), and the straight-line
    # distance from home in miles (null: not known).
    pl_la = models.CharField(max_length=9, blank=True)
    pl_location = models.CharField(max_length=3, blank=True)
    pl_distance = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    # Why the distance is not known (a geography.selectors.Unknown value; blank when it is):
    # HOME_POST or PL_POST blank (not_given), or a postcode not in the directory, terminated
    # or without a grid reference. Found at import, for every episode of the batch at once.
    distance_unknown = models.CharField(max_length=20, blank=True)
    # The latest return that carried this episode: an older return never overwrites it.
    year_ending = models.PositiveSmallIntegerField()
    # The first day the child is no longer in this episode: its DEC (the day it ceased), or,
    # while it is open, 1 April after the year of the latest return that carried it. The child
    # is in the episode on the days from DECOM up to the day before `ends`.
    ends = models.DateField()

    class Meta:
        ordering = ["child", "decom", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["child", "decom", "seq"], name="care_episode_unique")
        ]
        indexes = [models.Index(fields=["borough", "decom", "ends"])]

    def __str__(self):
        return f"{self.child_id} {self.decom} {self.rne}"

    @staticmethod
    def ends_for(dec, year_ending):
        return dec if dec is not None else date(year_ending, 4, 1)
