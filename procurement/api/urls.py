"""The procurement app's API (under /api/v1/)."""

from . import notices

urlpatterns: list = [*notices.urlpatterns]
