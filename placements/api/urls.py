"""The placements API, mounted at /api/v1/."""

from . import bids, placements, requests

urlpatterns = [*requests.urlpatterns, *bids.urlpatterns, *placements.urlpatterns]
