"""API views of the services part, and their routes (included by providers/api/urls.py).

A provider reads and writes its own services and sets their vacancies (its admins, or its API
clients with the write scope), but not their Ofsted rating and inspection date: those come from
Ofsted's data or the consortium's verification, and a provider proposes a correction at
/services/{id}/rating-proposals/. Boroughs read the active services of the providers actively
enrolled on their consortium's lots, with the vacancy figures, when they were last confirmed,
and whether that is out of date."""

import django_filters
from django.core.exceptions import PermissionDenied
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from dps.services import DomainError
from dps.tenancy import get_actor
from geography.postcodes import POSTCODE_MESSAGE, normalise_postcode

from ..access import get_service_for_actor
from ..models import OfstedRating, RatingProposal, Service, Specialism
from ..needs import INDICATOR_CODES, MAX_SCORE
from ..selectors.services import rating_proposals_visible_to, services_visible_to
from ..services.ratings import rating_proposal_create
from ..services.services import (
    DERIVED_FIELDS,
    DERIVED_REFUSED,
    RATING_FIELDS,
    RATING_REFUSED,
    service_create,
    service_update,
    vacancies_update,
)
from .location import LOCATION_FIELDS, ServiceLocationFields


class ServiceSerializer(ServiceLocationFields, serializers.ModelSerializer):
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    needs_met = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=MAX_SCORE),
        help_text="The Valuing Care needs the service can meet: indicator code -> the highest "
        "score (0-3) it can meet. Indicators it cannot meet are absent.",
    )
    specialisms = serializers.ListField(child=serializers.ChoiceField(Specialism.choices))
    vacancies_stale = serializers.BooleanField(
        read_only=True,
        help_text="True when the vacancy figure has not been confirmed for 14 days or more "
        "(VACANCY_STALE_DAYS), or ever.",
    )

    class Meta:
        model = Service
        fields = [
            "id",
            "provider",
            "provider_name",
            "service_type",
            "name",
            "ofsted_urn",
            "ofsted_rating",
            "inspection_date",
            "registered_places",
            "vacancies",
            "vacancies_updated_at",
            "vacancies_stale",
            "age_min",
            "age_max",
            "genders",
            "local_authority",
            "postcode_district",
            *LOCATION_FIELDS,
            "needs_met",
            "specialisms",
            "is_active",
            "updated_at",
        ]
        read_only_fields = fields


class ServiceInputSerializer(serializers.Serializer):
    """A service's details as its provider sets them. `ofsted_rating` and `inspection_date`
    are read-only: sending either is a 400 naming it."""

    service_type = serializers.ChoiceField(Service.Type.choices)
    name = serializers.CharField(max_length=200)
    ofsted_urn = serializers.CharField(max_length=20, required=False, allow_blank=True)
    registered_places = serializers.IntegerField(min_value=0, max_value=500)
    age_min = serializers.IntegerField(min_value=0, max_value=25)
    age_max = serializers.IntegerField(min_value=0, max_value=25)
    genders = serializers.ChoiceField(Service.Genders.choices, required=False)
    postcode = serializers.CharField(
        max_length=10,
        help_text="The service's full postcode, like SE1 7PB. Its district, grid reference and "
        "local authority are derived from it. Only the consortium and the provider see it.",
    )
    needs_met = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=MAX_SCORE), required=False
    )
    specialisms = serializers.ListField(
        child=serializers.ChoiceField(Specialism.choices), required=False, max_length=50
    )

    def validate_postcode(self, value):
        postcode = normalise_postcode(value)
        if postcode is None:
            raise serializers.ValidationError(POSTCODE_MESSAGE)
        return postcode

    def validate_needs_met(self, value):
        unknown = sorted(set(value) - set(INDICATOR_CODES))
        if unknown:
            raise serializers.ValidationError(f"Unknown needs indicators: {', '.join(unknown)}.")
        return value

    def validate(self, attrs):
        # Unknown fields are ignored, but these are refused aloud: a provider must not think
        # it changed its rating.
        sent = [name for name in RATING_FIELDS if name in self.initial_data]
        if sent:
            raise serializers.ValidationError({name: [RATING_REFUSED] for name in sent})
        derived = [name for name in DERIVED_FIELDS if name in self.initial_data]
        if derived:
            raise serializers.ValidationError({name: [DERIVED_REFUSED] for name in derived})
        return attrs


class RatingProposalSerializer(serializers.ModelSerializer):
    class Meta:
        model = RatingProposal
        fields = [
            "id",
            "service",
            "rating",
            "inspection_date",
            "note",
            "status",
            "proposed_at",
            "decided_at",
            "decision_reason",
        ]
        read_only_fields = fields


class RatingProposalInputSerializer(serializers.Serializer):
    rating = serializers.ChoiceField(OfstedRating.choices)
    inspection_date = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(
        max_length=2000, help_text="Why the rating on record is wrong, e.g. the report's date."
    )


class VacanciesInputSerializer(serializers.Serializer):
    vacancies = serializers.IntegerField(min_value=0, max_value=500)


class ServiceFilter(django_filters.FilterSet):
    service_type = django_filters.ChoiceFilter(choices=Service.Type.choices)
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Service
        fields = ["provider", "service_type", "is_active"]


class ServiceList(generics.ListAPIView):
    """Services the caller may see: a provider's own; for a borough, those of the providers
    enrolled on its consortium's lots. A provider adds a service with POST."""

    serializer_class = ServiceSerializer
    filterset_class = ServiceFilter

    def get_queryset(self):
        return services_visible_to(get_actor(self.request))

    @extend_schema(
        request=ServiceInputSerializer,
        responses={201: ServiceSerializer},
        summary="Add a service (providers)",
    )
    def post(self, request):
        actor = get_actor(request)
        if not actor.is_provider:
            raise PermissionDenied("Only a provider can add services.")
        data = ServiceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service = service_create(actor=actor, **data.validated_data)
        return Response(
            ServiceSerializer(service, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class ServiceDetail(APIView):
    @extend_schema(responses=ServiceSerializer, summary="A service")
    def get(self, request, pk):
        service = get_service_for_actor(get_actor(request), pk)
        return Response(ServiceSerializer(service, context={"request": request}).data)

    @extend_schema(
        request=ServiceInputSerializer(partial=True),
        responses=ServiceSerializer,
        summary="Change a service (its provider)",
    )
    def patch(self, request, pk):
        actor = get_actor(request)
        service = get_service_for_actor(actor, pk, write=True)
        data = ServiceInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        service = service_update(actor=actor, service=service, **data.validated_data)
        return Response(ServiceSerializer(service, context={"request": request}).data)


class ServiceVacancies(APIView):
    @extend_schema(
        request=VacanciesInputSerializer,
        responses=ServiceSerializer,
        summary="Set a service's vacancies (its provider); confirms the figure as of now",
    )
    def post(self, request, pk):
        actor = get_actor(request)
        service = get_service_for_actor(actor, pk, write=True)
        data = VacanciesInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            vacancies_update(
                actor=actor,
                vacancies={service.pk: data.validated_data["vacancies"]},
            )
        except DomainError as exc:
            raise DomainError(exc.message, "vacancies") from exc
        service.refresh_from_db()
        return Response(ServiceSerializer(service, context={"request": request}).data)


class ServiceRatingProposals(generics.ListAPIView):
    """Corrections of the service's Ofsted rating its provider proposed, newest first; the
    provider proposes one with POST, and the consortium admin confirms or rejects it."""

    serializer_class = RatingProposalSerializer
    queryset = RatingProposal.objects.none()  # for the schema; get_queryset scopes it

    def _service(self):
        return get_service_for_actor(get_actor(self.request), self.kwargs["pk"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        service = self._service()
        return rating_proposals_visible_to(get_actor(self.request)).filter(service=service)

    @extend_schema(
        request=RatingProposalInputSerializer,
        responses={201: RatingProposalSerializer},
        summary="Propose a correction of the service's Ofsted rating (its provider)",
    )
    def post(self, request, pk):
        service = self._service()
        data = RatingProposalInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = rating_proposal_create(
            actor=get_actor(request), service=service, **data.validated_data
        )
        return Response(RatingProposalSerializer(proposal).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("services/", ServiceList.as_view(), name="services"),
    path("services/<int:pk>/", ServiceDetail.as_view(), name="service"),
    path("services/<int:pk>/vacancies/", ServiceVacancies.as_view(), name="service-vacancies"),
    path(
        "services/<int:pk>/rating-proposals/",
        ServiceRatingProposals.as_view(),
        name="service-rating-proposals",
    ),
]
