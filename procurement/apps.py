from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "procurement"
    verbose_name = "Procurement (notices and open data)"

    def ready(self):
        from django.db.models.signals import post_save

        from dps.context_processors import NAVIGATION_CONTRIBUTORS
        from placements.models import Placement, PlacementRequest
        from providers.models import Arrangement, ConditionsVersion, Opening

        from . import navigation
        from .signals import event_saved

        for model in (Placement, PlacementRequest, ConditionsVersion, Opening, Arrangement):
            post_save.connect(event_saved, sender=model, dispatch_uid=f"notices:{model.__name__}")
        if navigation.items not in NAVIGATION_CONTRIBUTORS:
            NAVIGATION_CONTRIBUTORS.append(navigation.items)
