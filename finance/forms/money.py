"""Forms of the money report, the schedule pages and the billing settings."""

from datetime import date
from typing import cast

from django import forms

from dps.forms import GovukDateField, GovukFormMixin
from dps.periods import year_ending_of

from ..models import BillingSettings
from ..selectors.money import year_label

YEARS_BACK = 5


class YearForm(forms.Form):
    """The financial year a report shows: ?year_ending=YYYY (1 April YYYY-1 to 31 March
    YYYY), the current one by default."""

    year_ending = forms.TypedChoiceField(
        label="Financial year",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Choose a financial year from the list."},
    )

    # The consortium admin's choice of one of its boroughs (blank: all of them); absent for
    # a commissioner, whose report is their borough's.
    borough = forms.TypedChoiceField(
        label="Borough",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Choose one of the consortium's boroughs."},
    )

    def __init__(self, *args, today: date, boroughs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.default = year_ending_of(today)
        years = range(self.default + 1, self.default - YEARS_BACK - 1, -1)
        field = cast(forms.ChoiceField, self.fields["year_ending"])
        field.choices = [(y, year_label(y)) for y in years]
        if boroughs is None:
            del self.fields["borough"]
        else:
            choice = cast(forms.ChoiceField, self.fields["borough"])
            choice.choices = [("", "All boroughs"), *((b.pk, b.name) for b in boroughs)]

    def chosen(self) -> int:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["year_ending"] or self.default
        return self.default

    def chosen_borough(self) -> int | None:
        if "borough" in self.fields and self.is_bound and self.is_valid():
            return self.cleaned_data["borough"]
        return None


class BillingSettingsForm(GovukFormMixin, forms.Form):
    cycle = forms.ChoiceField(
        label="Billing cycle",
        choices=BillingSettings.Cycle.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose weekly or four-weekly."},
    )
    anchor = GovukDateField(
        label="First day of a billing period",
        help_text=(
            "Any day one of your billing periods starts on, for example 1 4 2024. Every "
            "period starts a whole number of weeks (or of four weeks) from it."
        ),
        error_messages={"required": "Enter the first day of a billing period."},
    )
    default_cost_code = forms.CharField(
        label="Default cost code",
        help_text="For placements whose lot has no code of its own.",
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
    )

    def __init__(self, *args, lots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lots = list(lots)
        for lot in self.lots:
            self.fields[f"lot_{lot.pk}"] = forms.CharField(
                label=f"Cost code for {lot.name}",
                max_length=40,
                required=False,
                widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-20"}),
            )

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "cycle": data["cycle"],
            "anchor": data["anchor"],
            "default_cost_code": data["default_cost_code"],
            "codes": {lot.pk: data.get(f"lot_{lot.pk}", "") for lot in self.lots},
        }
