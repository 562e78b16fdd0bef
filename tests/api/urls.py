"""The real URLs plus one write endpoint that needs nothing but the default permissions, to test
scopes and idempotency apart from any one business operation."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from dps.urls import handler400, handler403, handler404, handler500  # noqa: F401
from dps.urls import urlpatterns as dps_urlpatterns

CALLS = []


class EchoSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=20)


class Echo(APIView):
    def post(self, request):
        data = EchoSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        CALLS.append(data.validated_data["text"])
        return Response({"text": data.validated_data["text"], "call": len(CALLS)}, status=201)


def forbidden(request):
    """A plain Django view (not DRF) that refuses, as middleware or a decorator might."""
    raise PermissionDenied


def suspicious(request):
    raise SuspiciousOperation("bad host or the like")


urlpatterns = [
    path("api/v1/test-echo/", Echo.as_view()),
    path("api/v1/test-forbidden/", forbidden),
    path("api/v1/test-suspicious/", suspicious),
    path("test-forbidden/", forbidden),
    *dps_urlpatterns,
]
