"""Forms of the provider's side of a request: the bid, declining, asking a question, and the
filter of the opportunities list."""

from decimal import Decimal, InvalidOperation

from django import forms

from dps.forms import GovukFormMixin
from providers.models import Service
from providers.needs import DOMAINS, INDICATORS, SCORES

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d %B %Y", "%d %b %Y"]
SCORE_LABELS = dict(SCORES)


def need_field_name(code):
    return f"need_{code}"


class MoneyField(forms.CharField):
    """An amount in pounds; "£4,250" and "4250.00" both read as 4250.00."""

    def __init__(self, *, what, **kwargs):
        self.what = what
        # (No max_length: its validator would run on the Decimal; the widget limits typing.)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "inputmode": "decimal",
                    "class": "govuk-input--width-10",
                    "spellcheck": "false",
                    "maxlength": "20",
                }
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        cleaned = value.replace("£", "").replace(",", "").strip()
        try:
            amount = Decimal(cleaned)
        except InvalidOperation as exc:
            raise forms.ValidationError(
                f"Enter the {self.what} in pounds, like 4250.00.", code="invalid"
            ) from exc
        if not amount.is_finite():
            raise forms.ValidationError(f"Enter the {self.what} in pounds, like 4250.00.")
        return amount


class BidForm(GovukFormMixin, forms.Form):
    """A bid on one invitation: one of the services the request was sent for, the weekly fee and
    its breakdown, the start date, how each need the request scores is met, a volume discount.
    A need left blank is one the bid does not say it meets."""

    service = forms.ModelChoiceField(
        label="Service you offer",
        queryset=Service.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Choose the service you offer.",
            "invalid_choice": "Choose one of the services listed.",
        },
    )
    core_weekly_fee = MoneyField(
        what="core weekly fee",
        label="Core weekly fee (£)",
        help_text="The weekly fee for the placement without extra staffing, like 4250.00.",
        error_messages={"required": "Enter the core weekly fee."},
    )
    extra_staffing_hours = forms.DecimalField(
        label="Extra staffing hours a week",
        required=False,
        max_digits=5,
        decimal_places=2,
        help_text="Hours of staffing beyond the core, if the child needs them. "
        "Leave blank if none.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-5"}),
        error_messages={
            "invalid": "Enter the extra staffing hours as a number, like 10.",
            "max_digits": "Extra staffing hours must be 0 to 168 a week.",
            "max_decimal_places": "Enter the extra staffing hours with at most 2 decimal places.",
            "max_whole_digits": "Extra staffing hours must be 0 to 168 a week.",
        },
    )
    extra_staffing_cost = MoneyField(
        what="extra staffing cost",
        label="Weekly cost of the extra staffing (£)",
        required=False,
        help_text="Added to the core fee to make the weekly fee. Leave blank if none.",
    )
    start_date = forms.DateField(
        label="Date the placement can start",
        input_formats=DATE_FORMATS,
        help_text="For example, 27/03/2026.",
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
        error_messages={
            "required": "Enter the date the placement can start.",
            "invalid": "Enter the date as day/month/year, like 27/03/2026.",
        },
    )
    volume_discount = forms.CharField(
        label="Volume discount (optional)",
        required=False,
        max_length=2000,
        help_text="Any discount you offer, for example when the borough places more than one "
        "child with you.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    BASIC_FIELDS = (
        "service",
        "core_weekly_fee",
        "extra_staffing_hours",
        "extra_staffing_cost",
        "start_date",
    )

    def __init__(self, *args, invitation, **kwargs):
        placement_request = invitation.request
        scores = placement_request.needs or {}
        self.scored = [(c, label, d, scores[c]) for c, label, d in INDICATORS if scores.get(c)]
        # The need fields join the declared ones before the forms machinery copies them, so
        # the mixin styles them like the rest.
        extra = {
            need_field_name(code): forms.CharField(
                label=label,
                required=False,
                max_length=2000,
                help_text=f"Scored {SCORE_LABELS.get(score, score)}. Leave blank if the "
                "service cannot meet this need.",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            for code, label, _domain, score in self.scored
        }
        self.base_fields = {**type(self).base_fields, **extra}
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = invitation.services.filter(is_active=True).order_by(
            "name"
        )

    @classmethod
    def initial_for(cls, bid):
        if bid is None:
            return {}
        initial = {
            "service": bid.service_id,
            "core_weekly_fee": f"{bid.core_weekly_fee:.2f}",
            "extra_staffing_hours": bid.extra_staffing_hours or None,
            "extra_staffing_cost": f"{bid.extra_staffing_cost:.2f}"
            if bid.extra_staffing_cost
            else "",
            "start_date": bid.start_date.strftime("%d/%m/%Y"),
            "volume_discount": bid.volume_discount,
        }
        for code, how in (bid.needs_met or {}).items():
            initial[need_field_name(code)] = how
        return initial

    def basic_fields(self):
        return [self[name] for name in self.BASIC_FIELDS]

    def need_groups(self):
        """(domain label, [bound fields]) for the domains with a need the request scores."""
        groups = []
        for domain, domain_label in DOMAINS:
            fields = [self[need_field_name(c)] for c, _l, d, _s in self.scored if d == domain]
            if fields:
                groups.append((domain_label, fields))
        return groups

    def bid_data(self):
        """The cleaned data as bids.bid_save takes it."""
        data = self.cleaned_data
        return {
            "service": data["service"],
            "core_weekly_fee": data["core_weekly_fee"],
            "extra_staffing_hours": data.get("extra_staffing_hours") or Decimal(0),
            "extra_staffing_cost": data.get("extra_staffing_cost") or Decimal(0),
            "start_date": data["start_date"],
            "volume_discount": data.get("volume_discount", ""),
            "needs_met": {
                code: data.get(need_field_name(code), "") for code, _l, _d, _s in self.scored
            },
        }


class DeclineForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why are you not bidding? (optional)",
        required=False,
        max_length=2000,
        help_text="For example, no vacancy on the date needed. The borough sees your reason.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class QuestionForm(GovukFormMixin, forms.Form):
    text = forms.CharField(
        label="Your question",
        max_length=2000,
        help_text="The borough answers you, and may share the answer with every invited "
        "provider without saying who asked.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter your question."},
    )


class OpportunityFilterForm(GovukFormMixin, forms.Form):
    """The list's filter: open for bids, or closed (deadline passed, or ended)."""

    status = forms.ChoiceField(
        label="Requests",
        required=False,
        choices=[("", "All"), ("open", "Open for bids"), ("closed", "Closed")],
        widget=forms.RadioSelect,
    )
