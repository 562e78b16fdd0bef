"""API views of the notices, and their routes (included by procurement/api/urls.py).

The consortium's API clients (and its admin) list and read the consortium's notices and record
one as published with its Find a Tender notice id; the boroughs' commissioners read them."""

import django_filters
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from dps.tenancy import get_actor
from placements.api.common import status_field

from ..access import get_notice_for_actor
from ..models import Notice
from ..selectors.notices import may_read_notices, notices_visible_to
from ..services.notices import notice_publish


class MayReadNotices(permissions.BasePermission):
    message = "Only the consortium and its boroughs' commissioners can read notices."

    def has_permission(self, request, view):
        return may_read_notices(get_actor(request))


class NoticeSerializer(serializers.ModelSerializer):
    kind = status_field(Notice.Kind.choices)
    status = status_field(Notice.Status.choices)
    notice_fields = serializers.JSONField(
        source="fields", read_only=True, help_text="The notice's fields, once drafted."
    )

    class Meta:
        model = Notice
        fields = [
            "id",
            "kind",
            "status",
            "event",
            "due_on",
            "placement",
            "request",
            "opening",
            "conditions",
            "notice_fields",
            "fts_notice_id",
            "drafted_at",
            "published_at",
        ]


class NoticePublishSerializer(serializers.Serializer):
    fts_notice_id = serializers.CharField(
        max_length=20, help_text="The Find a Tender notice id, like 012345-2026."
    )


class NoticeFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Notice.Status.choices)
    kind = django_filters.ChoiceFilter(choices=Notice.Kind.choices)

    class Meta:
        model = Notice
        fields = ["status", "kind"]


PERMISSIONS = [*APIView.permission_classes, MayReadNotices]


@extend_schema(summary="The consortium's notices owed on Find a Tender")
class NoticeList(generics.ListAPIView):
    serializer_class = NoticeSerializer
    permission_classes = PERMISSIONS
    filterset_class = NoticeFilter

    def get_queryset(self):
        return notices_visible_to(get_actor(self.request))


@extend_schema(summary="One notice, with its fields")
class NoticeDetail(generics.RetrieveAPIView):
    serializer_class = NoticeSerializer
    permission_classes = PERMISSIONS

    def get_queryset(self):
        return notices_visible_to(get_actor(self.request))


class NoticePublish(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        request=NoticePublishSerializer,
        responses=NoticeSerializer,
        summary="Record the notice as published on Find a Tender, with its notice id",
    )
    def post(self, request, pk):
        actor = get_actor(request)
        notice = get_notice_for_actor(actor, pk, write=True)
        data = NoticePublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notice = notice_publish(actor=actor, notice=notice, **data.validated_data)
        return Response(NoticeSerializer(notice).data)


urlpatterns = [
    path("notices/", NoticeList.as_view(), name="notices"),
    path("notices/<int:pk>/", NoticeDetail.as_view(), name="notice"),
    path("notices/<int:pk>/publish/", NoticePublish.as_view(), name="notice-publish"),
]
