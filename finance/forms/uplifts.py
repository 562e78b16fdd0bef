"""Forms of the uplift pages: opening a round, asking for an uplift, deciding a request.
The rules are the services' (finance.services.uplifts); a refusal shows beside its field."""

from django import forms

from dps.formatting import money
from dps.forms import GovukDateField, GovukFormMixin
from providers.models import Lot, Service
from providers.uploads import ALLOWED_DESCRIPTION

from ..models import UpliftRound

PERCENT_WIDGET = forms.TextInput(
    attrs={"class": "govuk-input govuk-input--width-5", "inputmode": "decimal"}
)


class RoundOpenForm(GovukFormMixin, forms.Form):
    name = forms.CharField(
        label="Name of the round",
        max_length=120,
        help_text="For example, 2026/27 annual uplift.",
        error_messages={"required": "Enter a name for the round."},
    )
    percent = forms.CharField(
        label="Uplift, as a percentage",
        max_length=8,
        widget=PERCENT_WIDGET,
        help_text="Above 0 and at most 100, to two decimal places. For example, 3.5.",
        error_messages={"required": "Enter the uplift as a percentage."},
    )
    effective_date = GovukDateField(
        label="Date the uplift takes effect", help_text="For example, 6 4 2026."
    )
    requests_close = GovukDateField(
        label="Last day providers can ask for it", help_text="For example, 20 3 2026."
    )
    lots = forms.ModelMultipleChoiceField(
        label="Lots",
        queryset=Lot.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one lot."},
    )
    decided_by = forms.ChoiceField(
        label="Who decides the requests",
        choices=UpliftRound.DecidedBy.choices,
        initial=UpliftRound.DecidedBy.BOROUGH,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, consortium, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lots"].queryset = Lot.objects.filter(consortium=consortium, is_active=True)


class PlacementChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        service = obj.service.name if obj.service else "No service recorded"
        child = obj.child_reference or f"Placement {obj.pk}"
        return f"{child}: {obj.borough.name}, {service}, {money(obj.weekly_fee)} a week"


class RequestForm(GovukFormMixin, forms.Form):
    services = forms.ModelMultipleChoiceField(
        label="Services",
        queryset=Service.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Every placement at a service chosen, in the round's lots.",
    )
    placements = PlacementChoice(
        label="Or individual placements",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    percent = forms.CharField(
        label="Uplift asked, as a percentage",
        max_length=8,
        required=False,
        widget=PERCENT_WIDGET,
        help_text="Leave it empty for the round's, or ask for more (at most 100) with your "
        "evidence attached.",
    )
    reason = forms.CharField(
        label="Why you ask for it",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why you ask for the uplift."},
    )
    evidence = forms.FileField(
        label="Evidence (optional)",
        required=False,
        help_text=f"For example, your cost figures: {ALLOWED_DESCRIPTION}.",
    )

    def __init__(self, *args, placements, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["placements"].queryset = placements
        self.fields["services"].queryset = services


DECISION_CHOICES = [
    ("agree", "Agree"),
    ("agree_in_part", "Agree in part"),
    ("refuse", "Refuse"),
]


class DecideForm(GovukFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=DECISION_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to agree, agree in part or refuse."},
    )
    agreed_percent = forms.CharField(
        label="Uplift agreed, as a percentage (agreeing in part)",
        max_length=8,
        required=False,
        widget=PERCENT_WIDGET,
        help_text="Less than asked; leave it empty to agree the percentage asked on fewer "
        "placements.",
    )
    placements = PlacementChoice(
        label="Placements agreed (agreeing in part)",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave them all unticked to agree on every placement.",
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed to agree in part or to refuse; the provider reads it.",
    )

    def __init__(self, *args, placements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["placements"].queryset = placements

    def service_data(self) -> dict:
        """The form's answers as the service takes them."""
        data = dict(self.cleaned_data)
        data["placements"] = list(data["placements"]) or None
        return data
