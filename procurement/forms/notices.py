"""Forms of the notices' pages."""

from django import forms

from dps.forms import GovukFormMixin

from ..models import Notice

ANY = [("", "Any")]


class NoticeFilterForm(forms.Form):
    """The list's filters; an unknown value is ignored (the form is then invalid)."""

    status = forms.ChoiceField(choices=ANY + Notice.Status.choices, required=False)
    kind = forms.ChoiceField(choices=ANY + Notice.Kind.choices, required=False)


class NoticePublishForm(GovukFormMixin, forms.Form):
    fts_notice_id = forms.CharField(
        label="Find a Tender notice id",
        max_length=20,
        help_text="As Find a Tender shows it once published, for example 012345-2026.",
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10"}),
        error_messages={"required": "Enter the Find a Tender notice id."},
    )
