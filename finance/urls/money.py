"""Pages: the money report, each placement's cost schedule, and the borough's billing
settings."""

from django.urls import path

from ..views import money as views

urlpatterns = [
    path("finance/money/", views.money_report, name="money_report"),
    path("finance/money/csv/", views.money_report_csv, name="money_report_csv"),
    path("finance/money/pdf/", views.money_report_pdf, name="money_report_pdf"),
    path(
        "finance/placements/<int:pk>/schedule/",
        views.placement_schedule,
        name="placement_schedule",
    ),
    path("finance/billing/", views.billing_settings_page, name="billing_settings"),
]
