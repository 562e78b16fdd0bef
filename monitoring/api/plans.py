"""Corrective action plans over the API: commissioners and the consortium admin read, open,
add actions to and close them, as monitoring.access allows; a provider reads its own."""

import django_filters
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from dps.models import Organisation
from dps.services import DomainError
from dps.tenancy import get_actor
from placements.api.common import SaneDateField, status_field, text, validated

from .. import access
from ..models import CorrectiveAction, CorrectiveActionPlan
from ..selectors import plans as selectors
from ..services import plans as services
from .visits import PERMISSIONS

MAX_ID = 2**63 - 1


class ActionSerializer(serializers.ModelSerializer):
    status = status_field(CorrectiveAction.Status.choices)

    class Meta:
        model = CorrectiveAction
        fields = ["id", "description", "owner", "due_date", "status", "review_note", "completed_at"]
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    status = status_field(CorrectiveActionPlan.Status.choices)
    actions = ActionSerializer(many=True, read_only=True)
    open_actions = serializers.IntegerField(read_only=True)
    overdue_actions = serializers.IntegerField(read_only=True)

    class Meta:
        model = CorrectiveActionPlan
        fields = [
            "id",
            "provider",
            "provider_name",
            "kpi",
            "reason",
            "status",
            "opened_at",
            "review_date",
            "closed_at",
            "closing_note",
            "open_actions",
            "overdue_actions",
            "actions",
        ]
        read_only_fields = fields


class ActionInputSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=20000)
    owner = serializers.CharField(max_length=200)
    due_date = SaneDateField()


class PlanOpenSerializer(serializers.Serializer):
    provider = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    reason = serializers.CharField(max_length=20000)
    review_date = SaneDateField()
    kpi = text(max_length=60)
    snapshot = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    actions = ActionInputSerializer(many=True, required=False)


class PlanCloseSerializer(serializers.Serializer):
    closing_note = serializers.CharField(max_length=20000)
    close_with_open_actions = serializers.BooleanField(default=False)


class PlanFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CorrectiveActionPlan.Status.choices)

    class Meta:
        model = CorrectiveActionPlan
        fields = ["status"]


def _plans(request):
    return selectors.plans_visible_to(get_actor(request)).prefetch_related("actions")


class PlanList(generics.ListAPIView):
    """The caller's corrective action plans: the consortium's, or a provider's own."""

    serializer_class = PlanSerializer
    permission_classes = PERMISSIONS
    filterset_class = PlanFilter

    def get_queryset(self):
        return _plans(self.request)

    @extend_schema(
        request=PlanOpenSerializer,
        responses={201: PlanSerializer},
        summary="Open a corrective action plan (the provider is emailed)",
    )
    def post(self, request):
        actor = get_actor(request)
        data = validated(PlanOpenSerializer, request.data)
        provider = Organisation.objects.filter(pk=data.pop("provider")).first()
        snapshot_id = data.pop("snapshot", None)
        snapshot = selectors.snapshot_for(actor, snapshot_id)
        if snapshot_id and snapshot is None:
            raise DomainError("There is no such KPI figure.", "snapshot")
        plan = services.plan_open(actor=actor, provider=provider, snapshot=snapshot, **data)
        plan = _plans(request).get(pk=plan.pk)
        return Response(PlanSerializer(plan).data, status=status.HTTP_201_CREATED)


class PlanDetail(generics.RetrieveAPIView):
    serializer_class = PlanSerializer
    permission_classes = PERMISSIONS

    def get_queryset(self):
        return _plans(self.request)


class PlanActions(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        request=ActionInputSerializer,
        responses={201: ActionSerializer},
        summary="Add an action to an open plan",
    )
    def post(self, request, pk):
        actor = get_actor(request)
        plan = access.get_plan_for_actor(actor, pk, write=True)
        data = validated(ActionInputSerializer, request.data)
        action = services.action_add(actor=actor, plan=plan, **data)
        return Response(ActionSerializer(action).data, status=status.HTTP_201_CREATED)


class PlanClose(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        request=PlanCloseSerializer,
        responses=PlanSerializer,
        summary="Close a plan (every action done, or close_with_open_actions)",
    )
    def post(self, request, pk):
        actor = get_actor(request)
        plan = access.get_plan_for_actor(actor, pk, write=True)
        data = validated(PlanCloseSerializer, request.data)
        services.plan_close(actor=actor, plan=plan, **data)
        plan = _plans(request).get(pk=plan.pk)
        return Response(PlanSerializer(plan).data)


urlpatterns = [
    path("corrective-action-plans/", PlanList.as_view(), name="corrective-action-plans"),
    path("corrective-action-plans/<int:pk>/", PlanDetail.as_view(), name="corrective-action-plan"),
    path(
        "corrective-action-plans/<int:pk>/actions/",
        PlanActions.as_view(),
        name="corrective-action-plan-actions",
    ),
    path(
        "corrective-action-plans/<int:pk>/close/",
        PlanClose.as_view(),
        name="corrective-action-plan-close",
    ),
]
