"""The consortium admin's form for a lot's evaluation weights and service types."""

from django import forms

from dps.forms import GovukFormMixin
from providers.models import Service

from .services.lots import WEIGHT_FIELDS

WEIGHT_HINTS = {
    "weight_quality": "The provider's quality score at the bid deadline, out of 100.",
    "weight_price": "100 for the lowest weekly fee; a dearer bid scores less, in proportion.",
    "weight_needs": "The share of the child's need points that the bid says it meets.",
}


class LotForm(GovukFormMixin, forms.Form):
    # Text inputs with a numeric keypad, as GOV.UK advises, rather than type="number".
    weight_quality = forms.IntegerField(
        label="Quality (%)", min_value=0, max_value=100, widget=forms.TextInput
    )
    weight_price = forms.IntegerField(
        label="Price (%)", min_value=0, max_value=100, widget=forms.TextInput
    )
    weight_needs = forms.IntegerField(
        label="Needs fit (%)", min_value=0, max_value=100, widget=forms.TextInput
    )
    service_types = forms.MultipleChoiceField(
        label="Service types that serve this lot",
        choices=Service.Type.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Only services of the types ticked are invited to bid on the lot's requests. "
        "Tick none to invite services of any type.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, part in WEIGHT_FIELDS.items():
            field = self.fields[name]
            field.help_text = WEIGHT_HINTS[name]
            field.widget.attrs.update(
                {
                    "class": "govuk-input govuk-input--width-3",
                    "inputmode": "numeric",
                    "spellcheck": "false",
                    "aria-describedby": f"id_{name}-hint",
                }
            )
            message = f"Enter the {part} weight as a whole number from 0 to 100."
            field.error_messages.update(
                {
                    "required": f"Enter the {part} weight.",
                    "invalid": message,
                    "min_value": message,
                    "max_value": message,
                }
            )
        self.fields["service_types"].error_messages["invalid_choice"] = (
            "Choose the service types from the list."
        )

    @staticmethod
    def initial_for(lot):
        return {
            **{name: getattr(lot, name) for name in WEIGHT_FIELDS},
            "service_types": list(lot.service_types or []),
        }
