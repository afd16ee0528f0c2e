from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tunas.core"
    label = "core"
    verbose_name = "Tunas"
