"""The monitoring API, mounted at /api/v1/: each part's module adds its routes here."""

from . import kpis as kpis_api
from . import lifecycle as lifecycle_api
from . import plans as plans_api
from . import visits as visits_api

urlpatterns = []
urlpatterns += visits_api.urlpatterns
urlpatterns += plans_api.urlpatterns
urlpatterns += lifecycle_api.urlpatterns
urlpatterns += kpis_api.urlpatterns
