"""Forms of the borough's pages: the placement request (strengths first), the actions on it,
the shortlist and the award, and the placement's start."""

from datetime import datetime

from django import forms
from django.utils import timezone

from dps.formatting import money
from dps.forms import GovukFormMixin
from providers.models import Lot
from providers.needs import DOMAINS, INDICATOR_CODES, INDICATOR_LABELS, INDICATORS, SCORES

from ..models import LegalStatus, PlacementRequest
from ..models.requests import Gender
from ..services.requests import REQUEST_FIELDS

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y"]
TIME_FORMATS = ["%H:%M", "%H.%M", "%H%M"]
DATE_INVALID = "Enter the date as day/month/year, like 27/03/2025."
TIME_INVALID = "Enter the time on the 24-hour clock, like 17:00."
SCORE_CHOICES = [("", "Not scored yet"), *((str(score), label) for score, label in SCORES)]
Status = PlacementRequest.Status


def need_field(code):
    return f"need_{code}"


def need_detail_field(code):
    return f"need_detail_{code}"


def outcome_field(domain):
    return f"outcome_{domain}"


def _number(label, *, min_value, max_value, width=3, required=False, help_text=""):
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=min_value,
        max_value=max_value,
        help_text=help_text,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "class": f"govuk-input govuk-input--width-{width}"}
        ),
        error_messages={
            "invalid": f"Enter the {label.lower()} as a whole number.",
            "min_value": f"The {label.lower()} must be {min_value} or more.",
            "max_value": f"The {label.lower()} must be {max_value} or less.",
        },
    )


def _date(label, *, required=False, help_text="For example, 27/03/2025."):
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        help_text=help_text,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10"}),
        error_messages={"invalid": DATE_INVALID},
    )


def _time(label, *, required=False):
    return forms.TimeField(
        label=label,
        required=required,
        input_formats=TIME_FORMATS,
        help_text="On the 24-hour clock, for example 17:00.",
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-5"}),
        error_messages={"invalid": TIME_INVALID},
    )


def _text(label, *, rows=5, help_text="", required=False, max_length=10000, message=None):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": message or f"Enter {label.lower()}.",
            "max_length": f"{label} must be {max_length} characters or fewer.",
        },
    )


def combine(date, time):
    """An aware datetime in the service's time zone from a date and a time."""
    return timezone.make_aware(datetime.combine(date, time))


def mark_errors(form):
    """Style the fields given errors after validation (as GovukFormMixin does during it)."""
    for name in form.errors:
        if name in form.fields:
            widget = form.fields[name].widget
            base = widget.attrs.get("class", "").split()[:1]
            if base and f"{base[0]}--error" not in widget.attrs["class"]:
                widget.attrs["class"] += f" {base[0]}--error"
                described = widget.attrs.get("aria-describedby", "")
                widget.attrs["aria-describedby"] = f"{described} id_{name}-error".strip()


class PrefixedForm(GovukFormMixin, forms.Form):
    """A form shown several times on one page, each with its own prefix: its hint and error
    ids carry the prefix too."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._prefix_ids()

    def full_clean(self):
        super().full_clean()
        self._prefix_ids()

    def _prefix_ids(self):
        if not self.prefix:
            return
        for name, field in self.fields.items():
            attrs = field.widget.attrs
            if "aria-describedby" in attrs:
                attrs["aria-describedby"] = attrs["aria-describedby"].replace(
                    f"id_{name}-", f"{self[name].auto_id}-"
                )


class DeadlineMixin:
    """A date and a time field together: the bid deadline."""

    deadline_required = False

    def clean_deadline(self, data):
        date, time = data.get("bid_deadline_date"), data.get("bid_deadline_time")
        if "bid_deadline_date" in self.errors or "bid_deadline_time" in self.errors:
            return None
        if date and not time:
            self.add_error("bid_deadline_time", "Enter the time bids close, like 17:00.")
        elif time and not date:
            self.add_error("bid_deadline_date", "Enter the date bids close, like 27/03/2025.")
        elif date and time:
            return combine(date, time)
        elif self.deadline_required:
            self.add_error("bid_deadline_date", "Enter the date and time bids close.")
        return None


class RequestForm(DeadlineMixin, GovukFormMixin, forms.Form):
    """The placement request, in the order an officer tells the child's story: key information,
    the child (strengths first), the needs profile, outcomes, the rest, location, then the
    terms of the bids. Nothing is required here: a draft may be incomplete, and publishing
    checks everything (placements.services.requests.publish_problems)."""

    # Key information
    lot: "forms.ModelChoiceField[Lot]" = forms.ModelChoiceField(
        label="Lot", queryset=None, required=False, empty_label="Choose"
    )
    reference = forms.CharField(
        label="Borough reference",
        max_length=40,
        required=False,
        help_text="Your own reference for the child. Never their name or initials.",
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-10", "spellcheck": "false"}
        ),
    )
    urgency = forms.ChoiceField(
        label="Is the move planned or an emergency?",
        choices=PlacementRequest.Urgency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the move is planned or an emergency."},
    )
    date_needed = _date("Date the placement is needed")
    duration_weeks = _number("Expected duration in weeks", min_value=1, max_value=520)

    # The child
    strengths = _text(
        "Strengths and interests",
        help_text="What the child enjoys and is good at, their talents, clubs and groups.",
    )
    age = _number("Age", min_value=0, max_value=25)
    gender = forms.ChoiceField(
        label="Gender", choices=[("", "Choose"), *Gender.choices], required=False
    )
    ethnicity = forms.CharField(label="Ethnicity", max_length=80, required=False)
    language = forms.CharField(label="First language", max_length=80, required=False)
    religion = forms.CharField(label="Religion", max_length=80, required=False)
    legal_status = forms.ChoiceField(
        label="Legal status", choices=[("", "Choose"), *LegalStatus.choices], required=False
    )

    # Education, contact, the child's views and story
    education_needs = _text(
        "Education needs", help_text="School, year, any EHC plan, and support needed to learn."
    )
    contact_arrangements = _text(
        "Contact arrangements",
        help_text="Who the child sees and how often, supervision, anyone they must not contact, "
        "interpreters.",
    )
    child_views = _text(
        "The child's own views",
        help_text="What they want to happen and what they think about moving.",
    )
    story = _text(
        "The child's story",
        rows=8,
        help_text="Why the placement is needed now and the child's journey into and through "
        "care. Released only to shortlisted providers; every view is recorded.",
    )

    # Location wishes
    areas = forms.CharField(
        label="Local authority areas",
        max_length=1000,
        required=False,
        help_text="Separate areas with commas, like Northbridge, Southmere. Leave blank for "
        "anywhere.",
    )
    home_location = forms.ChoiceField(
        label="Where is the child's home?",
        choices=PlacementRequest.HomeLocation.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="Distances are measured from the centre of the postcode district, or of the "
        "borough's own area when the home is not to be shared.",
    )
    home_district = forms.CharField(
        label="Postcode district of the child's home",
        max_length=8,
        required=False,
        help_text="Only the first part of the postcode, like N19. The full postcode is never "
        "recorded.",
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-5", "autocomplete": "off"}
        ),
    )
    max_distance_miles = _number(
        "Maximum distance from home in miles",
        min_value=1,
        max_value=1000,
        width=4,
        help_text="Leave blank for no limit. Services further away, or whose location is not "
        "known, are not invited.",
    )
    placement_area = forms.ChoiceField(
        label="Where may the child be placed?",
        choices=PlacementRequest.PlacementArea.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text="The DfE counts placements outside the borough for the child's safety "
        "separately.",
    )
    solo_placement = forms.BooleanField(
        label="The child needs a solo placement (the only child in the home)", required=False
    )

    # Bids
    allow_no_vacancy = forms.BooleanField(
        label="Also invite providers with no vacancy today",
        required=False,
        help_text="For example, when the placement is needed at a later date.",
    )
    bid_deadline_date = _date("Date", help_text="")
    bid_deadline_time = _time("Time")
    max_weekly_budget = forms.DecimalField(
        label="Maximum weekly budget in pounds (optional)",
        required=False,
        max_digits=9,
        decimal_places=2,
        min_value=0,
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-10", "inputmode": "decimal"}
        ),
        error_messages={
            "invalid": "Enter the maximum weekly budget in pounds, like 4500.00.",
            "min_value": "The maximum weekly budget must be more than £0.",
            "max_digits": "The maximum weekly budget must be £9,999,999.99 or less.",
            "max_decimal_places": "Enter the maximum weekly budget in pounds and pence.",
            "max_whole_digits": "The maximum weekly budget must be £9,999,999.99 or less.",
        },
    )

    KEY_FIELDS = ("lot", "reference", "urgency", "date_needed", "duration_weeks")
    CHILD_FIELDS = (
        "strengths",
        "age",
        "gender",
        "ethnicity",
        "language",
        "religion",
        "legal_status",
    )
    LOCATION_FIELDS = (
        "home_location",
        "home_district",
        "max_distance_miles",
        "placement_area",
        "areas",
        "solo_placement",
    )

    def __init__(self, *args, lots, placement_request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.placement_request = placement_request
        self.fields["lot"].queryset = lots
        if placement_request is not None and placement_request.status != Status.DRAFT:
            self.fields["lot"].disabled = True
            self.fields["lot"].help_text = "The lot cannot change once the request is published."
            self.fields["lot"].widget.attrs.setdefault("aria-describedby", "id_lot-hint")
        for code, _label, _domain in INDICATORS:
            self.fields[need_field(code)] = forms.TypedChoiceField(
                label="Score",
                choices=SCORE_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.Select(attrs={"class": "govuk-select"}),
            )
            self.fields[need_detail_field(code)] = forms.CharField(
                label="Detail (one line)",
                max_length=500,
                required=False,
                widget=forms.TextInput(attrs={"class": "govuk-input"}),
            )
        for domain, label in DOMAINS:
            self.fields[outcome_field(domain)] = forms.CharField(
                label=label,
                max_length=5000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 3, "class": "govuk-textarea"}),
            )

    # Rendering helpers
    def key_fields(self):
        return [self[name] for name in self.KEY_FIELDS]

    def child_fields(self):
        return [self[name] for name in self.CHILD_FIELDS]

    def location_fields(self):
        return [self[name] for name in self.LOCATION_FIELDS]

    def need_groups(self):
        """(domain label, [(indicator code, indicator label, score field, detail field)])."""
        return [
            (
                domain_label,
                [
                    (code, label, self[need_field(code)], self[need_detail_field(code)])
                    for code, label, d in INDICATORS
                    if d == domain
                ],
            )
            for domain, domain_label in DOMAINS
        ]

    def outcome_fields(self):
        return [self[outcome_field(domain)] for domain, _ in DOMAINS]

    @classmethod
    def values_for(cls, placement_request):
        """The request's fields as the form's values (to edit it, or to show why it cannot
        be published yet)."""
        pr = placement_request
        values = {
            "lot": str(pr.lot_id) if pr.lot_id else "",
            "reference": pr.reference,
            "urgency": pr.urgency,
            "date_needed": pr.date_needed.strftime("%d/%m/%Y") if pr.date_needed else "",
            "duration_weeks": "" if pr.duration_weeks is None else str(pr.duration_weeks),
            "strengths": pr.strengths,
            "age": "" if pr.age is None else str(pr.age),
            "gender": pr.gender,
            "ethnicity": pr.ethnicity,
            "language": pr.language,
            "religion": pr.religion,
            "legal_status": pr.legal_status,
            "education_needs": pr.education_needs,
            "contact_arrangements": pr.contact_arrangements,
            "child_views": pr.child_views,
            "story": pr.story,
            "areas": ", ".join(pr.areas or []),
            "home_location": pr.home_location,
            "home_district": pr.home_district,
            "placement_area": pr.placement_area,
            "max_distance_miles": ""
            if pr.max_distance_miles is None
            else str(pr.max_distance_miles),
            "max_weekly_budget": "" if pr.max_weekly_budget is None else str(pr.max_weekly_budget),
        }
        if pr.solo_placement:
            values["solo_placement"] = "on"
        if pr.allow_no_vacancy:
            values["allow_no_vacancy"] = "on"
        if pr.bid_deadline:
            local = timezone.localtime(pr.bid_deadline)
            values["bid_deadline_date"] = local.strftime("%d/%m/%Y")
            values["bid_deadline_time"] = local.strftime("%H:%M")
        needs, details, outcomes = pr.needs or {}, pr.need_details or {}, pr.outcomes or {}
        for code in INDICATOR_CODES:
            values[need_field(code)] = "" if needs.get(code) is None else str(needs[code])
            values[need_detail_field(code)] = details.get(code, "")
        for domain, _ in DOMAINS:
            values[outcome_field(domain)] = outcomes.get(domain, "")
        return values

    def clean(self):
        data = super().clean()
        data["bid_deadline"] = self.clean_deadline(data)
        return data

    def request_data(self):
        """The cleaned data as request_create / request_update take it."""
        data = self.cleaned_data
        fields = {
            name: data.get(name)
            for name in REQUEST_FIELDS
            if name not in {"needs", "need_details", "outcomes"}
        }
        fields["needs"] = {
            code: data[need_field(code)]
            for code in INDICATOR_CODES
            if data.get(need_field(code)) is not None
        }
        fields["need_details"] = {
            code: data.get(need_detail_field(code), "") for code in INDICATOR_CODES
        }
        fields["outcomes"] = {domain: data.get(outcome_field(domain), "") for domain, _ in DOMAINS}
        if self.fields["lot"].disabled:
            fields.pop("lot")
        return fields

    def add_problems(self, problems):
        """Put each problem a service found beside the field it is about. The needs are told
        one indicator at a time, so the officer reads exactly which score or detail is
        missing."""
        data = getattr(self, "cleaned_data", {})
        errors = []
        for name, message in problems.items():
            if name == "needs":
                unscored = [c for c in INDICATOR_CODES if data.get(need_field(c)) is None]
                if unscored:
                    errors += [
                        (need_field(c), f"Score “{INDICATOR_LABELS[c]}” from 0 to 3.")
                        for c in unscored
                    ]
                    continue
            if name == "need_details":
                missing = [
                    c
                    for c in INDICATOR_CODES
                    if data.get(need_field(c)) and not data.get(need_detail_field(c))
                ]
                if missing:
                    errors += [
                        (
                            need_detail_field(c),
                            f"Give a line of detail for “{INDICATOR_LABELS[c]}” "
                            f"(scored {data[need_field(c)]}).",
                        )
                        for c in missing
                    ]
                    continue
            errors.append((self.field_for(name), message))
        for name, message in errors:
            self.add_error(name, message)
        mark_errors(self)

    def field_for(self, name):
        """The form field a service's field name is shown beside (None: the whole form)."""
        mapped = {
            "bid_deadline": "bid_deadline_date",
            "needs": need_field(INDICATOR_CODES[0]),
            "need_details": need_detail_field(INDICATOR_CODES[0]),
            "outcomes": outcome_field(DOMAINS[0][0]),
        }.get(name, name)
        return mapped if mapped in self.fields else None


class PublishForm(GovukFormMixin, forms.Form):
    """Publishing; when no provider would be invited, the officer must say so deliberately."""

    confirm_no_eligible = forms.BooleanField(
        label="Publish anyway: no provider will be invited",
        required=False,
        help_text="If you change the request's terms while it is open, the providers the new "
        "terms make eligible are invited then.",
    )


class RequestFilterForm(GovukFormMixin, forms.Form):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "All"), *Status.choices]
    )


class CancelForm(GovukFormMixin, forms.Form):
    reason = forms.ChoiceField(
        label="Why is the request cancelled?",
        choices=PlacementRequest.CancelReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why the request is cancelled."},
    )
    detail = _text(
        "More detail",
        rows=3,
        max_length=2000,
        help_text="Needed if you chose “Other”. Providers who bid are told the reason you chose, "
        "not this detail.",
    )

    def service_data(self):
        return {"reason": self.cleaned_data["reason"], "detail": self.cleaned_data["detail"]}


class ReopenForm(DeadlineMixin, GovukFormMixin, forms.Form):
    deadline_required = True
    bid_deadline_date = _date("Date")
    bid_deadline_time = _time("Time")

    def clean(self):
        data = super().clean()
        data["bid_deadline"] = self.clean_deadline(data)
        return data

    def service_data(self):
        return {"bid_deadline": self.cleaned_data["bid_deadline"]}

    def field_for(self, name):
        return "bid_deadline_date" if name == "bid_deadline" else name


class NoSuitableOfferForm(GovukFormMixin, forms.Form):
    reason = _text(
        "Why is none of the offers suitable?",
        rows=4,
        max_length=5000,
        required=True,
        help_text="Providers who bid are told the request ended with no suitable offer.",
        message="Say why none of the offers is suitable.",
    )

    def service_data(self):
        return {"reason": self.cleaned_data["reason"]}


class AnswerForm(PrefixedForm):
    answer = _text(
        "Your answer", rows=4, max_length=2000, required=True, message="Enter your answer."
    )
    shared = forms.BooleanField(
        label="Share the question and answer with every invited provider",
        required=False,
        help_text="They are not told who asked.",
    )


class YoungPersonViewForm(PrefixedForm):
    view = _text(
        "The young person's view of this offer",
        rows=3,
        max_length=5000,
        required=True,
        message="Enter the young person's view.",
    )


def bid_label(bid):
    return (
        f"Rank {bid.rank}: {bid.provider.name}, {bid.service.name}, {money(bid.weekly_fee)} a week "
        f"(total score {bid.total_score})"
    )


class AwardForm(GovukFormMixin, forms.Form):
    bid = forms.TypedChoiceField(
        label="Which offer do you award?",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the offer to award."},
    )
    reason = _text(
        "Why this offer? (needed unless it is the top-ranked one)",
        rows=4,
        max_length=5000,
        help_text="Recorded with the award and shown in the placement's history.",
    )

    pending_applications_considered = forms.BooleanField(
        label="I have considered the applications to join this lot that are still pending",
        required=False,
    )

    def __init__(self, *args, bids, pending=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bid"].choices = [(b.pk, bid_label(b)) for b in bids]
        if not pending:  # asked only when applications are pending (s.34(4))
            del self.fields["pending_applications_considered"]


class StartForm(GovukFormMixin, forms.Form):
    actual_start_date = _date("Date the child moved in", required=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actual_start_date"].error_messages["required"] = (
            "Enter the date the placement started."
        )
