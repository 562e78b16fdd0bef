"""Pages: fee uplift rounds and requests."""

from django.urls import path

from ..views import uplifts as views

urlpatterns = [
    path("finance/uplifts/", views.uplift_list, name="uplift_list"),
    path("finance/uplifts/open/", views.uplift_round_open_view, name="uplift_round_open"),
    path("finance/uplifts/<int:pk>/", views.uplift_round, name="uplift_round"),
    path("finance/uplifts/<int:pk>/request/", views.uplift_request_new, name="uplift_request_new"),
    path("finance/uplifts/requests/<int:pk>/", views.uplift_request, name="uplift_request"),
    path(
        "finance/uplifts/requests/<int:pk>/evidence/",
        views.uplift_evidence,
        name="uplift_evidence",
    ),
    path(
        "finance/uplifts/requests/<int:pk>/decide/",
        views.uplift_decide_view,
        name="uplift_decide",
    ),
]
