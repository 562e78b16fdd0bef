"""API views of the documents part, and their routes (included by providers/api/urls.py).

A provider lists and uploads its own documents; a consortium admin reads the documents of the
providers that applied to its DPS. Lists carry each document's details and status, never
its content."""

from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from dps.api.permissions import IsConsortiumAdmin
from dps.tenancy import get_actor

from ..access import may_upload_documents
from ..models import Document, DocumentType
from ..selectors.documents import document_state, documents_visible_to, providers_overseen_by
from ..services.documents import document_upload

STATES = ["current", "expiring", "expired", "superseded"]
CURRENT_ONLY = OpenApiParameter(
    "current", OpenApiTypes.BOOL, description="Only the current document of each type."
)


class DocumentSerializer(serializers.ModelSerializer):
    is_current = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField(
        help_text="current; expiring (within 30 days); expired (on or after the expiry date); "
        "or superseded by a newer document of the same type."
    )
    days_to_expiry = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "provider",
            "document_type",
            "original_name",
            "content_type",
            "size",
            "issued_on",
            "expires_on",
            "uploaded_at",
            "superseded_by",
            "is_current",
            "status",
            "days_to_expiry",
        ]
        read_only_fields = fields

    def _state(self, document):
        if document.superseded_by_id is not None:
            return "superseded", None
        return document_state(document, timezone.localdate())

    def get_is_current(self, document) -> bool:
        return document.superseded_by_id is None

    @extend_schema_field(serializers.ChoiceField(choices=STATES))
    def get_status(self, document):
        return self._state(document)[0]

    @extend_schema_field(OpenApiTypes.INT)
    def get_days_to_expiry(self, document):
        if document.expires_on is None:
            return None
        return (document.expires_on - timezone.localdate()).days


class DocumentUploadSerializer(serializers.Serializer):
    document_type = serializers.ChoiceField(choices=DocumentType.choices)
    issued_on = serializers.DateField()
    expires_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Required for insurance certificates, financial standing and DPS terms.",
    )
    file = serializers.FileField(
        help_text="A PDF, PNG, JPEG or Word document (.docx or .doc), judged by its content."
    )


class IsProvider(permissions.BasePermission):
    message = "Only a provider has documents."

    def has_permission(self, request, view):
        actor = get_actor(request)
        if actor is None or not actor.is_provider:
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        self.message = "Only the provider's admins can upload documents."
        return may_upload_documents(actor)


@extend_schema_view(get=extend_schema(parameters=[CURRENT_ONLY]))
class OwnDocumentList(generics.ListAPIView):
    """The caller's own documents, newest first: current and superseded (`?current=true` for
    the current ones only)."""

    serializer_class = DocumentSerializer
    permission_classes = [*generics.ListAPIView.permission_classes, IsProvider]
    # Uploads are multipart; JSON is read too, so a JSON body gets field errors (no file).
    parser_classes = [MultiPartParser, JSONParser]

    def get_queryset(self):
        documents = documents_visible_to(get_actor(self.request))
        if self.request.query_params.get("current") in ("true", "1"):
            documents = documents.filter(superseded_by__isnull=True)
        return documents

    @extend_schema(
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer},
        summary="Upload a document; it supersedes the current one of its type",
    )
    def post(self, request):
        data = DocumentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        document = document_upload(actor=get_actor(request), **data.validated_data)
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


@extend_schema_view(get=extend_schema(parameters=[CURRENT_ONLY]))
class ProviderDocumentList(generics.ListAPIView):
    """A provider's documents, for a consortium admin whose DPS it applied to or is enrolled
    on (404 for any other provider)."""

    serializer_class = DocumentSerializer
    permission_classes = [*generics.ListAPIView.permission_classes, IsConsortiumAdmin]
    queryset = Document.objects.none()  # for the schema; get_queryset scopes it

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        actor = get_actor(self.request)
        provider_pk = self.kwargs["provider_pk"]
        if not providers_overseen_by(actor).filter(pk=provider_pk).exists():
            raise NotFound("No such provider, or not one that applied to your DPS.")
        documents = documents_visible_to(actor).filter(provider_id=provider_pk)
        if self.request.query_params.get("current") in ("true", "1"):
            documents = documents.filter(superseded_by__isnull=True)
        return documents


urlpatterns = [
    path("documents/", OwnDocumentList.as_view(), name="documents"),
    path(
        "providers/<int:provider_pk>/documents/",
        ProviderDocumentList.as_view(),
        name="provider-documents",
    ),
]
