"""Pages: providers' invoices and the borough's decisions, exports and payments."""

from django.urls import path

from ..views import invoices as views

urlpatterns = [
    path("finance/invoices/", views.invoice_list, name="invoice_list"),
    path("finance/invoices/new/", views.invoice_new, name="invoice_new"),
    path("finance/invoices/upload/", views.invoice_upload, name="invoice_upload"),
    path("finance/invoices/exports/", views.invoice_exports, name="invoice_exports"),
    path(
        "finance/invoices/exports/<int:pk>/",
        views.invoice_export_download,
        name="invoice_export_download",
    ),
    path("finance/invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path(
        "finance/invoices/<int:pk>/approve-matched/",
        views.invoice_approve_matched_view,
        name="invoice_approve_matched",
    ),
    path("finance/invoices/<int:pk>/pay/", views.invoice_pay, name="invoice_pay"),
    path(
        "finance/invoices/<int:pk>/lines/<int:line_pk>/decide/",
        views.invoice_line_decide_view,
        name="invoice_line_decide",
    ),
    path(
        "finance/invoices/<int:pk>/lines/<int:line_pk>/amend/",
        views.invoice_line_amend_view,
        name="invoice_line_amend",
    ),
]
