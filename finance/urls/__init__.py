"""The finance app's pages, one module per part, mounted at the site's root."""

from django.urls import include, path

urlpatterns = [
    path("", include("finance.urls.invoices")),
    path("", include("finance.urls.uplifts")),
    path("", include("finance.urls.money")),
]
