"""API: schedules."""

urlpatterns: list = []
