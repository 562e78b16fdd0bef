"""The procurement app's pages, one module per part, mounted at the site's root."""

from django.urls import include, path

urlpatterns = [
    path("", include("procurement.urls.notices")),
    path("", include("procurement.urls.ocds")),
]
