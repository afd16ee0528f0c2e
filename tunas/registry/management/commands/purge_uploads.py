"""``manage.py purge_uploads``: deletes the participant uploads (and problems files) of finished imports.

Uploads hold NIKs: each is kept IMPORT_UPLOAD_RETENTION_HOURS (default 24) after its import ended, done or
failed, so that the officer can download the problems and correct the file, then deleted. Run it from cron,
e.g. hourly. It first marks failed the checks and imports whose worker stopped (IMPORT_STALE_AFTER_MINUTES),
which can then be run again from their page.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tunas.registry.importing import import_jobs_recover, import_uploads_purge


class Command(BaseCommand):
    help = (
        "Deletes the uploads and problems files of imports that ended more than "
        "IMPORT_UPLOAD_RETENTION_HOURS ago, and fails the jobs whose worker stopped."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        recovered = import_jobs_recover()
        purged = import_uploads_purge()
        self.stdout.write(
            f"{recovered} stopped import job(s) marked failed; {purged} job(s) purged of uploads."
        )
