"""Background exports: a job stored by the request, its file written row by row by a task worker.

The request counts the rows (``ReportGenerator.count``); above ``EXPORT_INLINE_MAX_ROWS`` it stores an
``ExportJob`` with the query string as sent and enqueues ``export_job_task``. The worker validates the filters
again for the user who asked (``report.filters(user, QueryDict(query))``), checks that the user may still
have the report, and streams the rows into a temporary file (write-only XLSX or CSV), storing the progress
every ``PROGRESS_EVERY`` rows; the finished file goes into the private storage.
"""

from __future__ import annotations

import logging
import tempfile
from typing import Any

from django.conf import settings
from django.core.files import File
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from .generators import ReportGenerator, reports
from .models import ExportJob
from .renderers import attachment_name, write_csv_file, write_xlsx_file

logger = logging.getLogger(__name__)

# The formats a background job writes; a PDF is capped at a printable size and stays in the request.
BACKGROUND_FORMATS = ("xlsx", "csv")


def inline_max_rows() -> int:
    """Up to this many rows an export is answered in the request (setting ``EXPORT_INLINE_MAX_ROWS``)."""
    return int(getattr(settings, "EXPORT_INLINE_MAX_ROWS", 5000))


def retention_hours() -> float:
    """Finished export files are deleted after this many hours (setting ``EXPORT_RETENTION_HOURS``)."""
    return float(getattr(settings, "EXPORT_RETENTION_HOURS", 24))


def export_goes_to_background(report: ReportGenerator, user: Any, filters: dict, fmt: str) -> int | None:
    """The row count when this export is too big for the request (and a worker can find the report)."""
    if fmt not in BACKGROUND_FORMATS or report.code not in reports:
        return None
    total = report.count(user, filters)
    return total if total is not None and total > inline_max_rows() else None


def export_job_create(
    *, report: ReportGenerator, fmt: str, query: str, by: Any, rows_total: int
) -> ExportJob:
    """A queued job for ``report`` in ``fmt`` with the request's query string, for the user who asked."""
    job = ExportJob(
        report_code=report.code,
        format=fmt,
        query=query,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        filename=attachment_name(report.filename(), fmt),
        requested_by=by,
        rows_total=rows_total,
    )
    job.full_clean(exclude=["file"])
    job.save()
    return job


def export_job_claim(*, job: ExportJob) -> bool:
    """Takes a queued job for writing, once: of two workers racing for it, one conditional UPDATE wins."""
    now = timezone.now()
    claimed = ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING, rows_done=0, error="", updated_at=now
    )
    if claimed:
        job.status, job.rows_done, job.error, job.updated_at = ExportJob.Status.RUNNING, 0, "", now
    return bool(claimed)


def export_job_progress(*, job: ExportJob, done: int) -> None:
    """Stores how many rows are written; a job silent for long has lost its worker."""
    # One UPDATE in autocommit, not a transaction: the rows are still being read on the same connection.
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(rows_done=done, updated_at=now)
    job.rows_done, job.updated_at = done, now


def export_job_fail(*, job: ExportJob, error: str) -> ExportJob:
    job.status, job.error = ExportJob.Status.FAILED, error
    job.save(update_fields=["status", "error", "updated_at"])
    return job


def export_job_run(job: ExportJob) -> ExportJob:
    """Writes the file of a claimed job and stores it; a failure keeps a message for the user and no file."""
    with translation.override(job.language or settings.LANGUAGE_CODE):
        user = job.requested_by
        report = reports.get(job.report_code)
        if report is None or not user.is_active or not report.is_available_to(user):
            return export_job_fail(job=job, error=_("You may no longer have this report."))
        try:
            filters = report.filters(user, QueryDict(job.query))
            columns = report.columns(user)
            rows = report.rows(user, filters)
            with tempfile.TemporaryFile() as out:

                def progress(done: int) -> None:
                    export_job_progress(job=job, done=done)

                if job.format == "csv":
                    written = write_csv_file(out, columns, rows, progress=progress)
                else:
                    written = write_xlsx_file(out, report.title, columns, rows, progress=progress)
                out.seek(0)
                job.file.save(job.filename, File(out), save=False)
        except Exception:
            logger.exception("Export job %s failed", job.pk)
            error = _(
                "The export stopped because of an internal error. Try again later or tell the administrator."
            )
            return export_job_fail(job=job, error=error)
        job.status, job.error = ExportJob.Status.DONE, ""
        job.rows_total = job.rows_done = written
        job.save(update_fields=["status", "error", "file", "rows_total", "rows_done", "updated_at"])
        return job


@task()
def export_job_task(job_id: int) -> str:
    job = ExportJob.objects.select_related("requested_by").get(pk=job_id)
    # A job no longer queued was taken by another run of this task (a retry, a second worker).
    if not export_job_claim(job=job):
        return job.status
    return export_job_run(job).status
