"""Forms of the services part: a service's details, the vacancies page, the Ofsted import."""

from django import forms

from dps.forms import GovukFormMixin
from geography.postcodes import POSTCODE_MESSAGE, normalise_postcode

from ..models import OfstedRating, Service, Specialism
from ..needs import DOMAINS, INDICATORS
from ..services.ofsted import MAX_UPLOAD_BYTES

NEED_CHOICES = [("", "Cannot meet"), ("1", "Up to 1"), ("2", "Up to 2"), ("3", "Up to 3")]
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y"]


def need_field_name(code):
    return f"need_{code}"


class ServiceForm(GovukFormMixin, forms.Form):
    service_type = forms.ChoiceField(
        label="Type of service", choices=Service.Type.choices, widget=forms.RadioSelect
    )
    name = forms.CharField(label="Name", max_length=200)
    ofsted_urn = forms.CharField(
        label="Ofsted URN",
        max_length=20,
        required=False,
        help_text="The unique reference number Ofsted gives the setting, like SC123456. "
        "Leave it blank if the service is not registered with Ofsted.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "spellcheck": "false"}),
    )
    registered_places = forms.IntegerField(
        label="Registered places",
        min_value=0,
        max_value=500,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
    )
    age_min = forms.IntegerField(
        label="Youngest age accepted",
        min_value=0,
        max_value=25,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
    )
    age_max = forms.IntegerField(
        label="Oldest age accepted",
        min_value=0,
        max_value=25,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
    )
    genders = forms.ChoiceField(
        label="Children accepted", choices=Service.Genders.choices, widget=forms.RadioSelect
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=10,
        help_text="The service's full postcode, like SE1 7PB. Only the consortium and your "
        "organisation see it: boroughs see its local authority, its postcode district and how "
        "far it is from their area.",
        widget=forms.TextInput(
            attrs={"class": "govuk-input--width-10", "autocomplete": "postal-code"}
        ),
        error_messages={"required": "Enter the service's postcode, like SE1 7PB."},
    )
    specialisms = forms.MultipleChoiceField(
        label="Specialisms",
        choices=Specialism.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    BASIC_FIELDS = (
        "service_type",
        "name",
        "ofsted_urn",
        "registered_places",
        "age_min",
        "age_max",
        "genders",
        "postcode",
    )

    def __init__(self, *args, postcode_required=True, **kwargs):
        super().__init__(*args, **kwargs)
        # A service recorded before full postcodes were asked for keeps working with its
        # district until its provider gives the postcode; every other service must have one.
        self.fields["postcode"].required = postcode_required
        for code, label, _domain in INDICATORS:
            self.fields[need_field_name(code)] = forms.TypedChoiceField(
                label=label,
                choices=NEED_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
            )
        # The mixin styled the fields declared before __init__; style the needs too.
        for code, _label, _domain in INDICATORS:
            self.fields[need_field_name(code)].widget.attrs["class"] = "govuk-select"

    @classmethod
    def initial_for(cls, service):
        initial = {name: getattr(service, name) for name in cls.BASIC_FIELDS}
        initial["specialisms"] = list(service.specialisms or [])
        for code, score in (service.needs_met or {}).items():
            initial[need_field_name(code)] = str(score)
        return initial

    def basic_fields(self):
        return [self[name] for name in self.BASIC_FIELDS]

    def need_groups(self):
        """(domain label, [bound fields]) for the needs, by domain."""
        return [
            (
                label,
                [self[need_field_name(c)] for c, _l, d in INDICATORS if d == domain],
            )
            for domain, label in DOMAINS
        ]

    def clean_postcode(self):
        if not self.cleaned_data["postcode"]:
            return ""
        value = normalise_postcode(self.cleaned_data["postcode"])
        if value is None:
            raise forms.ValidationError(POSTCODE_MESSAGE)
        return value

    def clean(self):
        data = super().clean()
        youngest, oldest = data.get("age_min"), data.get("age_max")
        if youngest is not None and oldest is not None and youngest > oldest:
            self.add_error("age_max", "The oldest age must not be below the youngest.")
        return data

    def service_data(self):
        """The cleaned data as the service functions take it."""
        data = {name: self.cleaned_data[name] for name in self.BASIC_FIELDS}
        if not data["postcode"]:
            del data["postcode"]  # an old service's district stays as it is
        data["specialisms"] = list(self.cleaned_data["specialisms"])
        data["needs_met"] = {
            code: self.cleaned_data[need_field_name(code)]
            for code, _label, _domain in INDICATORS
            if self.cleaned_data.get(need_field_name(code)) is not None
        }
        return data


class RatingProposalForm(GovukFormMixin, forms.Form):
    """A provider's correction of its service's Ofsted rating, for the consortium to confirm."""

    rating = forms.ChoiceField(
        label="The latest overall Ofsted rating",
        choices=OfstedRating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the rating Ofsted gave."},
    )
    inspection_date = forms.DateField(
        label="Date of the latest full inspection",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="For example, 27/03/2025.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
        error_messages={"invalid": "Enter the date as day/month/year, like 27/03/2025."},
    )
    note = forms.CharField(
        label="Why the rating on record is wrong",
        help_text="For example, the date of Ofsted's report and where to read it.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why the rating on record is wrong."},
    )


class RatingRejectForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why the correction is rejected",
        help_text="The provider reads this.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the correction is rejected."},
    )


def vacancy_field_name(service):
    return f"service-{service.pk}"


class VacanciesForm(GovukFormMixin, forms.Form):
    """A number for each of the provider's active services."""

    def __init__(self, *args, services, **kwargs):
        self.services = list(services)
        kwargs.setdefault("initial", {vacancy_field_name(s): s.vacancies for s in self.services})
        super().__init__(*args, **kwargs)
        for service in self.services:
            self.fields[vacancy_field_name(service)] = forms.IntegerField(
                label=f"Vacancies at {service.name}",
                min_value=0,
                max_value=service.registered_places,
                widget=forms.TextInput(
                    attrs={"inputmode": "numeric", "class": "govuk-input govuk-input--width-3"}
                ),
                error_messages={
                    "required": f"Enter the vacancies at {service.name} (0 if none).",
                    "invalid": f"Enter the vacancies at {service.name} as a whole number.",
                    "min_value": f"Vacancies at {service.name} cannot be below 0.",
                    "max_value": f"Vacancies at {service.name} cannot exceed its "
                    f"{service.registered_places} registered places.",
                },
            )

    def rows(self):
        return [(service, self[vacancy_field_name(service)]) for service in self.services]

    def vacancies(self):
        return {s.pk: self.cleaned_data[vacancy_field_name(s)] for s in self.services}


class OfstedImportForm(GovukFormMixin, forms.Form):
    file = forms.FileField(
        label="Ofsted's CSV of children's social care providers",
        help_text="A CSV file with columns including URN, Overall effectiveness and "
        f"Inspection date. Up to {MAX_UPLOAD_BYTES // (1024 * 1024)} MB.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file must be {MAX_UPLOAD_BYTES // (1024 * 1024)} MB or smaller."
            )
        if upload.size == 0:
            raise forms.ValidationError("The file is empty.")
        return upload
