"""The finance app's API (under /api/v1/): schedules, invoices and uplift requests."""

from . import invoices, schedules, uplifts

urlpatterns: list = [*schedules.urlpatterns, *invoices.urlpatterns, *uplifts.urlpatterns]
