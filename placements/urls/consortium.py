"""Pages of the consortium admin's exclusions."""

from django.urls import path

from ..views import exclusions

urlpatterns = [
    path("consortium/exclusions/", exclusions.exclusions, name="exclusions"),
    path("consortium/exclusions/<int:pk>/", exclusions.exclusion_detail, name="exclusion_detail"),
]
