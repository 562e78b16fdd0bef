from django.urls import path

from ..views import reports

urlpatterns = [
    path("reports/", reports.report_list, name="report_list"),
    path("reports/<int:pk>/report.pdf", reports.report_download, name="report_download"),
    path("reports/subscription/", reports.report_subscription, name="report_subscription"),
    path("reports/generate/", reports.report_generate_now, name="report_generate_now"),
    path("reports/<int:pk>/retry/", reports.report_retry, name="report_retry"),
]
