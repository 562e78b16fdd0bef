"""API views of the services part, and their routes (included by providers/api/urls.py).

A provider reads and writes its own services and sets their vacancies (its admins, or its API
clients with the write scope); boroughs read the active services of the providers actively
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
from dps.tenancy import get_actor, get_or_404

from ..models import OfstedRating, Service, Specialism
from ..needs import INDICATOR_CODES, MAX_SCORE
from ..selectors.services import services_visible_to
from ..services.services import service_create, service_update, vacancies_update


class ServiceSerializer(serializers.ModelSerializer):
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
            "needs_met",
            "specialisms",
            "is_active",
            "updated_at",
        ]
        read_only_fields = fields


class ServiceInputSerializer(serializers.Serializer):
    service_type = serializers.ChoiceField(Service.Type.choices)
    name = serializers.CharField(max_length=200)
    ofsted_urn = serializers.CharField(max_length=20, required=False, allow_blank=True)
    ofsted_rating = serializers.ChoiceField(OfstedRating.choices, required=False)
    inspection_date = serializers.DateField(required=False, allow_null=True)
    registered_places = serializers.IntegerField(min_value=0, max_value=500)
    age_min = serializers.IntegerField(min_value=0, max_value=25)
    age_max = serializers.IntegerField(min_value=0, max_value=25)
    genders = serializers.ChoiceField(Service.Genders.choices, required=False)
    local_authority = serializers.CharField(max_length=100, required=False, allow_blank=True)
    postcode_district = serializers.CharField(max_length=8, required=False, allow_blank=True)
    needs_met = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=MAX_SCORE), required=False
    )
    specialisms = serializers.ListField(
        child=serializers.ChoiceField(Specialism.choices), required=False, max_length=50
    )

    def validate_needs_met(self, value):
        unknown = sorted(set(value) - set(INDICATOR_CODES))
        if unknown:
            raise serializers.ValidationError(f"Unknown needs indicators: {', '.join(unknown)}.")
        return value


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
        service = service_create(actor=actor, request=request, **data.validated_data)
        return Response(ServiceSerializer(service).data, status=status.HTTP_201_CREATED)


class ServiceDetail(APIView):
    @extend_schema(responses=ServiceSerializer, summary="A service")
    def get(self, request, pk):
        service = get_or_404(services_visible_to(get_actor(request)), pk=pk)
        return Response(ServiceSerializer(service).data)

    @extend_schema(
        request=ServiceInputSerializer(partial=True),
        responses=ServiceSerializer,
        summary="Change a service (its provider)",
    )
    def patch(self, request, pk):
        actor = get_actor(request)
        service = get_or_404(services_visible_to(actor), pk=pk)
        data = ServiceInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        service = service_update(
            actor=actor, service=service, request=request, **data.validated_data
        )
        return Response(ServiceSerializer(service).data)


class ServiceVacancies(APIView):
    @extend_schema(
        request=VacanciesInputSerializer,
        responses=ServiceSerializer,
        summary="Set a service's vacancies (its provider); confirms the figure as of now",
    )
    def post(self, request, pk):
        actor = get_actor(request)
        service = get_or_404(services_visible_to(actor), pk=pk)
        data = VacanciesInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            vacancies_update(
                actor=actor,
                vacancies={service.pk: data.validated_data["vacancies"]},
                request=request,
            )
        except DomainError as exc:
            raise DomainError(exc.message, "vacancies") from exc
        service.refresh_from_db()
        return Response(ServiceSerializer(service).data)


urlpatterns = [
    path("services/", ServiceList.as_view(), name="services"),
    path("services/<int:pk>/", ServiceDetail.as_view(), name="service"),
    path("services/<int:pk>/vacancies/", ServiceVacancies.as_view(), name="service-vacancies"),
]
