from django.urls import path

from ..views import ssda903 as views

urlpatterns = [
    path("monitoring/ssda903/", views.ssda903_return_list, name="ssda903_return_list"),
    path("monitoring/ssda903/<int:pk>/", views.ssda903_return_detail, name="ssda903_return_detail"),
    path(
        "monitoring/ssda903/<int:pk>/issues.csv",
        views.ssda903_return_issues_csv,
        name="ssda903_return_issues_csv",
    ),
    path(
        "monitoring/ssda903/<int:pk>/unmatched-urns.csv",
        views.ssda903_return_unmatched_csv,
        name="ssda903_return_unmatched_csv",
    ),
    path(
        "monitoring/ssda903/<int:pk>/import/",
        views.ssda903_return_import_view,
        name="ssda903_return_import",
    ),
    path(
        "monitoring/ssda903/<int:pk>/discard/",
        views.ssda903_return_discard_view,
        name="ssda903_return_discard",
    ),
]
