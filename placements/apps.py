from django.apps import AppConfig


class PlacementsConfig(AppConfig):
    name = "placements"

    def ready(self):
        from dps.context_processors import NAVIGATION_CONTRIBUTORS
        from dps.tenancy import AUDIT_SEALED
        from dps.views import HOME_CONTRIBUTORS
        from providers.services.quality import quality_part_source_register

        from . import navigation
        from .selectors.bids import sealed_bid_events
        from .selectors.home import home_context
        from .selectors.quality import responsiveness_part

        quality_part_source_register("responsiveness", responsiveness_part)
        if home_context not in HOME_CONTRIBUTORS:
            HOME_CONTRIBUTORS.append(home_context)
        if sealed_bid_events not in AUDIT_SEALED:
            AUDIT_SEALED.append(sealed_bid_events)

        if navigation.items not in NAVIGATION_CONTRIBUTORS:
            NAVIGATION_CONTRIBUTORS.append(navigation.items)
