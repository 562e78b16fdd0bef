from rest_framework import generics, serializers

from ..models import Lot


class LotSerializer(serializers.ModelSerializer):
    class Meta:
        model = Lot
        fields = ["id", "code", "name", "description", "is_active"]


class LotList(generics.ListAPIView):
    """The lots of the DPS. Every signed-in caller may read them."""

    serializer_class = LotSerializer
    queryset = Lot.objects.all()
