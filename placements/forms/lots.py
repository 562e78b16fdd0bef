"""The consortium admin's form for a lot's evaluation weights, its rule for bids over the
budget, and its service types."""

from django import forms

from dps.forms import GovukFormMixin
from providers.models import Lot, Service

from ..services.lots import WEIGHT_FIELDS

WEIGHT_HINTS = {
    "weight_quality": "The provider's quality score at the bid deadline, out of 100.",
    "weight_price": "100 for the lowest weekly fee; a dearer bid scores less, in proportion.",
    "weight_needs": "The share of the child's need points that the bid says it meets.",
    "weight_proximity": "100 for a service at the child's home, falling in proportion to 0 at "
    "the request's maximum distance (or 50 miles when it sets none); 0 when the service's "
    "distance from the home is not known. Leave it at 0 to use distance only to decide who is "
    "invited.",
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
    # Not required: a form sent without it counts it as 0.
    weight_proximity = forms.IntegerField(
        label="Proximity (%)", min_value=0, max_value=100, widget=forms.TextInput, required=False
    )
    # Not required: a form sent without it leaves the rule as it is.
    over_budget_rule = forms.ChoiceField(
        label="Bids over the request's maximum weekly budget",
        choices=Lot.OverBudget.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="Bidders see the budget and are warned before they bid over it, and the "
        "borough sees such bids flagged. This says whether they can still win.",
        error_messages={"invalid_choice": "Choose what happens to a bid over the budget."},
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

    def clean(self):
        data = super().clean()
        if not data.get("over_budget_rule"):
            data.pop("over_budget_rule", None)
        if data.get("weight_proximity") is None and "weight_proximity" not in self.errors:
            data["weight_proximity"] = 0
        return data

    @staticmethod
    def initial_for(lot):
        return {
            **{name: getattr(lot, name) for name in WEIGHT_FIELDS},
            "over_budget_rule": lot.over_budget_rule,
            "service_types": list(lot.service_types or []),
        }
