"""Forms of the quality part: the consortium admin's weights of the score's parts."""

from django import forms

from dps.forms import GovukFormMixin


class QualityWeightsForm(GovukFormMixin, forms.Form):
    inspection = forms.IntegerField(
        label="Inspection (%)",
        min_value=0,
        max_value=100,
        help_text="The Ofsted ratings of the provider's services, weighted by places.",
    )
    outcomes = forms.IntegerField(
        label="Outcomes (%)",
        min_value=0,
        max_value=100,
        help_text="From contract monitoring. Neutral (50) until monitoring data exists.",
    )
    compliance = forms.IntegerField(
        label="Compliance (%)",
        min_value=0,
        max_value=100,
        help_text="The share of mandatory documents that are current.",
    )
    responsiveness = forms.IntegerField(
        label="Responsiveness (%)",
        min_value=0,
        max_value=100,
        help_text="The share of invitations to bid answered. Neutral (50) until there are any.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.update(
                {"class": "govuk-input govuk-input--width-3", "inputmode": "numeric"}
            )
            field.error_messages["required"] = f"Enter the weight of {field.label[:-4].lower()}."
            field.error_messages["invalid"] = "Enter a whole number from 0 to 100."
            field.error_messages["min_value"] = "Enter a whole number from 0 to 100."
            field.error_messages["max_value"] = "Enter a whole number from 0 to 100."
