"""Forms of the exclusions part (consortium admin): record an exclusion, remove an excludable
supplier, lift an exclusion."""

from django import forms

from dps.forms import GovukDateField, GovukFormMixin
from dps.models import Organisation
from providers.models import Exclusion


def _reason(label, help_text=""):
    return forms.CharField(
        label=label,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=help_text,
    )


class ExclusionForm(GovukFormMixin, forms.Form):
    provider = forms.ModelChoiceField(
        label="Provider", queryset=Organisation.objects.none(), empty_label="Choose a provider"
    )
    kind = forms.ChoiceField(
        label="Finding", choices=Exclusion.Kind.choices, widget=forms.RadioSelect
    )
    ground = forms.CharField(
        label="Ground",
        max_length=300,
        help_text="The ground with its paragraph, for example “Sch. 6 para 1: corruption”.",
    )
    source = forms.ChoiceField(
        label="Source", choices=Exclusion.Source.choices, widget=forms.RadioSelect
    )
    found_on = GovukDateField(label="Date of the finding")
    reason = _reason("Reason", "Why the ground applies and is likely to occur again.")
    remove = forms.BooleanField(
        label="Remove an excludable supplier now (an excluded one is removed at once)",
        required=False,
    )

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers


class ExclusionRemoveForm(GovukFormMixin, forms.Form):
    reason = _reason("Why the supplier is removed")


class ExclusionLiftForm(GovukFormMixin, forms.Form):
    lifted_on = GovukDateField(label="Lifted on")
    reason = _reason("Why it is lifted", "For example, the supplier's self-cleaning evidence.")
