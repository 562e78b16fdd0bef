"""API views of the lots: the lots a caller may see (and apply to, for a provider)."""

from rest_framework import generics, serializers

from dps.tenancy import get_actor

from ..models import Lot
from ..selectors.lots import lots_visible_to


class LotSerializer(serializers.ModelSerializer):
    class Meta:
        model = Lot
        fields = ["id", "consortium", "code", "name", "description", "is_active"]


class LotList(generics.ListAPIView):
    """The lots of the caller's DPS (for a provider: every active lot it may apply to)."""

    serializer_class = LotSerializer

    def get_queryset(self):
        return lots_visible_to(get_actor(self.request))
