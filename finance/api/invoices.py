"""API: invoices."""

urlpatterns: list = []
