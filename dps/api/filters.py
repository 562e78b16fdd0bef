"""Query filters that refuse what they cannot read, as the OpenAPI document says they do."""

from django import forms
from django_filters import utils
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

EMPTY: tuple[object, ...] = (None, "", [], ())
# The OpenAPI document's booleans; Django's widgets would also read "2", "on" or "yes".
BOOLEANS = ("true", "false")


def _parameters(name, field):
    """The query parameters a form field reads: its name, or one per part of a range."""
    suffixes = getattr(field.widget, "suffixes", None)
    if suffixes:
        return [f"{name}_{suffix}" if suffix else name for suffix in suffixes]
    return [name]


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter reads a filter it cannot make sense of as no filter at all: `?status=`
    or `?is_active=maybe` would list everything. A filter that was sent must mean something:
    otherwise it is a 400 naming it (text filters may be empty)."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise utils.translate_validation(filterset.errors)
        self._refuse_unread(request.query_params, filterset.form)
        return filterset.qs

    def _refuse_unread(self, params, form):
        errors = {}
        for name, field in form.fields.items():
            if isinstance(field, forms.CharField):
                continue
            for param in _parameters(name, field):
                if param not in params:
                    continue
                raw = params.get(param)
                if isinstance(field, forms.NullBooleanField):
                    if raw.lower() not in BOOLEANS:
                        errors[param] = ["Enter true or false."]
                elif raw == "" or (
                    len(_parameters(name, field)) == 1 and form.cleaned_data.get(name) in EMPTY
                ):
                    errors[param] = ["Enter a valid value, or leave the parameter out."]
        if errors:
            raise ValidationError(errors)
