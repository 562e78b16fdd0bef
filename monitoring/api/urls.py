"""The monitoring API, mounted at /api/v1/: each part's module adds its routes here."""

urlpatterns = []
