"""Forms of the arrangement part: the arrangement's settings, a version of the conditions of
membership, an opening of an open framework."""

from datetime import datetime, time

from django import forms
from django.utils import timezone

from dps.forms import GovukDateField, GovukFormMixin

from ..models.arrangement import LIGHT_TOUCH_THRESHOLD, Arrangement


class ArrangementForm(GovukFormMixin, forms.Form):
    basis = forms.ChoiceField(
        label="Legal basis",
        choices=Arrangement.Basis.choices,
        widget=forms.RadioSelect,
        help_text="A DPS set up under the 2015 Regulations may run to the end of 23 February "
        "2029; new arrangements are dynamic markets or open frameworks under the Procurement "
        "Act 2023.",
    )
    title = forms.CharField(label="Title", max_length=200)
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The services bought through it, as notices describe them.",
    )
    starts_on = GovukDateField(label="Start date")
    ends_on = GovukDateField(label="End date")
    decision_days = forms.IntegerField(
        label="Days to decide an application",
        min_value=1,
        max_value=365,
        initial=10,
        help_text="Dynamic market and legacy DPS: each application is decided within this period.",
    )
    light_touch_threshold = forms.DecimalField(
        label="Light-touch threshold (£, including VAT)",
        min_value=0,
        max_digits=12,
        decimal_places=2,
        initial=LIGHT_TOUCH_THRESHOLD,
    )
    vat_percent = forms.DecimalField(
        label="VAT on fees (%)",
        min_value=0,
        max_value=99,
        max_digits=4,
        decimal_places=2,
        initial=0,
        help_text="0 where fees are exempt from VAT, as care by a registered provider usually is.",
    )

    @staticmethod
    def initial_for(arrangement):
        if arrangement is None:
            return {}
        return {
            name: getattr(arrangement, name)
            for name in (
                "basis",
                "title",
                "description",
                "starts_on",
                "ends_on",
                "decision_days",
                "light_touch_threshold",
                "vat_percent",
            )
        }


class ConditionsForm(GovukFormMixin, forms.Form):
    text = forms.CharField(
        label="Conditions of membership",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    in_force_from = GovukDateField(
        label="In force from",
        required=False,
        help_text="Leave blank for now. A date is in force from the start of that day.",
    )
    reason = forms.CharField(
        label="Why the conditions change",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed from version 2 on: a new version is a modification of the arrangement.",
    )

    def service_data(self):
        day = self.cleaned_data["in_force_from"]
        moment = None
        if day is not None:
            moment = timezone.make_aware(datetime.combine(day, time.min))
            if day == timezone.localdate():
                moment = timezone.now()
        return {
            "text": self.cleaned_data["text"],
            "in_force_from": moment,
            "reason": self.cleaned_data["reason"],
        }


class OpeningForm(GovukFormMixin, forms.Form):
    opens_on = GovukDateField(label="Opens")
    closes_on = GovukDateField(label="Closes")
    awards_on = GovukDateField(
        label="Framework awarded", help_text="When the framework this opening leads to is awarded."
    )

    @staticmethod
    def initial_for(opening):
        return {
            "opens_on": opening.opens_on,
            "closes_on": opening.closes_on,
            "awards_on": opening.awards_on,
        }
