"""Pages: providers' invoices and the borough's decisions, exports and payments."""

from django.urls import path

from ..views import invoices as views

urlpatterns = [
    path("finance/invoices/", views.invoice_list, name="invoice_list"),
]
