"""URLs of the spreadsheet import (filled in by tunas.registry.views_import)."""

urlpatterns: list = []
