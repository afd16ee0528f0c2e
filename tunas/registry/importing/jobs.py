"""Services of import jobs: every change of an ImportJob goes through here, from the upload to the result.

A job is uploaded, then checked (its preview), then, once confirmed, imported; each phase is claimed once, so
that a second click or a second worker cannot run it twice. Each claim takes the job's next ``attempt``
number: a run writes progress and its result only while the job still carries its number, so a run that
was taken for dead (its job recovered and run again) cannot overwrite the newer one.

A worker that dies leaves its job silent: a job checking or running that has not reported for
IMPORT_STALE_AFTER_MINUTES is marked failed (``import_jobs_recover``) and can be run again
(``import_job_retry``). The import writes in one transaction, so a killed import saved nothing.

The upload and the problems file hold NIKs; ``import_uploads_purge`` deletes them
IMPORT_UPLOAD_RETENTION_HOURS after the job ended.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ImportJob
from . import limits
from .importer import ImportReport
from .reading import Source
from .template import problems_write

if TYPE_CHECKING:
    from tunas.accounts.models import User
    from tunas.core.errors import Problem
    from tunas.programs.models import Program

logger = logging.getLogger(__name__)

Status = ImportJob.Status
ACTIVE = (Status.CHECKING, Status.RUNNING)
FINISHED = (Status.DONE, Status.FAILED)


class JobReplaced(Exception):
    """The job no longer carries this run's attempt: it was recovered (and maybe run again) meanwhile."""


@transaction.atomic
def import_job_create(*, program: Program, upload: UploadedFile, by: User | None, rows: int = 0) -> ImportJob:
    """An uploaded file becomes a job waiting for its check; ``rows`` is its size as first read.

    The file is stored in the private storage under a random name; the uploader's name is kept as text.
    """
    job = ImportJob(
        program=program,
        file=upload,
        original_name=Path(upload.name or "").name[:255],
        uploaded_by=by,
        rows_total=rows,
    )
    # The uploader may be unknown (the field is nullable for accounts removed later).
    job.full_clean(exclude=["uploaded_by"])
    job.save()
    return job


@transaction.atomic
def import_job_claim(*, job: ImportJob, commit: bool) -> bool:
    """Takes an uploaded job for its check or a previewed one for its import, once; False if already taken."""
    start, phase = (Status.PREVIEWED, Status.RUNNING) if commit else (Status.UPLOADED, Status.CHECKING)
    return _claim(job, start=start, phase=phase)


def _claim(job: ImportJob, *, start: str, phase: str) -> bool:
    now = timezone.now()
    attempt = ImportJob.objects.filter(pk=job.pk).values_list("attempt", flat=True).first()
    if attempt is None:
        return False
    # One conditional UPDATE: of two requests or workers racing for the job, exactly one moves it.
    claimed = ImportJob.objects.filter(pk=job.pk, status=start, attempt=attempt).update(
        status=phase, rows_done=0, error="", failed_during="", attempt=attempt + 1, updated_at=now
    )
    if claimed:
        job.status, job.rows_done, job.error, job.updated_at = phase, 0, "", now
        job.failed_during, job.attempt = "", attempt + 1
    return bool(claimed)


def _mine(job: ImportJob) -> Q:
    return Q(pk=job.pk, status=job.status, attempt=job.attempt)


@transaction.atomic
def import_job_progress(*, job: ImportJob, done: int, total: int) -> None:
    """Stores how far a job's check got (its heartbeat); raises JobReplaced when the run was superseded."""
    now = timezone.now()
    if not ImportJob.objects.filter(_mine(job)).update(rows_done=done, rows_total=total, updated_at=now):
        raise JobReplaced(job.pk)
    job.rows_done, job.rows_total, job.updated_at = done, total, now


def import_job_heartbeat(*, job: ImportJob) -> None:
    """Inside the import's write transaction: confirms the run still owns its job, and locks the job's row
    until the transaction ends, so that it cannot be recovered as dead while its rows are committed."""
    if not ImportJob.objects.filter(_mine(job)).update(updated_at=timezone.now()):
        raise JobReplaced(job.pk)


def _report_json(report: ImportReport) -> dict[str, Any]:
    """Counts, and the first problems in sheet order: a report stays small whatever the file holds."""
    keep = limits.report_problems()
    problems = sorted(
        [(p, "errors") for p in report.errors] + [(p, "warnings") for p in report.warnings],
        key=lambda item: item[0].row or 0,
    )
    kept: dict[str, list[dict[str, Any]]] = {"errors": [], "warnings": []}
    for problem, kind in problems[:keep]:
        kept[kind].append(problem.as_dict())
    return {
        "rows": report.rows,
        "valid": report.valid,
        "created": report.created,
        "errors": kept["errors"],
        "warnings": kept["warnings"],
        "error_count": len(report.errors),
        "warning_count": len(report.warnings),
        "rows_with_errors": report.rows - report.valid,
        "rows_with_warnings": len({p.row for p in report.warnings}),
        "truncated": len(problems) > keep,
        # Lines under the list that were not read as participants (a signature block), shown on the preview.
        "ignored": report.ignored[:keep],
    }


def _problems_file(report: ImportReport, source: Source, filename: str) -> File[Any] | None:
    if not report.errors and not report.warnings:
        return None
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the FileField, closed by import_job_finish

    def dicts(problems: Iterable[Problem]) -> Iterable[dict[str, Any]]:
        return (p.as_dict() for p in problems)

    problems_write(
        spool, errors=dicts(report.errors), warnings=dicts(report.warnings), source=source, filename=filename
    )
    spool.seek(0)
    return File(spool, name="problems.xlsx")


def import_job_finish(
    *,
    job: ImportJob,
    commit: bool,
    report: ImportReport | None = None,
    error: str = "",
    retryable: bool = False,
    source: Source | None = None,
) -> ImportJob:
    """A check ends previewed, an import done, each with its report and its problems file (written once,
    from ``source``); a failure keeps its message, and whether running it again can help.

    A run that no longer owns its job (recovered and run again meanwhile) changes nothing.
    """
    problems = None
    if report is not None and source is not None:
        # Written before the transaction: a large file takes seconds, and no lock need wait for it.
        problems = _problems_file(report, source, job.original_name)
    try:
        with transaction.atomic():
            return _finish(
                job, commit=commit, report=report, error=error, retryable=retryable, problems=problems
            )
    finally:
        if problems is not None:
            problems.close()


def _finish(
    job: ImportJob,
    *,
    commit: bool,
    report: ImportReport | None,
    error: str,
    retryable: bool,
    problems: File[Any] | None,
) -> ImportJob:
    current = ImportJob.objects.select_for_update().filter(_mine(job)).first()
    if current is None:
        logger.info("Import job %s was taken over by a later run; this run's result is dropped", job.pk)
        job.refresh_from_db()
        return job
    old_problems = current.problems_file.name
    now = timezone.now()
    if report is None:
        current.status, current.error = Status.FAILED, error
        current.failed_during = job.status if retryable else ""
        current.finished_at = now
    else:
        current.status = Status.DONE if commit else Status.PREVIEWED
        current.error = ""
        current.report = _report_json(report)
        current.rows_total = current.rows_done = report.rows
        current.finished_at = now if commit else None
        current.problems_file = ""
        if problems is not None:
            current.problems_file.save("problems.xlsx", problems, save=False)
    current.save()
    if report is not None and old_problems and old_problems != current.problems_file.name:
        name = old_problems
        transaction.on_commit(lambda: current.problems_file.storage.delete(name))
    job.refresh_from_db()
    return job


# --- jobs whose worker stopped ------------------------------------------------------------------------------


def stale_before(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(minutes=limits.stale_after_minutes())


def stale_reason(status: str) -> str:
    if status == Status.RUNNING:
        return _("The worker stopped while importing; nothing was saved: run it again.")
    return _("The worker stopped while checking; nothing was saved: run it again.")


def import_jobs_recover(*, jobs: Iterable[ImportJob] | None = None, now: dt.datetime | None = None) -> int:
    """Marks failed every job checking or running whose heartbeat is older than IMPORT_STALE_AFTER_MINUTES
    (or those of ``jobs``); returns how many. Each can then be run again with import_job_retry."""
    threshold = stale_before(now)
    candidates = ImportJob.objects.filter(status__in=ACTIVE, updated_at__lt=threshold)
    if jobs is not None:
        candidates = candidates.filter(pk__in=[j.pk for j in jobs])
    recovered = 0
    # Read first, write only what is found: a page view must not queue behind an import's write lock for
    # nothing (SQLite has one writer at a time).
    for pk, status in list(candidates.values_list("pk", "status")):
        with transaction.atomic():
            # The same conditions again: a job that reported meanwhile is alive, and stays as it is.
            recovered += ImportJob.objects.filter(pk=pk, status=status, updated_at__lt=threshold).update(
                status=Status.FAILED,
                error=stale_reason(status),
                failed_during=status,
                finished_at=timezone.now(),
                updated_at=timezone.now(),
            )
    if recovered:
        logger.warning("Marked %s import job(s) failed: their worker stopped", recovered)
    return recovered


def import_job_recover_if_stale(job: ImportJob) -> ImportJob:
    """The job as it is now, failed if its worker stopped (for its page)."""
    if job.status in ACTIVE and job.updated_at < stale_before() and import_jobs_recover(jobs=[job]):
        job.refresh_from_db()
    return job


def import_job_can_retry(job: ImportJob) -> bool:
    return job.status == Status.FAILED and job.failed_during in ACTIVE and bool(job.file)


@transaction.atomic
def import_job_retry(*, job: ImportJob, by: User | None) -> bool:
    """Runs a job again that failed because its worker stopped (or an internal error): a check is checked
    again; an import is imported again, with every row checked again before it is saved. Enqueued for the
    task worker. False when the job cannot be run again (or someone else did it first)."""
    job.refresh_from_db()
    if not import_job_can_retry(job):
        return False
    phase = job.failed_during
    start = Status.UPLOADED if phase == Status.CHECKING else Status.RUNNING
    now = timezone.now()
    updated = ImportJob.objects.filter(pk=job.pk, status=Status.FAILED, attempt=job.attempt).update(
        status=start,
        error="",
        failed_during="",
        finished_at=None,
        rows_done=0,
        # An import claims its new attempt here, as the confirming request did; a check claims it in the
        # worker.
        attempt=job.attempt + (1 if start == Status.RUNNING else 0),
        updated_at=now,
    )
    if not updated:
        return False
    job.refresh_from_db()
    logger.info("Import job %s run again by user %s", job.pk, getattr(by, "pk", None))
    from ..tasks import import_job_task

    # In the same transaction: with the database backend the task row commits with the job's new state.
    import_job_task.enqueue(job.pk, start == Status.RUNNING)
    return True


# --- retention of the files ---------------------------------------------------------------------------------


def import_uploads_purge(*, now: dt.datetime | None = None) -> int:
    """Deletes the upload and the problems file of every job that ended (done, failed) more than
    IMPORT_UPLOAD_RETENTION_HOURS ago; jobs still in progress or recent keep theirs. Returns the jobs
    purged. Jobs whose worker stopped are recovered first, so that they too end and are purged in time."""
    now = now or timezone.now()
    import_jobs_recover(now=now)
    before = now - dt.timedelta(hours=limits.upload_retention_hours())
    ended = Q(finished_at__lt=before) | Q(finished_at__isnull=True, updated_at__lt=before)
    jobs = (
        ImportJob.objects.filter(status__in=FINISHED)
        .filter(ended)
        .exclude(file="", problems_file="")
        .only("pk", "file", "problems_file")
    )
    purged = 0
    for job in jobs.iterator():
        for field in (job.file, job.problems_file):
            if field.name:
                try:
                    field.storage.delete(field.name)
                except OSError:
                    logger.exception("Could not delete an upload of import job %s", job.pk)
                    continue
        ImportJob.objects.filter(pk=job.pk).update(file="", problems_file="")
        purged += 1
    return purged
