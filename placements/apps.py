from django.apps import AppConfig


class PlacementsConfig(AppConfig):
    name = "placements"

    def ready(self):
        from dps.context_processors import NAVIGATION_CONTRIBUTORS
        from providers.services.quality import quality_part_source_register

        from . import navigation
        from .quality import responsiveness_part

        quality_part_source_register("responsiveness", responsiveness_part)

        if navigation.items not in NAVIGATION_CONTRIBUTORS:
            NAVIGATION_CONTRIBUTORS.append(navigation.items)
