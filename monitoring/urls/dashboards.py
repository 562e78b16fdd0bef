from django.urls import path

from ..views import dashboards

urlpatterns = [
    path("monitoring/dashboard/", dashboards.dashboard, name="dashboard"),
    path(
        "monitoring/providers/<int:pk>/performance/",
        dashboards.provider_performance,
        name="provider_performance",
    ),
    path("monitoring/performance/", dashboards.own_performance, name="own_performance"),
    path("monitoring/market/", dashboards.market_position, name="market_position"),
]
