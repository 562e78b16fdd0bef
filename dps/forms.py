"""Forms, rendered with the GOV.UK Frontend classes by templates/forms/."""

from datetime import date

from django import forms
from django.contrib.auth import password_validation
from django.forms.renderers import TemplatesSetting

from .models.people import ROLES_BY_KIND, Role


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "forms/govuk_form.html"
    field_template_name = "forms/govuk_field.html"


# Checked in order, so a subclass comes before its parent (CheckboxSelectMultiple is a
# RadioSelect).
WIDGET_CLASSES = {
    forms.CheckboxInput: "govuk-checkboxes__input",
    forms.CheckboxSelectMultiple: "govuk-checkboxes__input",
    forms.RadioSelect: "govuk-radios__input",
    forms.Select: "govuk-select",
    forms.SelectMultiple: "govuk-select",
    forms.Textarea: "govuk-textarea",
    forms.FileInput: "govuk-file-upload",
}


class GovukDateInput(forms.MultiWidget):
    """The GOV.UK date input: day, month and year boxes (<name>_day, <name>_month,
    <name>_year), drawn by templates/forms/widgets/govuk_date.html."""

    template_name = "forms/widgets/govuk_date.html"
    PARTS = {"day": ("Day", 2), "month": ("Month", 2), "year": ("Year", 4)}

    def __init__(self, attrs=None):
        parts = {name: forms.TextInput(attrs={"inputmode": "numeric"}) for name in self.PARTS}
        super().__init__(parts, attrs)

    def decompress(self, value):
        return [value.day, value.month, value.year] if value else [None, None, None]

    def id_for_label(self, id_):
        # The error summary leads to the day box.
        return f"{id_}_day" if id_ else ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        base = context["widget"]["attrs"].get("id")
        for part, (key, (label, width)) in zip(
            context["widget"]["subwidgets"], self.PARTS.items(), strict=True
        ):
            part["label"] = label
            if base:
                part["attrs"]["id"] = f"{base}_{key}"
            classes = part["attrs"].get("class", "govuk-input").split()
            classes += ["govuk-date-input__input", f"govuk-input--width-{width}"]
            part["attrs"]["class"] = " ".join(dict.fromkeys(classes))
        return context


class GovukDateField(forms.MultiValueField):
    """A date entered as day, month and year, with the GOV.UK pattern's errors: what is
    missing, or that it is not a real date."""

    widget = GovukDateInput
    FIRST_YEAR, LAST_YEAR = 1900, 2200

    def __init__(self, **kwargs):
        parts = [forms.CharField(required=False) for _ in GovukDateInput.PARTS]
        super().__init__(parts, require_all_fields=False, **kwargs)

    def compress(self, data_list):
        values = [str(v).strip() for v in data_list or []] or ["", "", ""]
        if not any(values):
            return None
        missing = [name for name, v in zip(GovukDateInput.PARTS, values, strict=True) if not v]
        if missing:
            raise forms.ValidationError(
                f"{self.label or 'The date'} must include a {' and a '.join(missing)}.",
                code="incomplete",
            )
        try:
            day, month, year = (int(v) for v in values)
            value = date(year, month, day)
        except ValueError:
            value = None
        if value is None or not self.FIRST_YEAR <= value.year <= self.LAST_YEAR:
            raise forms.ValidationError(
                f"{self.label or 'The date'} must be a real date, for example 27 3 2025.",
                code="invalid",
            )
        return value


class GovukFormMixin:
    """Gives each widget its GOV.UK class, and marks fields in error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._govuk_classes = {}
        for name, field in self.fields.items():
            widget = field.widget
            css = next(
                (c for w, c in WIDGET_CLASSES.items() if isinstance(widget, w)), "govuk-input"
            )
            self._govuk_classes[name] = css
            classes = [css, *widget.attrs.get("class", "").split()]
            widget.attrs["class"] = " ".join(dict.fromkeys(classes))
            if field.help_text:
                widget.attrs.setdefault("aria-describedby", f"{self[name].auto_id}-hint")

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                classes = widget.attrs.get("class", "").split() or ["govuk-input"]
                base = self._govuk_classes.get(name) or classes[0]
                error = f"{base}--error"
                if error not in classes:
                    widget.attrs["class"] = " ".join([*classes, error])
                    described = widget.attrs.get("aria-describedby", "")
                    widget.attrs["aria-describedby"] = (
                        f"{described} {self[name].auto_id}-error".strip()
                    )


class InvitationForm(GovukFormMixin, forms.Form):
    email = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    role = forms.ChoiceField(label="Role", widget=forms.RadioSelect)
    is_org_admin = forms.BooleanField(
        label="Can manage this organisation's users and API clients", required=False
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = ROLES_BY_KIND[organisation.kind]
        self.fields["role"].choices = [(r.value, r.label) for r in Role if r in allowed]


class InvitationAcceptForm(GovukFormMixin, forms.Form):
    full_name = forms.CharField(label="Full name", max_length=150)
    password1 = forms.CharField(
        label="Create a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters. Avoid common words and your name.",
    )
    password2 = forms.CharField(
        label="Confirm the password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The passwords do not match.")
        elif p1:
            from .models import User

            candidate = User(email=self.email, full_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class ApiClientForm(GovukFormMixin, forms.Form):
    name = forms.CharField(
        label="Name", max_length=120, help_text="For example, the case system it is used by."
    )
    can_write = forms.BooleanField(
        label="Can write (create and change records), not only read", required=False
    )


class BoroughForm(GovukFormMixin, forms.Form):
    name = forms.CharField(
        label="Borough name", max_length=200, help_text="For example, Northbridge Borough Council."
    )
    la_code = forms.CharField(
        label="Local authority code (optional)",
        max_length=9,
        required=False,
        help_text="The council's ONS code, for example E09000022: its SSDA903 returns are "
        "checked for it, and placements outside its area are counted against it.",
    )
