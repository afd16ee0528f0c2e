"""Deletes background export files (and their jobs) older than ``EXPORT_RETENTION_HOURS``.

    python manage.py purge_exports [--dry-run]

Run it from cron (hourly is plenty). A finished or failed job goes once it has not changed for the retention
period, and so does a queued or running job that has been silent that long (its worker is gone). Files in the
exports folder of the private storage that no job names (a worker stopped between writing and saving) go
too, once they are as old.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from tunas.reports.models import ExportJob, private_storage
from tunas.reports.tasks import retention_hours

EXPORTS_DIR = "exports"


class Command(BaseCommand):
    help = "Deletes background export files and jobs older than EXPORT_RETENTION_HOURS (default 24)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only say what would be deleted.")

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        cutoff = timezone.now() - dt.timedelta(hours=retention_hours())
        old = ExportJob.objects.filter(updated_at__lt=cutoff)
        jobs = files = 0
        for job in old.iterator():
            if job.file and not dry_run:
                job.file.delete(save=False)
            files += bool(job.file)
            jobs += 1
        if not dry_run:
            old.delete()
        orphans = self._orphans(cutoff, dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(
            f"{verb} {jobs} export job(s), {files + orphans} file(s) ({orphans} without a job)."
        )

    def _orphans(self, cutoff: dt.datetime, *, dry_run: bool) -> int:
        storage = private_storage()
        if not storage.exists(EXPORTS_DIR):
            return 0
        known = set(ExportJob.objects.exclude(file="").values_list("file", flat=True))
        count = 0
        pending = [EXPORTS_DIR]
        while pending:
            folder = pending.pop()
            subfolders, names = storage.listdir(folder)
            pending += [f"{folder}/{sub}" for sub in subfolders]
            for name in names:
                path = f"{folder}/{name}"
                if path not in known and storage.get_modified_time(path) < cutoff:
                    if not dry_run:
                        storage.delete(path)
                    count += 1
        return count
