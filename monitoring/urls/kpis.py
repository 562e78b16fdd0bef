from django.urls import path

from ..views import kpis as views

urlpatterns = [
    path("monitoring/kpis/runs/", views.kpi_run_list, name="kpi_run_list"),
    path("monitoring/kpis/recompute/", views.kpi_recompute, name="kpi_recompute"),
    path("monitoring/kpis/runs/<int:pk>/", views.kpi_run_detail, name="kpi_run_detail"),
    path("monitoring/kpis/thresholds/", views.kpi_thresholds, name="kpi_thresholds"),
]
