from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"

    def ready(self):
        from dps.context_processors import NAVIGATION_CONTRIBUTORS

        from . import navigation

        if navigation.items not in NAVIGATION_CONTRIBUTORS:
            NAVIGATION_CONTRIBUTORS.append(navigation.items)

        from providers.services.quality import quality_part_source_register

        from . import quality, tasks  # noqa: F401  (tasks registers the app's Celery tasks)

        quality_part_source_register("outcomes", quality.outcomes_part)

        from placements.views.placements import DETAIL_CONTRIBUTORS, LIST_CONTRIBUTORS

        from . import placement_pages

        # A placement's pages show its timeline and the links to record its life.
        if placement_pages.list_context not in LIST_CONTRIBUTORS:
            LIST_CONTRIBUTORS.append(placement_pages.list_context)
        if placement_pages.detail_context not in DETAIL_CONTRIBUTORS:
            DETAIL_CONTRIBUTORS.append(placement_pages.detail_context)
