"""Forms of the monitoring visits' pages."""

from django import forms

from dps.forms import GovukFormMixin
from placements.forms.requests import DATE_FORMATS, DATE_INVALID
from providers.models import Service

from ..models import Rag


def date_field(label, *, required=True, help_text="For example, 27/03/2025."):
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        help_text=help_text,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10"}),
        error_messages={"invalid": DATE_INVALID, "required": f"Enter the {label.lower()}."},
    )


class VisitRecordForm(GovukFormMixin, forms.Form):
    visited_on = date_field("Date of the visit")
    findings = forms.CharField(
        label="Findings", max_length=20000, widget=forms.Textarea(attrs={"rows": 6})
    )
    rag = forms.ChoiceField(label="Result", choices=Rag.choices, widget=forms.RadioSelect)


class VisitCancelForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why is the visit cancelled?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the visit is cancelled."},
    )


class VisitScheduleForm(GovukFormMixin, forms.Form):
    service: "forms.ModelChoiceField[Service]" = forms.ModelChoiceField(
        label="Service", queryset=None, empty_label="Choose a service"
    )
    due_date = date_field("Due date")

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        self.fields["service"].label_from_instance = lambda s: f"{s.provider.name}: {s.name}"
