"""The placements app's pages, one module per side, mounted at the site's root."""

from django.urls import include, path

urlpatterns = [
    path("", include("placements.urls.borough")),
    path("", include("placements.urls.provider")),
    path("", include("placements.urls.consortium")),
]
