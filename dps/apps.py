from django.apps import AppConfig


class DpsConfig(AppConfig):
    verbose_name = "DPS core"
    name = "dps"
