"""Services of import jobs: every change of an ImportJob goes through here, from the upload to the result.

A job is uploaded, then checked (its preview), then, once confirmed, imported; each phase is claimed once, so
that a second click or a second worker cannot run it twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from ..models import ImportJob
from .importer import ImportReport

if TYPE_CHECKING:
    from tunas.accounts.models import User
    from tunas.programs.models import Program

Status = ImportJob.Status


@transaction.atomic
def import_job_create(*, program: Program, upload: UploadedFile, by: User | None, rows: int = 0) -> ImportJob:
    """An uploaded file becomes a job waiting for its check; ``rows`` is its size as first read."""
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
    now = timezone.now()
    # One conditional UPDATE: of two requests or workers racing for the job, exactly one moves it.
    claimed = ImportJob.objects.filter(pk=job.pk, status=start).update(
        status=phase, rows_done=0, error="", updated_at=now
    )
    if claimed:
        job.status, job.rows_done, job.error, job.updated_at = phase, 0, "", now
    return bool(claimed)


@transaction.atomic
def import_job_progress(*, job: ImportJob, done: int, total: int) -> None:
    """Stores how far a job's check got; a job silent for ten minutes has lost its worker."""
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(rows_done=done, rows_total=total, updated_at=now)
    job.rows_done, job.rows_total, job.updated_at = done, total, now


@transaction.atomic
def import_job_finish(
    *, job: ImportJob, commit: bool, report: ImportReport | None = None, error: str = ""
) -> ImportJob:
    """A check ends previewed, an import done, each with its report; a failure keeps its message only."""
    if report is None:
        job.status, job.error = Status.FAILED, error
    else:
        job.status = Status.DONE if commit else Status.PREVIEWED
        job.error = ""
        job.report = report.as_json()
        job.rows_total = job.rows_done = report.rows
    job.save(update_fields=["status", "error", "report", "rows_total", "rows_done", "updated_at"])
    return job
