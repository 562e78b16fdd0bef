"""API views of the directory part, and their routes (included by providers/api/urls.py).

Boroughs (and consortium admins) read the providers enrolled (active) on their consortium's
lots, each with its latest quality score there; providers are refused."""

import django_filters
import django_filters.rest_framework
from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import generics, permissions, serializers

from dps.models import Organisation
from dps.tenancy import get_actor

from ..models import Lot, Service
from ..needs import SCORES
from ..selectors.directory import (
    DirectoryFilter,
    directory_consortium,
    directory_providers,
    directory_score,
    directory_services,
)
from ..selectors.quality import STATUS_LABELS, mandatory_documents_status, score_breakdown
from .location import LOCATION_FIELDS, ServiceLocationFields
from .quality import BreakdownPartSerializer


class InDirectory(permissions.BasePermission):
    message = "Only boroughs and consortium admins can browse the provider directory."

    def has_permission(self, request, view):
        return directory_consortium(get_actor(request)) is not None


class LotSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="lot.id")
    code = serializers.CharField(source="lot.code")
    name = serializers.CharField(source="lot.name")


class ProviderSummarySerializer(serializers.ModelSerializer):
    lots = LotSummarySerializer(
        source="lots_enrolled", many=True, help_text="The lots it is enrolled on (active)."
    )
    services_count = serializers.IntegerField(help_text="Its active services.")
    vacancies_total = serializers.IntegerField(help_text="Vacancies across its active services.")
    quality_score = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        allow_null=True,
        help_text="Its latest quality score with the caller's consortium (null if not scored).",
    )
    quality_score_computed_at = serializers.DateTimeField(
        source="quality_score_at", allow_null=True
    )

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "lots",
            "services_count",
            "vacancies_total",
            "quality_score",
            "quality_score_computed_at",
        ]
        read_only_fields = fields


class DirectoryServiceSerializer(ServiceLocationFields, serializers.ModelSerializer):
    vacancies_stale = serializers.BooleanField(
        help_text="True when the vacancy figure has not been confirmed for 14 days, or ever."
    )
    needs_met = serializers.DictField(child=serializers.IntegerField())

    class Meta:
        model = Service
        fields = [
            "id",
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
        ]
        read_only_fields = fields


class ScoreSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    computed_at = serializers.DateTimeField()
    total = serializers.DecimalField(max_digits=5, decimal_places=2)
    breakdown = serializers.SerializerMethodField()

    @extend_schema_field(BreakdownPartSerializer(many=True))
    def get_breakdown(self, score):
        return BreakdownPartSerializer(score_breakdown(score), many=True).data


class DocumentStatusSerializer(serializers.Serializer):
    type = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a declared field, not Field.label
    status = serializers.ChoiceField(choices=list(STATUS_LABELS))
    expires_on = serializers.DateField(allow_null=True)


class ProviderDetailSerializer(ProviderSummarySerializer):
    services = serializers.SerializerMethodField()
    score = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()

    class Meta(ProviderSummarySerializer.Meta):
        fields = [*ProviderSummarySerializer.Meta.fields, "services", "score", "documents"]
        read_only_fields = fields

    @extend_schema_field(DirectoryServiceSerializer(many=True))
    def get_services(self, provider):
        services = directory_services(provider)
        return DirectoryServiceSerializer(services, many=True, context=self.context).data

    @extend_schema_field(ScoreSerializer(allow_null=True))
    def get_score(self, provider):
        consortium = directory_consortium(get_actor(self.context["request"]))
        score = directory_score(provider, consortium)
        return ScoreSerializer(score).data if score else None

    @extend_schema_field(DocumentStatusSerializer(many=True))
    def get_documents(self, provider):
        rows = mandatory_documents_status(provider, today=timezone.localdate())
        return DocumentStatusSerializer(rows, many=True).data


@extend_schema_field(OpenApiTypes.INT)
class LotFilter(django_filters.ModelChoiceFilter):
    pass


@extend_schema_field(OpenApiTypes.STR)
class AreaFilter(django_filters.ChoiceFilter):
    pass


@extend_schema_field({"type": "integer", "enum": [score for score, _ in SCORES[1:]]})
class NeedScoreFilter(django_filters.TypedChoiceFilter):
    pass


class DirectoryApiFilter(DirectoryFilter):
    """The directory's filters, as query parameters."""

    lot = LotFilter(queryset=Lot.objects.none(), help_text="A lot's id.", method="collect")
    area = AreaFilter(choices=[], help_text="A local authority area.", method="collect")
    need_score = NeedScoreFilter(
        choices=SCORES[1:],
        coerce=int,
        method="collect",
        help_text="With `need`: services that can meet it at this score or higher (default 1).",
    )
    # true or false, as the schema says (the page's checkbox reads any value as ticked).
    has_vacancies = django_filters.rest_framework.BooleanFilter(
        method="collect", help_text="Only providers with a vacancy."
    )
    sort = None  # the API pages by id


class ProviderList(generics.ListAPIView):
    """Providers enrolled (active) on the caller's consortium's lots, with their latest quality
    score there. The service filters (type, area, need, rating, vacancies) apply together to
    one active service."""

    serializer_class = ProviderSummarySerializer
    permission_classes = [*generics.ListAPIView.permission_classes, InDirectory]
    filterset_class = DirectoryApiFilter

    def get_queryset(self):
        return directory_providers(get_actor(self.request))


class ProviderDetail(generics.RetrieveAPIView):
    """One enrolled provider: its active services, its score's breakdown and the status of its
    mandatory documents (never the files)."""

    serializer_class = ProviderDetailSerializer
    permission_classes = [*generics.RetrieveAPIView.permission_classes, InDirectory]

    def get_queryset(self):
        return directory_providers(get_actor(self.request))


urlpatterns = [
    path("providers/", ProviderList.as_view(), name="providers"),
    path("providers/<int:pk>/", ProviderDetail.as_view(), name="provider"),
]
