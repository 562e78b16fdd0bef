from django.apps import AppConfig


class GeographyConfig(AppConfig):
    name = "geography"
    verbose_name = "Geography (ONS Postcode Directory)"
