"""Pages: notices."""

urlpatterns: list = []
