"""Forms of the enrolment part: registering a provider, applying to a lot, deciding."""

from django import forms
from django.contrib.auth import password_validation
from django.utils.formats import date_format

from dps.forms import GovukFormMixin
from dps.models import User
from dps.services import DomainError

from ..models import Application, DeclarationQuestion, Document, Enrolment, Lot
from ..models.enrolment import ENROLMENT_STATES
from ..services.enrolment import normalise_registration_numbers

YES_NO = [("yes", "Yes"), ("no", "No")]


class RegistrationForm(GovukFormMixin, forms.Form):
    legal_name = forms.CharField(label="Organisation's legal name", max_length=200)
    companies_house_number = forms.CharField(
        label="Companies House number",
        max_length=12,
        required=False,
        help_text="8 characters, like 01234567 or SC123456. Give this, a charity number, or both.",
    )
    charity_number = forms.CharField(
        label="Charity number", max_length=12, required=False, help_text="6 to 8 digits."
    )
    address = forms.CharField(
        label="Registered address", widget=forms.Textarea(attrs={"rows": 4}), max_length=500
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "postal-code", "class": "govuk-input--width-10"}
        ),
    )
    contact_name = forms.CharField(label="Contact's name", max_length=150)
    contact_email = forms.EmailField(label="Contact's email address")
    contact_phone = forms.CharField(
        label="Contact's phone number",
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    full_name = forms.CharField(
        label="Your full name",
        max_length=150,
        help_text="You will be the organisation's first admin.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="Your email address",
        help_text="We will send you a link to confirm it before you can sign in.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
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

    def clean(self):
        data = super().clean()
        try:
            ch, charity = normalise_registration_numbers(
                data.get("companies_house_number", ""), data.get("charity_number", "")
            )
        except DomainError as exc:
            self.add_error(exc.field, exc.message)
        else:
            data["companies_house_number"], data["charity_number"] = ch, charity
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The passwords do not match.")
        elif p1:
            candidate = User(email=data.get("email", ""), full_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data

    def service_data(self):
        data = dict(self.cleaned_data)
        data["password"] = data.pop("password1")
        data.pop("password2")
        return data


class ApplicationStartForm(GovukFormMixin, forms.Form):
    lot: "forms.ModelChoiceField[Lot]" = forms.ModelChoiceField(
        label="Lot", queryset=None, empty_label="Choose a lot", widget=forms.Select
    )

    def __init__(self, *args, lots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = lots


class ApplicationForm(GovukFormMixin, forms.Form):
    """The answers to the lot's declaration questions, the evidence and the statement. Each
    question has a yes/no field `q<id>` and a detail field `q<id>_detail`."""

    supporting_statement = forms.CharField(
        label="Supporting statement",
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Why your organisation should join this lot: your experience, your "
        "settings and the children you care for.",
    )
    documents = forms.ModelMultipleChoiceField(
        label="Evidence documents",
        queryset=Document.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose from the documents you have uploaded.",
    )
    note = forms.CharField(
        label="Your answer to the request for more information",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, application, questions, documents, **kwargs):
        answers = {a.question_id: a for a in application.answers.all()}
        initial = {
            "supporting_statement": application.supporting_statement,
            "documents": [d.pk for d in application.documents.all()],
        }
        for question in questions:
            answer = answers.get(question.pk)
            if answer is not None:
                initial[f"q{question.pk}"] = "yes" if answer.answer else "no"
                initial[f"q{question.pk}_detail"] = answer.detail
        super().__init__(*args, initial=initial, **kwargs)
        self.questions = list(questions)
        fields = {}
        for question in self.questions:
            fields[f"q{question.pk}"] = forms.ChoiceField(
                label=question.text,
                choices=YES_NO,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "govuk-radios__input"}),
                help_text=question.guidance,
            )
            if question.guidance:
                fields[f"q{question.pk}"].widget.attrs["aria-describedby"] = (
                    f"id_q{question.pk}-hint"
                )
            fields[f"q{question.pk}_detail"] = forms.CharField(
                label="Details (optional)",
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 3, "class": "govuk-textarea"}),
            )
        # The questions come first, in their order.
        self.fields = {**fields, **self.fields}
        self.fields["documents"].queryset = documents
        self.fields["documents"].label_from_instance = _document_label
        if application.status != Application.Status.MORE_INFO:
            del self.fields["note"]

    def answers(self):
        result = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.pk}")
            answer = {"yes": True, "no": False}.get(value)
            result[question.pk] = (answer, self.cleaned_data.get(f"q{question.pk}_detail", ""))
        return result


def _document_label(document):
    expiry = f", expires {date_format(document.expires_on, 'j F Y')}" if document.expires_on else ""
    return f"{document.get_document_type_display()}: {document.original_name}{expiry}"


class DecisionForm(GovukFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        choices=[
            ("approve", "Approve: enrol the provider on the lot"),
            ("more_info", "Ask the provider for more information"),
            ("reject", "Reject"),
        ],
    )
    reason = forms.CharField(
        label="Reason",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The provider is emailed this.",
        error_messages={
            "required": "Enter the reason for your decision: what you checked and why you "
            "approve, ask for more information (say what is needed) or reject. The provider is "
            "emailed it."
        },
    )


class EnrolmentActionForm(GovukFormMixin, forms.Form):
    # Offered as the enrolment's state machine allows them from its status.
    LABELS = {"suspend": "Suspend", "reinstate": "Reinstate", "remove": "Remove (final)"}
    action = forms.ChoiceField(label="Action", widget=forms.RadioSelect)
    reason = forms.CharField(
        label="Reason",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The provider is emailed this.",
        error_messages={
            "required": "Enter the reason for this action: why the enrolment is suspended, "
            "reinstated or removed. The provider is emailed it."
        },
    )

    def __init__(self, *args, enrolment, **kwargs):
        super().__init__(*args, **kwargs)
        available = ENROLMENT_STATES.available(enrolment)
        self.fields["action"].choices = [
            (name, label) for name, label in self.LABELS.items() if name in available
        ] or [("suspend", "Suspend"), ("reinstate", "Reinstate"), ("remove", "Remove")]


class EnrolmentFilterForm(GovukFormMixin, forms.Form):
    lot: "forms.ModelChoiceField[Lot]" = forms.ModelChoiceField(
        label="Lot", queryset=None, required=False, empty_label="All lots"
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "All"), *Enrolment.Status.choices]
    )

    def __init__(self, *args, lots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = lots


class DeclarationQuestionForm(GovukFormMixin, forms.Form):
    text = forms.CharField(label="Question", max_length=500)
    guidance = forms.CharField(
        label="Guidance (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    failing_answer = forms.TypedChoiceField(
        label="Which answer fails the question?",
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    on_fail = forms.ChoiceField(
        label="What a failing answer does",
        choices=DeclarationQuestion.OnFail.choices,
        widget=forms.RadioSelect,
    )
    position = forms.IntegerField(
        label="Position",
        min_value=0,
        max_value=1000,
        initial=0,
        required=False,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4"}),
    )
    is_active = forms.BooleanField(
        label="Active: applications must answer it", required=False, initial=True
    )

    @classmethod
    def initial_for(cls, question):
        return {
            "text": question.text,
            "guidance": question.guidance,
            "failing_answer": "yes" if question.failing_answer else "no",
            "on_fail": question.on_fail,
            "position": question.position,
            "is_active": question.is_active,
        }
