"""Pages recording a placement's life: reviews, fee changes, the ending, spot purchases."""

from django.urls import path

from ..views import lifecycle

urlpatterns = [
    path("placements/spot/new/", lifecycle.spot_create, name="spot_create"),
    path("placements/<int:pk>/reviews/new/", lifecycle.review_create, name="review_create"),
    path(
        "placements/<int:pk>/fee-changes/new/",
        lifecycle.fee_change_create,
        name="fee_change_create",
    ),
    path("placements/<int:pk>/end/", lifecycle.placement_end, name="placement_end"),
]
