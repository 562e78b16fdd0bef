from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"

    def ready(self):
        from dps.context_processors import NAVIGATION_CONTRIBUTORS

        from . import navigation
        from . import tasks_reports  # noqa: F401  (registers the quarterly reports' task)
        from . import tasks_visits  # noqa: F401  (registers the visits' Celery task)

        if navigation.items not in NAVIGATION_CONTRIBUTORS:
            NAVIGATION_CONTRIBUTORS.append(navigation.items)
