"""Forms of the corrective action plans' pages."""

from django import forms

from dps.forms import GovukFormMixin
from dps.models import Organisation
from providers.models import Enrolment

from ..models import CorrectiveAction
from .visits import date_field


class PlanOpenForm(GovukFormMixin, forms.Form):
    provider: "forms.ModelChoiceField[Organisation]" = forms.ModelChoiceField(
        label="Provider", queryset=None, empty_label="Choose a provider"
    )
    kpi = forms.ChoiceField(label="KPI breached (if any)", required=False)
    reason = forms.CharField(
        label="Why is the plan needed?",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Enter why the plan is needed: the performance or concern it is to put "
            "right."
        },
    )
    review_date = date_field("First review date")
    description = forms.CharField(
        label="First action",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="You can add more actions on the plan's page.",
    )
    owner = forms.CharField(label="Who owns the action", required=False, max_length=200)
    due_date = date_field("Action due date", required=False)
    snapshot = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, providers, kpis, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        self.fields["kpi"].choices = [("", "None"), *kpis]

    def clean(self):
        data = super().clean()
        action = [data.get("description"), data.get("owner"), data.get("due_date")]
        if any(action) and not all(action):
            for name, value in zip(("description", "owner", "due_date"), action, strict=True):
                if not value and name not in self.errors:
                    self.add_error(name, "Give the action's description, owner and due date.")
        return data

    def actions(self):
        data = self.cleaned_data
        if not data.get("description"):
            return []
        return [{k: data[k] for k in ("description", "owner", "due_date")}]


class ActionAddForm(GovukFormMixin, forms.Form):
    description = forms.CharField(
        label="Action", max_length=20000, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = forms.CharField(label="Who owns it", max_length=200)
    due_date = date_field("Due date")


class ActionUpdateForm(GovukFormMixin, forms.Form):
    status = forms.ChoiceField(
        label="Status", choices=CorrectiveAction.Status.choices, widget=forms.RadioSelect
    )
    review_note = forms.CharField(
        label="Review note",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when the action is done: what was done, and the evidence.",
    )


class PlanReviewForm(GovukFormMixin, forms.Form):
    note = forms.CharField(
        label="Review note", max_length=20000, widget=forms.Textarea(attrs={"rows": 4})
    )
    next_review_date = date_field("Next review date", required=False)


class PlanCloseForm(GovukFormMixin, forms.Form):
    closing_note = forms.CharField(
        label="Closing note", max_length=20000, widget=forms.Textarea(attrs={"rows": 4})
    )
    close_with_open_actions = forms.BooleanField(
        label="Close the plan although some actions are not done (say why in the note)",
        required=False,
    )


class PlanSuspendForm(GovukFormMixin, forms.Form):
    enrolment: "forms.ModelChoiceField[Enrolment]" = forms.ModelChoiceField(
        label="Enrolment", queryset=None, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label="Reason for the suspension",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter the reason for the suspension: what in the plan was not put "
            "right. The provider is told it."
        },
    )

    def __init__(self, *args, enrolments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enrolment"].queryset = enrolments
        self.fields["enrolment"].label_from_instance = lambda e: e.lot.name
