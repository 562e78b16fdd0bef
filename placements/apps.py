from django.apps import AppConfig


class PlacementsConfig(AppConfig):
    name = "placements"

    def ready(self):
        from dps.context_processors import NAVIGATION_CONTRIBUTORS
        from dps.tenancy import AUDIT_SEALED
        from dps.views import HOME_CONTRIBUTORS
        from providers.services.quality import quality_part_source_register

        from . import dashboard, navigation, selectors
        from .quality import responsiveness_part

        quality_part_source_register("responsiveness", responsiveness_part)
        if dashboard.home_context not in HOME_CONTRIBUTORS:
            HOME_CONTRIBUTORS.append(dashboard.home_context)
        if selectors.sealed_bid_events not in AUDIT_SEALED:
            AUDIT_SEALED.append(selectors.sealed_bid_events)

        if navigation.items not in NAVIGATION_CONTRIBUTORS:
            NAVIGATION_CONTRIBUTORS.append(navigation.items)
