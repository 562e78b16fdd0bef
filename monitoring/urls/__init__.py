"""The monitoring app's pages, one module per part, mounted at the site's root."""

from django.urls import include, path

urlpatterns = [
    path("", include(f"monitoring.urls.{part}"))
    for part in ("lifecycle", "visits", "plans", "kpis", "dashboards", "reports", "ssda903")
]
