from django.apps import AppConfig


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = "Finance (cost schedules, invoices and uplifts)"

    def ready(self):
        from dps.context_processors import NAVIGATION_CONTRIBUTORS

        from . import navigation

        if navigation.items not in NAVIGATION_CONTRIBUTORS:
            NAVIGATION_CONTRIBUTORS.append(navigation.items)
