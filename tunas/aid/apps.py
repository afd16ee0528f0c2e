from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AidConfig(AppConfig):
    name = "tunas.aid"
    label = "aid"
    verbose_name = _("Aid")
