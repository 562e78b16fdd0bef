"""The providers app's pages, one module per part, mounted at the site's root."""

from django.urls import include, path

urlpatterns = [
    path("", include("providers.urls.enrolment")),
    path("", include("providers.urls.documents")),
    path("", include("providers.urls.services")),
    path("", include("providers.urls.quality")),
    path("", include("providers.urls.directory")),
    path("", include("providers.urls.arrangement")),
]
