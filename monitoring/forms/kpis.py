"""The consortium admin's KPI thresholds form: one amber and one red input per KPI that has a
better direction."""

from django import forms

from dps.forms import GovukFormMixin

from ..kpis import KPIS


def _plain(value):
    """90.0000 as "90", 12.5000 as "12.5"."""
    return format(value.normalize(), "f")


def _number(label):
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=14,
        decimal_places=4,
        min_value=-(10**9),
        max_value=10**9,
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-5", "inputmode": "decimal"}
        ),
        error_messages={"invalid": "Enter a number."},
    )


class ThresholdsForm(GovukFormMixin, forms.Form):
    def __init__(self, *args, thresholds, **kwargs):
        """`thresholds`: {kpi code: KpiThreshold} of the admin's consortium."""
        initial = {}
        for code, threshold in thresholds.items():
            initial[f"{code}__amber_at"] = _plain(threshold.amber_at)
            initial[f"{code}__red_at"] = _plain(threshold.red_at)
        super().__init__(*args, initial=initial, **kwargs)
        self.thresholds = thresholds
        for kpi in self.kpis_with_rag():
            self.fields[f"{kpi.code}__amber_at"] = _number(f"{kpi.label}: amber at")
            self.fields[f"{kpi.code}__red_at"] = _number(f"{kpi.label}: red at")
        # The GOV.UK classes for the fields added above.
        for name in self.fields:
            self._govuk_classes.setdefault(name, "govuk-input")

    @staticmethod
    def kpis_with_rag():
        return [kpi for kpi in KPIS.values() if kpi.higher_is_better is not None]

    def rows(self):
        """(kpi, [amber field, red field], current threshold) per KPI; no fields for a KPI
        with no better direction."""
        result = []
        for kpi in KPIS.values():
            if kpi.higher_is_better is None:
                result.append((kpi, None, None))
            else:
                result.append(
                    (
                        kpi,
                        [self[f"{kpi.code}__amber_at"], self[f"{kpi.code}__red_at"]],
                        self.thresholds.get(kpi.code),
                    )
                )
        return result

    def clean(self):
        data = super().clean()
        for kpi in self.kpis_with_rag():
            amber_name, red_name = f"{kpi.code}__amber_at", f"{kpi.code}__red_at"
            if amber_name in self.errors or red_name in self.errors:
                continue
            amber, red = data.get(amber_name), data.get(red_name)
            if amber is None and red is None:
                if kpi.code in self.thresholds:
                    self.add_error(amber_name, f"Enter where {kpi.label.lower()} turns amber.")
                    self.add_error(red_name, f"Enter where {kpi.label.lower()} turns red.")
                continue
            if amber is None:
                self.add_error(amber_name, f"Enter where {kpi.label.lower()} turns amber.")
            elif red is None:
                self.add_error(red_name, f"Enter where {kpi.label.lower()} turns red.")
            elif kpi.higher_is_better and red > amber:
                self.add_error(
                    red_name,
                    f"Higher is better for {kpi.label.lower()}: red must be at or below amber "
                    f"({_plain(amber)}).",
                )
            elif not kpi.higher_is_better and red < amber:
                self.add_error(
                    red_name,
                    f"Lower is better for {kpi.label.lower()}: red must be at or above amber "
                    f"({_plain(amber)}).",
                )
        return data

    def changed_pairs(self):
        """(code, amber_at, red_at) for each KPI whose thresholds are new or changed."""
        result = []
        for kpi in self.kpis_with_rag():
            amber = self.cleaned_data.get(f"{kpi.code}__amber_at")
            red = self.cleaned_data.get(f"{kpi.code}__red_at")
            if amber is None or red is None:
                continue
            current = self.thresholds.get(kpi.code)
            if current is not None and (current.amber_at, current.red_at) == (amber, red):
                continue
            result.append((kpi.code, amber, red))
        return result
