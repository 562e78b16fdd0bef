"""The upload form of an SSDA903 return: the two files and the return year."""

from django import forms

from dps.forms import GovukFormMixin

from ..services.ssda903 import MAX_FILE_BYTES, years_offered


class Ssda903UploadForm(GovukFormMixin, forms.Form):
    header = forms.FileField(
        label="Header file",
        help_text="CSV: one row per child (CHILD, SEX, DOB, ETHNIC, UPN, MOTHER, MC_DOB).",
        error_messages={"required": "Choose the header file."},
    )
    episodes = forms.FileField(
        label="Episodes file",
        help_text="CSV: one row per episode of care (CHILD, DECOM, RNE, LS, CIN, PLACE, ...).",
        error_messages={"required": "Choose the episodes file."},
    )
    year_ending = forms.TypedChoiceField(
        label="Return year",
        coerce=int,
        error_messages={
            "required": "Choose the year of the return.",
            "invalid_choice": "Choose one of the years listed.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year_ending"].choices = [
            (year, f"1 April {year - 1} to 31 March {year}") for year in years_offered()
        ]

    def _file(self, name):
        upload = self.cleaned_data.get(name)
        if upload is not None and upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                f"The file must be smaller than {MAX_FILE_BYTES // (1024 * 1024)} MB."
            )
        return upload

    def clean_header(self):
        return self._file("header")

    def clean_episodes(self):
        return self._file("episodes")
