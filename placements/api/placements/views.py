"""Placements: what an award becomes. The borough and the provider each read their own, and
download the Individual Placement Agreement as a PDF; the borough records the start."""

import django_filters
from django.http import Http404, HttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from dps.tenancy import get_actor

from ...access import get_placement_for_actor
from ...models import Placement
from ...selectors.placements import placements_visible_to
from ...services.award import ipa_ensure, placement_start
from ..common import IsBorough, IsBoroughOrProvider, validated
from . import serializers as s

PERMISSIONS = [*APIView.permission_classes, IsBoroughOrProvider]


class PlacementFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Placement.Status.choices)

    class Meta:
        model = Placement
        fields = ["status"]


class PlacementList(generics.ListAPIView):
    """The caller's placements, newest first: a borough's, or a provider's."""

    serializer_class = s.PlacementSerializer
    permission_classes = PERMISSIONS
    filterset_class = PlacementFilter

    def get_queryset(self):
        return placements_visible_to(get_actor(self.request))


class PlacementDetail(generics.RetrieveAPIView):
    serializer_class = s.PlacementSerializer
    permission_classes = PERMISSIONS

    def get_queryset(self):
        return placements_visible_to(get_actor(self.request))


class PdfRenderer(BaseRenderer):
    """Lets a client ask for `Accept: application/pdf`; errors are still problem details."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return JSONRenderer().render(data)


class PlacementIpa(APIView):
    permission_classes = PERMISSIONS
    renderer_classes = [JSONRenderer, PdfRenderer]

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The Individual Placement Agreement."
            )
        },
        summary="Download the Individual Placement Agreement (PDF)",
    )
    def get(self, request, pk):
        placement = get_placement_for_actor(get_actor(request), pk)
        if placement.request_id is None:
            # Only a placement awarded through the DPS has an agreement (not a spot purchase).
            raise Http404
        response = HttpResponse(ipa_ensure(placement), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="ipa-{placement.pk}.pdf"'
        return response


class PlacementStart(APIView):
    permission_classes = [*APIView.permission_classes, IsBorough]

    @extend_schema(
        request=s.PlacementStartSerializer,
        responses=s.PlacementSerializer,
        summary="Record the day the child moved in (the request becomes placed)",
    )
    def post(self, request, pk):
        actor = get_actor(request)
        placement = get_placement_for_actor(actor, pk, write=True)
        data = validated(s.PlacementStartSerializer, request.data)
        placement_start(actor=actor, placement=placement, **data)
        placement = placements_visible_to(actor).get(pk=placement.pk)
        return Response(s.PlacementSerializer(placement, context={"request": request}).data)


urlpatterns = [
    path("placements/", PlacementList.as_view(), name="placements"),
    path("placements/<int:pk>/", PlacementDetail.as_view(), name="placement"),
    path("placements/<int:pk>/ipa/", PlacementIpa.as_view(), name="placement-ipa"),
    path("placements/<int:pk>/start/", PlacementStart.as_view(), name="placement-start"),
]
