"""Django's makemessages, also reading ``_lazy("...")``: the apps import gettext_lazy under that name where
``_`` is already gettext (contributions.py), and their labels must reach the catalogue too."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_lazy"]
