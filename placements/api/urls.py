"""The placements API, mounted at /api/v1/."""

urlpatterns = []
