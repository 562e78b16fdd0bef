"""KPI snapshots over the API: a borough reads its own borough's and the consortium's (in
aggregate), a provider those of its own provider and service scopes, the consortium admin
every snapshot of its consortium. `year_ending=YYYY` keeps the periods within the return year
1 April YYYY-1 to 31 March YYYY; each snapshot says the day it counts to, whether its period
is complete, and the period's label (monitoring.kpis.periods.period_label)."""

import django_filters
from django import forms
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import generics, permissions, serializers
from rest_framework.views import APIView

from dps.formatting import figure_display
from dps.tenancy import get_actor

from ..kpis import KPIS
from ..kpis.periods import return_year, snapshot_complete, snapshot_counted_to, snapshot_label
from ..models import KpiSnapshot, Rag
from ..selectors.kpis import snapshots_visible_to

MAX_ID = 2**63 - 1
# The return years a query may name: none began before these.
FIRST_YEAR_ENDING, LAST_YEAR_ENDING = 2000, 2100
Scope = KpiSnapshot.Scope


class SnapshotReaders(permissions.BasePermission):
    message = "KPI snapshots are for boroughs, providers and the consortium admin."

    def has_permission(self, request, view):
        return get_actor(request) is not None


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.Filter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=MAX_ID, **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class YearEndingFilter(django_filters.Filter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=FIRST_YEAR_ENDING, max_value=LAST_YEAR_ENDING, **kwargs)


class SnapshotFilter(django_filters.FilterSet):
    kpi = django_filters.ChoiceFilter(choices=[(code, code) for code in KPIS])
    scope = django_filters.ChoiceFilter(choices=Scope.choices)
    scope_id = IdFilter(field_name="scope_id")
    borough = IdFilter(method="filter_borough", label="A borough's own snapshots (its id)")
    provider = IdFilter(method="filter_provider", label="A provider's own snapshots (its id)")
    period = django_filters.ChoiceFilter(choices=KpiSnapshot.Period.choices)
    period_start = django_filters.DateFromToRangeFilter(
        field_name="period_start", label="Periods starting from (after) or to (before) a date"
    )
    year_ending = YearEndingFilter(
        method="filter_year_ending",
        label="The return year ending 31 March of this year (YYYY): its year, quarters and months",
    )

    class Meta:
        model = KpiSnapshot
        fields = ["kpi", "scope", "scope_id", "period"]

    def filter_borough(self, queryset, name, value):
        return queryset.filter(scope=Scope.BOROUGH, scope_id=value)

    def filter_provider(self, queryset, name, value):
        return queryset.filter(scope=Scope.PROVIDER, scope_id=value)

    def filter_year_ending(self, queryset, name, value):
        year = return_year(value)
        return queryset.filter(period_start__gte=year.start, period_end__lte=year.end)


class SnapshotSerializer(serializers.ModelSerializer):
    # A declared field, not Field.label (DRF takes declared fields off the class).
    label = serializers.SerializerMethodField(help_text="The KPI's name.")  # type: ignore[assignment]
    unit = serializers.SerializerMethodField(
        help_text="percent, days, pounds, count, points or ratio."
    )
    rag = serializers.CharField(
        read_only=True,
        help_text="One of "
        + ", ".join(f"`{value}`" for value, _ in Rag.choices)
        + ", or blank when the KPI has no threshold or no value.",
    )
    scope = serializers.CharField(
        read_only=True, help_text="consortium, borough, provider, service or lot."
    )
    period = serializers.CharField(read_only=True, help_text="month, quarter or year.")
    counted_to = serializers.SerializerMethodField(
        help_text="The last day the figures count: the period's end, or, for a period not "
        "yet ended when computed, that day."
    )
    complete = serializers.SerializerMethodField(
        help_text="Whether the figures count the whole period (counted to its end)."
    )
    value_display = serializers.SerializerMethodField(
        help_text="The value as the pages, the reports and the CSVs show it, rounded half up to "
        'its unit\'s places: "12.5%", "£1,234,567.89", "45 days", or "No data".'
    )
    period_label = serializers.SerializerMethodField(
        help_text='The period as the pages name it: "Year ending 31 March 2026", "Year to '
        'date: 1 April 2026 to 4 December 2026", ...'
    )

    class Meta:
        model = KpiSnapshot
        fields = [
            "id",
            "kpi",
            "label",
            "unit",
            "scope",
            "scope_id",
            "period",
            "period_start",
            "period_end",
            "counted_to",
            "complete",
            "period_label",
            "value",
            "value_display",
            "numerator",
            "denominator",
            "rag",
            "computed_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "computed_at": {
                "help_text": "When the snapshot's current figures were computed. Runs since "
                "that found the same figures left it as it was."
            }
        }

    def get_label(self, snapshot) -> str:
        kpi = KPIS.get(snapshot.kpi)
        return kpi.label if kpi else snapshot.kpi

    def get_unit(self, snapshot) -> str:
        kpi = KPIS.get(snapshot.kpi)
        return kpi.unit if kpi else ""

    @extend_schema_field(OpenApiTypes.DATE)
    def get_counted_to(self, snapshot):
        return snapshot_counted_to(snapshot).isoformat()

    def get_complete(self, snapshot) -> bool:
        return snapshot_complete(snapshot)

    def get_value_display(self, snapshot) -> str:
        kpi = KPIS.get(snapshot.kpi)
        return figure_display(snapshot.value, kpi.unit if kpi else "")

    def get_period_label(self, snapshot) -> str:
        return snapshot_label(snapshot)


class SnapshotList(generics.ListAPIView):
    """The KPI snapshots the caller may see, newest first: filter by KPI, scope, period."""

    serializer_class = SnapshotSerializer
    permission_classes = [*APIView.permission_classes, SnapshotReaders]
    filterset_class = SnapshotFilter

    def get_queryset(self):
        return snapshots_visible_to(get_actor(self.request))


urlpatterns = [
    path("kpi-snapshots/", SnapshotList.as_view(), name="kpi-snapshots"),
]
