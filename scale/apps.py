from django.apps import AppConfig


class ScaleConfig(AppConfig):
    name = "scale"
    verbose_name = "National data set generator"
