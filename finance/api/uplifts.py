"""API: uplifts."""

urlpatterns: list = []
