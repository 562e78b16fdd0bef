"""Where a service is, in the API as on the pages: its full postcode (and why it could not be
located) for the provider that runs it and the consortium; for a borough, how far it is from the
borough's own area, as a band. Nobody else sees more than its local authority and district."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dps.tenancy import Actor, get_actor
from geography.distance import BAND_LABELS, UNKNOWN_BAND
from geography.selectors import Distance, Place, Unknown, distance_between, locate_council

from ..access import may_see_service_location
from ..models import Service
from ..selectors.services import service_place


class ServiceLocationFields(serializers.Serializer):
    """Fields of a service's location. The borough's area is looked up once per response (it
    is kept in the serializer's context, which a list shares with each of its rows)."""

    postcode = serializers.SerializerMethodField(
        help_text="The service's full postcode: only for its provider and the consortium "
        "(null for anyone else)."
    )
    location_unknown = serializers.SerializerMethodField(
        help_text="Why the service's postcode could not be located (blank when it was): only "
        "for its provider and the consortium."
    )
    distance_band = serializers.SerializerMethodField(
        help_text="For a borough: how far the service is from the borough's own area (the "
        "centre of its council's postcodes), as a band. Null for anyone else."
    )
    distance_unknown = serializers.SerializerMethodField(
        help_text="For a borough: why the distance is not known (blank when it is)."
    )

    def _actor(self) -> Actor | None:
        if "actor" not in self.context:
            request = self.context.get("request")
            self.context["actor"] = get_actor(request) if request is not None else None
        return self.context["actor"]

    def _distance(self, service: Service) -> Distance | None:
        actor = self._actor()
        if actor is None or not actor.is_borough:
            return None
        if "home" not in self.context:
            self.context["home"] = locate_council(actor.organisation.la_code)
        home: Place = self.context["home"]
        return distance_between(home, service_place(service))

    @extend_schema_field(OpenApiTypes.STR)
    def get_postcode(self, service: Service) -> str | None:
        return service.postcode if may_see_service_location(self._actor(), service) else None

    @extend_schema_field(
        serializers.ChoiceField(choices=Unknown.choices, allow_blank=True, allow_null=True)
    )
    def get_location_unknown(self, service: Service) -> str | None:
        if may_see_service_location(self._actor(), service):
            return service.location_unknown
        return None

    @extend_schema_field(
        serializers.ChoiceField(choices=[*BAND_LABELS, UNKNOWN_BAND], allow_null=True)
    )
    def get_distance_band(self, service: Service) -> str | None:
        distance = self._distance(service)
        return distance.band if distance else None

    @extend_schema_field(
        serializers.ChoiceField(choices=Unknown.choices, allow_blank=True, allow_null=True)
    )
    def get_distance_unknown(self, service: Service) -> str | None:
        distance = self._distance(service)
        return distance.unknown if distance else None


LOCATION_FIELDS = ["postcode", "location_unknown", "distance_band", "distance_unknown"]
