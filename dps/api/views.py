"""The core API: who am I, organisations, members and invitations, the audit log."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from ..filters import BoundedIsoDateTimeFilter
from ..models import AuditEvent
from ..services.people import invitation_create
from ..tenancy import (
    audit_events_visible_to,
    get_actor,
    memberships_visible_to,
    organisations_visible_to,
)
from . import serializers
from .permissions import IsConsortiumAdmin, IsOrganisationAdmin


class MeView(APIView):
    @extend_schema(responses=serializers.MeSerializer, summary="Who the caller is")
    def get(self, request):
        actor = get_actor(request)
        data = {
            "organisation": actor.organisation,
            "role": actor.role,
            "user_email": actor.user.email if actor.user else None,
            "api_client": actor.api_client.name if actor.api_client else None,
            "scopes": ["read", "write"] if actor.can_write else ["read"],
        }
        return Response(serializers.MeSerializer(data).data)


class OrganisationList(generics.ListAPIView):
    serializer_class = serializers.OrganisationSerializer

    def get_queryset(self):
        return organisations_visible_to(get_actor(self.request))


class MemberList(generics.ListAPIView):
    """Members of the caller's organisation (its admins only)."""

    serializer_class = serializers.MemberSerializer
    permission_classes = [*APIView.permission_classes, IsOrganisationAdmin]

    def get_queryset(self):
        return memberships_visible_to(get_actor(self.request))


class InvitationCreate(APIView):
    permission_classes = [*APIView.permission_classes, IsOrganisationAdmin]

    @extend_schema(
        request=serializers.InvitationInputSerializer,
        responses={201: serializers.InvitationOutputSerializer},
        summary="Invite a person to the caller's organisation",
    )
    def post(self, request):
        data = serializers.InvitationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = invitation_create(actor=get_actor(request), **data.validated_data)
        return Response(
            serializers.InvitationOutputSerializer(invitation).data, status=status.HTTP_201_CREATED
        )


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.CharFilter(lookup_expr="istartswith")
    actor = django_filters.CharFilter(field_name="actor_label", lookup_expr="icontains")
    since = BoundedIsoDateTimeFilter(field_name="at", lookup_expr="gte")
    until = BoundedIsoDateTimeFilter(field_name="at", lookup_expr="lte")

    class Meta:
        model = AuditEvent
        fields = ["object_type", "object_id"]


class AuditEventList(generics.ListAPIView):
    serializer_class = serializers.AuditEventSerializer
    permission_classes = [*APIView.permission_classes, IsConsortiumAdmin]
    filterset_class = AuditEventFilter

    def get_queryset(self):
        return audit_events_visible_to(get_actor(self.request))
