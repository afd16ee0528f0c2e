"""``python manage.py rebuild_mentoring_counts``: recomputes the kept monthly report counts from the reports
(after reports or group statuses were written around the services)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from tunas.mentoring.counts import rebuild


class Command(BaseCommand):
    help = "Recompute, per programme and month, how many selected groups have their monthly report."

    def handle(self, *args, **options) -> None:
        start = time.perf_counter()
        rows = rebuild()
        self.stdout.write(f"{rows} programme months counted in {time.perf_counter() - start:.1f} s")
