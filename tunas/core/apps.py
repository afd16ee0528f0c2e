from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tunas.core"
    label = "core"
    verbose_name = "Tunas"

    def ready(self) -> None:
        # Every app's contributions.py fills the registries of the layers below it (tunas.core.extensions).
        from .extensions import autodiscover_contributions

        autodiscover_contributions()
