from datetime import timedelta

import django_filters
from django import forms

from .forms import GovukDateField, GovukFormMixin
from .models import AuditEvent, OutboundEmail


class GovukFilterForm(GovukFormMixin, forms.Form):
    pass


class IPAddressFilter(django_filters.Filter):
    field_class = forms.GenericIPAddressField


class BoundedIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 date and time the database can store: years 1900 to 2200, and a UTC offset
    of at most 14 hours (PostgreSQL refuses larger ones with a server error)."""

    def clean(self, value):
        value = super().clean(value)
        if value is None:
            return value
        offset = value.utcoffset()
        if not 1900 <= value.year <= 2200 or (offset and abs(offset) > timedelta(hours=14)):
            raise forms.ValidationError("Enter a date and time between 1900 and 2200.")
        return value


class BoundedIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField


class GovukDateFilter(django_filters.DateFilter):
    """A date filter entered in the GOV.UK date input (day, month and year boxes)."""

    field_class = GovukDateField


class AuditEventFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(
        field_name="actor_label", lookup_expr="icontains", label="Who (email or API client)"
    )
    action = django_filters.CharFilter(lookup_expr="istartswith", label="Action")
    object_type = django_filters.CharFilter(lookup_expr="iexact", label="Object type")
    object_id = django_filters.CharFilter(label="Object ID")
    ip_address = IPAddressFilter(label="IP address")
    since = GovukDateFilter(field_name="at", lookup_expr="date__gte", label="From date")
    until = GovukDateFilter(field_name="at", lookup_expr="date__lte", label="To date")

    class Meta:
        model = AuditEvent
        fields: list[str] = []
        form = GovukFilterForm


class OutboundEmailFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=OutboundEmail.Status.choices, empty_label="Any")
    to = django_filters.CharFilter(lookup_expr="icontains", label="Recipient")

    class Meta:
        model = OutboundEmail
        fields: list[str] = []
        form = GovukFilterForm
