"""The procurement app's API (under /api/v1/)."""

urlpatterns: list = []
