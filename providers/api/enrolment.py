"""API views of the enrolment part, and their routes (included by providers/api/urls.py).

Read only: a provider reads its own applications and enrolments; a consortium admin reads the
applications and enrolments of its own lots."""

import django_filters
from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, permissions, serializers
from rest_framework.views import APIView

from dps.tenancy import get_actor

from ..models import Application, ApplicationAnswer, ApplicationTransition, Enrolment
from ..selectors.enrolment import (
    application_detail,
    applications_visible_to,
    enrolments_visible_to,
)


class ProviderOrConsortiumAdmin(permissions.BasePermission):
    message = "Only providers and consortium admins can read applications and enrolments."

    def has_permission(self, request, view):
        actor = get_actor(request)
        return actor is not None and (actor.is_provider or actor.is_consortium_admin)


def status_field(choices):
    """A read-only status, documented as a string with its values listed. (As an enum it
    would become a schema component named after the field, colliding with the app's other
    `status` choice sets.)"""
    values = ", ".join(f"`{value}`" for value, _ in choices if value)

    @extend_schema_field({"type": "string", "description": f"One of {values}."})
    class Field(serializers.CharField):
        pass

    return Field(read_only=True)


class AnswerSerializer(serializers.ModelSerializer):
    question = serializers.CharField(source="question.text")
    fails = serializers.BooleanField()
    on_fail = serializers.CharField(source="question.on_fail")

    class Meta:
        model = ApplicationAnswer
        fields = ["question", "answer", "detail", "fails", "on_fail"]


class TransitionSerializer(serializers.ModelSerializer):
    from_status = status_field(Application.Status.choices)
    to_status = status_field(Application.Status.choices)

    class Meta:
        model = ApplicationTransition
        fields = ["from_status", "to_status", "at", "reason"]


class ApplicationSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name")
    lot_name = serializers.CharField(source="lot.name")
    status = status_field(Application.Status.choices)

    class Meta:
        model = Application
        fields = [
            "id",
            "provider",
            "provider_name",
            "lot",
            "lot_name",
            "status",
            "flagged_for_review",
            "created_at",
            "submitted_at",
            "decided_at",
        ]


class ApplicationDetailSerializer(ApplicationSerializer):
    answers = AnswerSerializer(many=True)
    transitions = TransitionSerializer(many=True)
    # many=True: a ManyRelatedField of the documents' ids.
    documents: serializers.Field = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta(ApplicationSerializer.Meta):
        fields = [
            *ApplicationSerializer.Meta.fields,
            "supporting_statement",
            "answers",
            "documents",
            "transitions",
        ]


class EnrolmentSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name")
    lot_name = serializers.CharField(source="lot.name")
    status = status_field(Enrolment.Status.choices)
    suspension_cause = status_field(Enrolment.Cause.choices)

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "provider",
            "provider_name",
            "lot",
            "lot_name",
            "status",
            "suspension_cause",
            "status_reason",
            "status_changed_at",
            "enrolled_at",
        ]


def filter_lot(queryset, name, value):
    """By lot id; an id that is not a number matches nothing (rather than a 400)."""
    try:
        lot_id = int(value)
    except ValueError:
        return queryset.none()
    if not 0 < lot_id < 2**63:
        return queryset.none()
    return queryset.filter(lot_id=lot_id)


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Application.Status.choices)
    lot = django_filters.CharFilter(method=filter_lot, label="The lot's id.")

    class Meta:
        model = Application
        fields = ["status", "lot"]


class EnrolmentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Enrolment.Status.choices)
    lot = django_filters.CharFilter(method=filter_lot, label="The lot's id.")

    class Meta:
        model = Enrolment
        fields = ["status", "lot"]


PERMISSIONS = [*APIView.permission_classes, ProviderOrConsortiumAdmin]


@extend_schema(summary="Applications to join lots: a provider's own, or those to the caller's lots")
class ApplicationList(generics.ListAPIView):
    serializer_class = ApplicationSerializer
    permission_classes = PERMISSIONS
    filterset_class = ApplicationFilter

    def get_queryset(self):
        return applications_visible_to(get_actor(self.request))


@extend_schema(summary="One application, with its declarations, documents and history")
class ApplicationDetail(generics.RetrieveAPIView):
    serializer_class = ApplicationDetailSerializer
    permission_classes = PERMISSIONS

    def get_queryset(self):
        return application_detail(applications_visible_to(get_actor(self.request)))


@extend_schema(summary="Enrolments on lots: a provider's own, or those on the caller's lots")
class EnrolmentList(generics.ListAPIView):
    serializer_class = EnrolmentSerializer
    permission_classes = PERMISSIONS
    filterset_class = EnrolmentFilter

    def get_queryset(self):
        return enrolments_visible_to(get_actor(self.request))


urlpatterns = [
    path("applications/", ApplicationList.as_view(), name="applications"),
    path("applications/<int:pk>/", ApplicationDetail.as_view(), name="application-detail"),
    path("enrolments/", EnrolmentList.as_view(), name="enrolments"),
]
