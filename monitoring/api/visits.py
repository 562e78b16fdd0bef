"""Monitoring visits over the API: commissioners and the consortium admin read and record
them, as monitoring.access allows; a provider reads its own."""

import django_filters
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from dps.tenancy import get_actor
from placements.api.common import SaneDateField, status_field, validated

from .. import access
from ..models import MonitoringVisit, Rag
from ..services import visits as services


class MonitoringReaders(permissions.BasePermission):
    """Providers read their own; commissioners and the consortium admin read the consortium's
    and write."""

    message = "Monitoring is for commissioners, the consortium admin and providers."

    def has_permission(self, request, view):
        actor = get_actor(request)
        if actor is None:
            return False
        if request.method in permissions.SAFE_METHODS:
            return actor.is_provider or actor.is_commissioner_or_admin
        self.message = "Only commissioners and the consortium admin can do this."
        return actor.is_commissioner_or_admin


PERMISSIONS = [*APIView.permission_classes, MonitoringReaders]


class VisitSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    status = status_field(MonitoringVisit.Status.choices)
    rag = status_field(Rag.choices, help_text="The result: blank until recorded.")

    class Meta:
        model = MonitoringVisit
        fields = [
            "id",
            "service",
            "service_name",
            "provider",
            "provider_name",
            "due_date",
            "status",
            "visited_on",
            "findings",
            "rag",
        ]
        read_only_fields = fields


class VisitRecordSerializer(serializers.Serializer):
    visited_on = SaneDateField()
    findings = serializers.CharField(max_length=20000)
    rag = serializers.ChoiceField(choices=Rag.choices)


class VisitFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=MonitoringVisit.Status.choices)
    overdue = django_filters.BooleanFilter(method="filter_overdue", label="Overdue only")

    class Meta:
        model = MonitoringVisit
        fields = ["status"]

    def filter_overdue(self, queryset, name, value):
        from django.utils import timezone

        if value:
            return queryset.filter(
                status=MonitoringVisit.Status.SCHEDULED, due_date__lt=timezone.localdate()
            )
        return queryset


class VisitList(generics.ListAPIView):
    """The caller's monitoring visits: the consortium's, or a provider's own."""

    serializer_class = VisitSerializer
    permission_classes = PERMISSIONS
    filterset_class = VisitFilter

    def get_queryset(self):
        return access.visits_visible_to(get_actor(self.request))


class VisitDetail(generics.RetrieveAPIView):
    serializer_class = VisitSerializer
    permission_classes = PERMISSIONS

    def get_queryset(self):
        return access.visits_visible_to(get_actor(self.request))


class VisitRecord(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        request=VisitRecordSerializer,
        responses=VisitSerializer,
        summary="Record a scheduled visit (the service's next visit is scheduled)",
    )
    def post(self, request, pk):
        actor = get_actor(request)
        visit = access.get_visit_for_actor(actor, pk, write=True)
        data = validated(VisitRecordSerializer, request.data)
        services.visit_record(actor=actor, visit=visit, **data)
        visit = access.visits_visible_to(actor).get(pk=visit.pk)
        return Response(VisitSerializer(visit).data)


urlpatterns = [
    path("monitoring-visits/", VisitList.as_view(), name="monitoring-visits"),
    path("monitoring-visits/<int:pk>/", VisitDetail.as_view(), name="monitoring-visit"),
    path(
        "monitoring-visits/<int:pk>/record/",
        VisitRecord.as_view(),
        name="monitoring-visit-record",
    ),
]
