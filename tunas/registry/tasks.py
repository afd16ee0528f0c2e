"""Background work of the registry: checking and importing a large participant spreadsheet."""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _
from django_tasks import task

from .importing import ImportFileError, import_participants
from .models import ImportJob

logger = logging.getLogger(__name__)

# Above this many rows the check and the import run in the background, with a progress bar.
INLINE_ROWS = 500


def import_job_run(job: ImportJob, *, commit: bool) -> ImportJob:
    """Checks the job's file (``commit=False``, the preview) or imports its valid rows (``commit=True``).

    Progress is stored while the rows are checked; the write itself is one transaction, which other
    connections only see once it is committed.
    """
    job.status = ImportJob.Status.RUNNING if commit else ImportJob.Status.CHECKING
    job.rows_done = 0
    job.error = ""
    job.save(update_fields=["status", "rows_done", "error", "updated_at"])

    def progress(done: int, total: int, phase: str) -> None:
        if phase == "checking":
            ImportJob.objects.filter(pk=job.pk).update(rows_done=done, rows_total=total)

    try:
        with job.file.open("rb") as source:
            report = import_participants(
                program=job.program,
                source=source,
                filename=job.original_name,
                dry_run=not commit,
                by=job.uploaded_by,
                progress=progress,
            )
    except ImportFileError as exc:
        job.status, job.error = ImportJob.Status.FAILED, str(exc)
    except Exception:
        logger.exception("Import job %s failed", job.pk)
        job.status = ImportJob.Status.FAILED
        job.error = _(
            "The import stopped because of an internal error; nothing was saved. Try again later or "
            "tell the administrator."
        )
    else:
        job.status = ImportJob.Status.DONE if commit else ImportJob.Status.PREVIEWED
        job.report = report.as_json()
        job.rows_total = job.rows_done = report.rows
    job.save(update_fields=["status", "error", "report", "rows_total", "rows_done", "updated_at"])
    return job


@task()
def import_job_task(job_id: int, commit: bool) -> str:
    job = ImportJob.objects.select_related("program__office", "uploaded_by").get(pk=job_id)
    return import_job_run(job, commit=commit).status
