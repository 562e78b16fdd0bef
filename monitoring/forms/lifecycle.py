"""Forms of the placement lifecycle pages: a review, a change of fee, the ending and a spot
purchase. Each checks its input's shape; the rules are the services' (monitoring.services.
lifecycle), whose refusals are shown beside the field they name."""

from django import forms

from dps.forms import GovukFormMixin
from placements.forms.requests import _date, _number, _text, need_field
from placements.models import Fee
from providers.models import Lot, Service
from providers.needs import DOMAINS, INDICATORS, SCORES

from ..models import EducationStatus, PlacementReview
from ..services.lifecycle import CHANGE_KINDS
from ..ssda903_codes import END_REASON_CHOICES

SCORE_CHOICES = [(str(score), label) for score, label in SCORES]
PROGRESS_CHOICES = [("", "Choose"), *PlacementReview.Progress.choices]


def progress_field(domain):
    return f"progress_{domain}"


def progress_note_field(domain):
    return f"progress_note_{domain}"


def _fee_field(label="Weekly fee"):
    return forms.DecimalField(
        label=label,
        max_digits=9,
        decimal_places=2,
        min_value=0,
        help_text="In pounds, for example 3500.00.",
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "class": "govuk-input govuk-input--width-10"}
        ),
        error_messages={
            "required": "Enter the weekly fee.",
            "invalid": "Enter the weekly fee in pounds, like 3500.00.",
            "min_value": "The weekly fee must be more than £0.",
            "max_digits": "The weekly fee is too large.",
            "max_whole_digits": "The weekly fee is too large.",
            "max_decimal_places": "Enter the fee in pounds and pence, like 3500.50.",
        },
    )


class ReviewFormBase(GovukFormMixin, forms.Form):
    """The twelve needs (all required), progress on each desired outcome (required for the
    request's desired outcomes; offered for every domain when there is no request), the child's
    education and notes. Made by `ReviewForm`, which declares the fields."""

    need_names = [need_field(code) for code, _, _ in INDICATORS]
    domain_rows: list[tuple[str, str]] = []

    def needs_fields(self):
        return [self[name] for name in self.need_names]

    def service_data(self):
        data = self.cleaned_data
        progress = {}
        for code, _label in self.domain_rows:
            value = data.get(progress_field(code))
            if value:
                progress[code] = {"progress": value, "note": data.get(progress_note_field(code))}
        return {
            "review_date": data["review_date"],
            "needs": {name.removeprefix("need_"): data[name] for name in self.need_names},
            "outcomes_progress": progress,
            "education_status": data["education_status"],
            "attendance_percent": data.get("attendance_percent"),
            "notes": data.get("notes") or "",
        }

    @staticmethod
    def field_for(service_field):
        return {"needs": None, "outcomes_progress": None}.get(service_field, service_field)


def review_form(data=None, *, domains, required_domains, **kwargs):
    """A review form offering progress on `domains`, required on `required_domains`."""
    fields = {"review_date": _date("Date of the review", required=True)}
    fields["review_date"].error_messages["required"] = "Enter the date of the review."
    for code, label, _domain in INDICATORS:
        fields[need_field(code)] = forms.TypedChoiceField(
            label=label,
            choices=SCORE_CHOICES,
            coerce=int,
            widget=forms.RadioSelect,
            error_messages={"required": f"Score {label.lower()} from 0 to 3."},
        )
    rows = [(code, label) for code, label in DOMAINS if code in domains]
    for code, label in rows:
        fields[progress_field(code)] = forms.ChoiceField(
            label=f"{label}: progress",
            choices=PROGRESS_CHOICES,
            required=code in required_domains,
            error_messages={"required": f"Choose the progress on {label}."},
        )
        fields[progress_note_field(code)] = forms.CharField(
            label=f"{label}: note",
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 2}),
            error_messages={"max_length": "The note must be 2000 characters or fewer."},
        )
    fields["education_status"] = forms.ChoiceField(
        label="Education",
        choices=EducationStatus.choices,
        widget=forms.RadioSelect,
        help_text="School age: attending or not. 16 and over: in education, employment or "
        "training, or not.",
        error_messages={"required": "Choose the child's education status."},
    )
    fields["attendance_percent"] = _number(
        "School attendance in percent",
        min_value=0,
        max_value=100,
        help_text="For a child of school age.",
    )
    fields["notes"] = _text("Notes", rows=4)
    form_class = type("ReviewForm", (ReviewFormBase,), {**fields, "domain_rows": rows})
    return form_class(data, **kwargs)


class FeeChangeForm(GovukFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label="What changes",
        choices=[(k, Fee.Kind(k).label) for k in CHANGE_KINDS],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of change this is."},
    )
    effective_date = _date(
        "Date the new fee applies from",
        required=True,
        help_text="It may be ahead: the fee changes on that day.",
    )
    weekly_fee = _fee_field("New weekly fee")
    reason = _text("Why the fee changes", rows=3, required=True, max_length=5000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_date"].error_messages["required"] = (
            "Enter the date the new fee applies from."
        )
        self.fields["reason"].error_messages["required"] = "Say why the fee changes."


class EndForm(GovukFormMixin, forms.Form):
    end_date = _date("Date the placement ended", required=True)
    planned = forms.TypedChoiceField(
        label="Was the ending planned?",
        choices=[("yes", "Yes, it was planned"), ("no", "No, it was unplanned")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the ending was planned."},
    )
    reason = forms.ChoiceField(
        label="Reason",
        choices=[("", "Choose"), *END_REASON_CHOICES],
        help_text="The DfE SSDA903 reason the episode ended, or the reason for the change of "
        "placement.",
        error_messages={"required": "Choose the reason the placement ended."},
    )
    destination = forms.CharField(
        label="Where the child went",
        max_length=200,
        required=False,
        help_text="For example, another foster placement, home to parents.",
        error_messages={"max_length": "The destination must be 200 characters or fewer."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["end_date"].error_messages["required"] = "Enter the date the placement ended."


class SpotForm(GovukFormMixin, forms.Form):
    child_reference = forms.CharField(
        label="Borough reference for the child",
        max_length=40,
        help_text="Your own reference for the child. Never their name or initials.",
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10"}),
        error_messages={
            "required": "Enter the borough's reference for the child.",
            "max_length": "The reference must be 40 characters or fewer.",
        },
    )
    service: "forms.ModelChoiceField[Service]" = forms.ModelChoiceField(
        label="Service on the DPS",
        queryset=None,
        required=False,
        empty_label="Not on the DPS",
        help_text="If the provider is on the DPS, choose its service.",
        error_messages={"invalid_choice": "Choose a service of a provider on the DPS."},
    )
    spot_provider_name = forms.CharField(
        label="Provider not on the DPS",
        max_length=200,
        required=False,
        help_text="If the provider is not on the DPS, its name.",
        error_messages={"max_length": "The name must be 200 characters or fewer."},
    )
    lot: "forms.ModelChoiceField[Lot]" = forms.ModelChoiceField(
        label="Lot it would have been bought under",
        queryset=None,
        required=False,
        empty_label="None",
        error_messages={"invalid_choice": "Choose one of the consortium's lots."},
    )
    start_date = _date("Start date", required=True)
    planned_end_date = _date("Planned end date")
    weekly_fee = _fee_field()
    user_choice = forms.BooleanField(
        label="Direct award chosen by the child or family",
        required=False,
        help_text="A user choice contract (Procurement Act 2023 Sch. 5 para. 15): no "
        "transparency notice is owed.",
    )
    user_choice_grounds = forms.CharField(
        label="Grounds for the user choice",
        max_length=2000,
        required=False,
        help_text="Why the child or family chose this provider. Never the child's name.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "The grounds must be 2000 characters or fewer."},
    )

    def __init__(self, *args, services, lots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        self.fields["service"].label_from_instance = lambda s: f"{s.provider.name}: {s.name}"
        self.fields["lot"].queryset = lots
        self.fields["start_date"].error_messages["required"] = "Enter the start date."
