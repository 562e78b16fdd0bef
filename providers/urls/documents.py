from django.urls import path

from ..views import documents as views

urlpatterns = [
    path("documents/", views.documents, name="documents"),
    path("documents/upload/", views.document_upload_view, name="document_upload"),
    path("documents/<int:pk>/download/", views.document_download, name="document_download"),
    path(
        "consortium/providers/<int:pk>/documents/",
        views.provider_documents,
        name="provider_documents",
    ),
]
