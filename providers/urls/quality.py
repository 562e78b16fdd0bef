from django.urls import path

from ..views import quality

urlpatterns = [
    path("quality/", quality.quality_score, name="quality_score"),
    path("quality/history/", quality.quality_history, name="quality_history"),
    path("quality/history/<int:pk>/", quality.quality_snapshot, name="quality_snapshot"),
    path("quality/weights/", quality.quality_weights, name="quality_weights"),
]
