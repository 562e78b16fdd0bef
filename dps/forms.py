"""Forms, rendered with the GOV.UK Frontend classes by templates/forms/."""

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
