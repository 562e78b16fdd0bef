from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = "Finance (cost schedules, invoices and uplifts)"

    def ready(self):
        from dps.context_processors import NAVIGATION_CONTRIBUTORS
        from placements.views.placements import DETAIL_CONTRIBUTORS

        from . import navigation, placement_pages

        if navigation.items not in NAVIGATION_CONTRIBUTORS:
            NAVIGATION_CONTRIBUTORS.append(navigation.items)
        if placement_pages.detail_context not in DETAIL_CONTRIBUTORS:
            DETAIL_CONTRIBUTORS.append(placement_pages.detail_context)
