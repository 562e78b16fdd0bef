"""Pages: fee uplift rounds and requests."""

from django.urls import path

from ..views import uplifts as views

urlpatterns = [
    path("finance/uplifts/", views.uplift_list, name="uplift_list"),
]
