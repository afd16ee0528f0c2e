"""Background work of the registry: checking and importing a large participant spreadsheet."""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _
from django_tasks import task

from .importing import (
    ImportFileError,
    import_job_claim,
    import_job_finish,
    import_job_heartbeat,
    import_job_progress,
    import_jobs_recover,
    import_participants,
)
from .importing.jobs import JobReplaced
from .models import ImportJob

logger = logging.getLogger(__name__)

# Above this many rows the check and the import run in the background, with a progress bar.
INLINE_ROWS = 500


def import_job_run(job: ImportJob, *, commit: bool) -> ImportJob:
    """Checks the file of a job claimed with import_job_claim (``commit=False``, the preview) or imports its
    valid rows (``commit=True``).

    Progress is stored while the rows are checked (the job's heartbeat); the write itself is one transaction,
    which other connections only see once it is committed. Inside it, each batch confirms that the run still
    owns its job (and locks the job's row): a run taken for dead and replaced rolls back instead of saving.
    """

    def progress(done: int, total: int, phase: str) -> None:
        if phase == "checking":
            import_job_progress(job=job, done=done, total=total)
        elif phase == "saving":
            import_job_heartbeat(job=job)

    if not job.file:
        return import_job_finish(
            job=job,
            commit=commit,
            error=_("The uploaded file has been deleted after its retention period. Upload it again."),
        )
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
            return import_job_finish(job=job, commit=commit, report=report, source=source)
    except JobReplaced:
        logger.info("Import job %s was run again elsewhere; this run stopped without saving", job.pk)
        job.refresh_from_db()
        return job
    except ImportFileError as exc:
        return import_job_finish(job=job, commit=commit, error=str(exc))
    except Exception:
        logger.exception("Import job %s failed", job.pk)
        error = _(
            "The import stopped because of an internal error; nothing was saved. Try again later or "
            "tell the administrator."
        )
        return import_job_finish(job=job, commit=commit, error=error, retryable=True)


def import_job_check(job: ImportJob) -> ImportJob:
    """Claims an uploaded job for its check and runs it; a job someone else took already is left alone."""
    if import_job_claim(job=job, commit=False):
        import_job_run(job, commit=False)
    return job


@task()
def import_job_task(job_id: int, commit: bool) -> str:
    # A worker taking its next job first fails the jobs whose worker died, so that they can be run again.
    import_jobs_recover()
    job = ImportJob.objects.select_related("program__office", "uploaded_by").get(pk=job_id)
    if not commit:
        # A check is claimed when a worker starts it, so that the page can tell a queued file from one
        # being checked.
        return import_job_check(job).status
    # An import was claimed by the request that confirmed it (a second click finds it taken); a job no
    # longer running was finished by an earlier run of this task.
    if job.status != ImportJob.Status.RUNNING:
        return job.status
    return import_job_run(job, commit=True).status
