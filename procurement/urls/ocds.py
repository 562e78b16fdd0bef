"""Pages: ocds."""

urlpatterns: list = []
