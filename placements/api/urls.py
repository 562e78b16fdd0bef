"""The placements API, mounted at /api/v1/."""

from .bids import views as bids
from .placements import views as placements
from .requests import views as requests

urlpatterns = [*requests.urlpatterns, *bids.urlpatterns, *placements.urlpatterns]
