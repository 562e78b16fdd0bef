"""Forms of the invoices' pages."""

from datetime import date

from django import forms
from django.utils import timezone

from dps.forms import GovukDateField, GovukFormMixin
from dps.models import Organisation

from ..models import Invoice
from ..selectors.billing import billing_settings, recent_periods
from ..selectors.invoices import OwedLine, boroughs_invoiced_by

ANY = [("", "Any")]
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


def period_choices(provider: Organisation, today: date) -> list:
    """The periods a provider may invoice, grouped by borough: "<borough>:<first day>"."""
    return [
        (
            borough.name,
            [
                (f"{borough.pk}:{period.start.isoformat()}", period.label)
                for period in recent_periods(billing_settings(borough), today)
            ],
        )
        for borough in boroughs_invoiced_by(provider)
    ]


class InvoiceFilterForm(forms.Form):
    status = forms.ChoiceField(choices=ANY + Invoice.Status.choices, required=False)


class PeriodForm(GovukFormMixin, forms.Form):
    """The borough and billing period an invoice is for, chosen together."""

    period = forms.ChoiceField(
        label="Borough and billing period",
        error_messages={"required": "Choose the borough and the billing period."},
    )

    def __init__(self, *args, provider: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["period"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - for the type checker
        field.choices = [
            ("", "Choose"),
            *period_choices(provider, timezone.localdate()),
        ]
        self.provider = provider

    def clean_period(self):
        value = self.cleaned_data["period"]
        borough_pk, _, start = value.partition(":")
        borough = boroughs_invoiced_by(self.provider).filter(pk=borough_pk).first()
        if borough is None:
            raise forms.ValidationError("Choose the borough and the billing period.")
        self.cleaned_data["borough"] = borough
        self.cleaned_data["period_start"] = date.fromisoformat(start)
        return value

    def service_data(self) -> dict:
        return {
            "borough": self.cleaned_data["borough"],
            "period_start": self.cleaned_data["period_start"],
        }

    def field_for(self, name):
        return "period" if name in ("borough", "period_start") else name


class InvoiceUploadForm(PeriodForm):
    number = forms.CharField(
        label="Your invoice number",
        max_length=40,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
        error_messages={"required": "Enter your invoice number."},
    )
    file = forms.FileField(
        label="CSV of the invoice's lines",
        help_text="Columns: placement (its number, or the child's reference), days and "
        "amount. One row per placement. Up to 2 MB.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file must be 2 MB or smaller.")
        return upload

    def add_problems(self, problems):
        for problem in problems:
            self.add_error("file", problem)


class InvoiceLinesForm(GovukFormMixin, forms.Form):
    """The invoice entered on the page: the number, and days and amount for each placement
    running in the period (pre-filled from the schedule). A row with no amount is left out."""

    number = forms.CharField(
        label="Your invoice number",
        max_length=40,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
        error_messages={"required": "Enter your invoice number."},
    )

    def __init__(self, *args, owed: list[OwedLine], **kwargs):
        super().__init__(*args, **kwargs)
        self.owed = owed
        for line in owed:
            pk = line.placement.pk
            reference = line.placement.child_reference or f"placement {pk}"
            self.fields[f"days_{pk}"] = forms.IntegerField(
                label=f"Days for {reference}",
                min_value=0,
                required=False,
                initial=line.days,
                widget=forms.TextInput(
                    attrs={"inputmode": "numeric", "class": "govuk-input govuk-input--width-3"}
                ),
            )
            self.fields[f"amount_{pk}"] = forms.DecimalField(
                label=f"Amount for {reference} (£)",
                min_value=0,
                max_digits=11,
                decimal_places=2,
                required=False,
                initial=line.amount,
                widget=forms.TextInput(
                    attrs={"inputmode": "decimal", "class": "govuk-input govuk-input--width-10"}
                ),
            )

    def rows(self):
        return [
            (line, self[f"days_{line.placement.pk}"], self[f"amount_{line.placement.pk}"])
            for line in self.owed
        ]

    def clean(self):
        data = super().clean()
        lines = []
        for line in self.owed:
            pk = line.placement.pk
            days, amount = data.get(f"days_{pk}"), data.get(f"amount_{pk}")
            if amount is None and days is None:
                continue
            if amount is None:
                self.add_error(f"amount_{pk}", "Enter the amount, or clear the days.")
            elif days is None:
                self.add_error(f"days_{pk}", "Enter the days, or clear the amount.")
            else:
                lines.append({"placement": pk, "days": days, "amount": amount})
        if not lines and not self.errors:
            raise forms.ValidationError("Enter at least one line.")
        data["lines"] = lines
        return data

    def add_problems(self, problems):
        for problem in problems:
            self.add_error(None, problem)


class LineDecisionForm(GovukFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[
            ("approve", "Approve"),
            ("query", "Query: ask the provider to correct or explain it"),
            ("reject", "Reject"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose approve, query or reject."},
    )
    reason = forms.CharField(
        label="Reason",
        help_text="Required to query or reject: the provider reads it.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LineAmendForm(GovukFormMixin, forms.Form):
    days = forms.IntegerField(
        label="Days",
        min_value=0,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={"required": "Enter the days."},
    )
    amount = forms.DecimalField(
        label="Amount (£)",
        min_value=0,
        max_digits=11,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
        error_messages={"required": "Enter the amount."},
    )
    note = forms.CharField(
        label="Your answer to the query",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RemittanceForm(GovukFormMixin, forms.Form):
    paid_on = GovukDateField(
        label="Date paid",
        help_text="For example, 27 3 2026.",
        error_messages={"required": "Enter the date it was paid."},
    )
    reference = forms.CharField(
        label="Payment reference",
        max_length=60,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
        error_messages={"required": "Enter the payment reference."},
    )
