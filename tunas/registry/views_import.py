"""Pages of the spreadsheet import: upload → preview → confirm → progress → result.

Only the programme officers and administrators of the programme's own office may import; the programme is
looked up through the scoped selector, so anyone outside the jurisdiction gets a 404.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from tunas.core.forms import BootstrapFormMixin
from tunas.core.http import AuthenticatedHttpRequest
from tunas.programs.models import Program
from tunas.programs.selectors import program_get_visible
from tunas.reports.renderers import XLSX_TYPE

from .importing import (
    EXTENSIONS,
    ImportFileError,
    cell_text,
    data_rows,
    import_job_can_retry,
    import_job_claim,
    import_job_create,
    import_job_recover_if_stale,
    import_job_retry,
    import_jobs_recover,
    limits,
    problems_bytes,
    read_table,
    template_bytes,
)
from .models import ImportJob
from .tasks import INLINE_ROWS, import_job_check, import_job_run, import_job_task

if TYPE_CHECKING:
    from tunas.accounts.models import User

PAGE_SIZE = 50
# A zip archive (xlsx, ods) or an OLE2 compound file (xls): what the name promises is checked, not trusted.
MAGIC = {".xlsx": b"PK\x03\x04", ".xlsm": b"PK\x03\x04", ".ods": b"PK\x03\x04", ".xls": b"\xd0\xcf\x11\xe0"}


class UploadForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(EXTENSIONS)}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = 0
        self.fields["file"].help_text = _(
            "The template filled in (.xlsx), or .xls, .ods or .csv with the same columns; "
            "at most %(size)s MB."
        ) % {"size": settings.UPLOAD_MAX_BYTES // (1024 * 1024)}

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        suffix = Path(upload.name or "").suffix.lower()
        if suffix not in EXTENSIONS:
            raise ValidationError(
                _(
                    "Files of type %(type)s cannot be imported. "
                    "Use the template (.xlsx), or .xls, .ods or .csv."
                )
                % {"type": suffix or "?"},
                code="value_invalid",
            )
        if (upload.size or 0) > settings.UPLOAD_MAX_BYTES:
            raise ValidationError(
                _("The file is larger than %(size)s MB. Split it into smaller files.")
                % {"size": settings.UPLOAD_MAX_BYTES // (1024 * 1024)},
                code="value_invalid",
            )
        head = upload.read(4096)
        upload.seek(0)
        # A CSV's encoding (UTF-16 has zero bytes) is judged by read_table below.
        if suffix in MAGIC and not head.startswith(MAGIC[suffix]):
            raise ValidationError(
                _(
                    "The file's content is not a %(type)s spreadsheet. "
                    "Save it again from a spreadsheet program."
                )
                % {"type": suffix},
                code="value_invalid",
            )
        try:
            self.rows = read_table(upload, upload.name or "").size
        except ImportFileError as exc:
            raise ValidationError(str(exc), code="value_invalid") from exc
        finally:
            upload.seek(0)
        return upload


def _program(request: AuthenticatedHttpRequest, code: str) -> Program:
    try:
        program = program_get_visible(user=request.user, code=code)
    except Program.DoesNotExist as exc:
        raise Http404 from exc
    user = request.user
    if not user.manages_programmes or (not user.is_superuser and user.office_id != program.office_id):
        raise PermissionDenied
    return program


def _job(request: AuthenticatedHttpRequest, code: str, pk: int) -> ImportJob:
    program = _program(request, code)
    job = get_object_or_404(ImportJob.objects.select_related("uploaded_by"), pk=pk, program=program)
    job.program = program
    return job


def _next_url(job: ImportJob) -> str:
    names: dict[str, str] = {
        ImportJob.Status.PREVIEWED: "registry:import_preview",
        ImportJob.Status.DONE: "registry:import_result",
        ImportJob.Status.FAILED: "registry:import_result",
    }
    name = names.get(job.status, "registry:import_progress")
    return reverse(name, args=[job.program.code, job.pk])


@login_required
def import_upload(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    program = _program(request, code)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = import_job_create(
            program=program, upload=form.cleaned_data["file"], by=cast("User", request.user), rows=form.rows
        )
        if form.rows > INLINE_ROWS:
            import_job_task.enqueue(job.pk, False)
            return redirect("registry:import_progress", code=program.code, pk=job.pk)
        import_job_check(job)
        return redirect(_next_url(job))
    jobs = list(ImportJob.objects.filter(program=program).select_related("uploaded_by")[:10])
    if import_jobs_recover(jobs=jobs):
        jobs = list(ImportJob.objects.filter(program=program).select_related("uploaded_by")[:10])
    return render(request, "registry/import/upload.html", {"program": program, "form": form, "jobs": jobs})


@login_required
def import_template(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    program = _program(request, code)
    response = HttpResponse(template_bytes(program), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="tunas-{slugify(program.code)}-template.xlsx"'
    return response


def _problems_by_row(report: dict[str, Any]) -> dict[int, dict[str, list[Any]]]:
    problems: dict[int, dict[str, list[Any]]] = defaultdict(lambda: {"errors": [], "warnings": []})
    for kind in ("errors", "warnings"):
        for problem in report.get(kind, []):
            problems[problem["row"]][kind].append(problem)
    return dict(problems)


def _preview_page(job: ImportJob, page_number: str | None) -> tuple[Any, list[dict[str, Any]]]:
    """One page of the file's rows with their problems: rows with errors first, then warnings, then (when the
    report holds every problem) the rest. Only the page's rows are kept while the file streams by."""
    report = job.report
    problems = _problems_by_row(report)
    ordered = sorted(problems, key=lambda n: (not problems[n]["errors"], not problems[n]["warnings"], n))
    # A report keeps the first problems only (limits.REPORT_PROBLEMS): past them, which rows are clean is not
    # known here, so only the rows with problems are listed.
    clean = 0 if report.get("truncated") else max(0, report.get("rows", 0) - len(ordered))
    page = Paginator(range(len(ordered) + clean), PAGE_SIZE).get_page(page_number)
    indices = list(page.object_list)
    wanted = [ordered[i] for i in indices if i < len(ordered)]
    clean_indices = [i - len(ordered) for i in indices if i >= len(ordered)]
    clean_from, clean_to = (clean_indices[0], clean_indices[-1] + 1) if clean_indices else (0, 0)
    found: dict[int, dict[str, object]] = {}
    clean_rows: list[tuple[int, dict[str, object]]] = []
    last_wanted = max(wanted, default=0)
    if job.file:
        try:
            with job.file.open("rb") as source:
                seen_clean = 0
                for number, values in data_rows(read_table(source, job.original_name)):
                    if number in problems:
                        if number in wanted:
                            found[number] = values
                    else:
                        if clean_from <= seen_clean < clean_to:
                            clean_rows.append((number, values))
                        seen_clean += 1
                    if number >= last_wanted and seen_clean >= clean_to:
                        break
        except (OSError, ImportFileError):
            pass

    def row(number: int, values: dict[str, object]) -> dict[str, Any]:
        return {
            "number": number,
            "name": cell_text(values.get("full_name")),
            "nik": cell_text(values.get("nik")),
            "group": cell_text(values.get("group")),
            "village": cell_text(values.get("village")),
            **problems.get(number, {"errors": [], "warnings": []}),
        }

    rows = [row(n, found.get(n, {})) for n in wanted] + [row(n, v) for n, v in clean_rows]
    return page, rows


@login_required
def import_preview(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    job = _job(request, code, pk)
    if job.status != ImportJob.Status.PREVIEWED:
        return redirect(_next_url(job))
    report = job.report
    page, rows = _preview_page(job, request.GET.get("page"))
    context = {
        "program": job.program,
        "job": job,
        "report": report,
        "rows_with_errors": report.get("rows_with_errors", report["rows"] - report["valid"]),
        "rows_with_warnings": report.get(
            "rows_with_warnings", len({p["row"] for p in report.get("warnings", [])})
        ),
        "error_count": report.get("error_count", len(report.get("errors", []))),
        "problems_shown": limits.report_problems(),
        "page": page,
        "rows": rows,
    }
    return render(request, "registry/import/preview.html", context)


@login_required
@require_POST
def import_confirm(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    job = _job(request, code, pk)
    if job.status != ImportJob.Status.PREVIEWED:
        return redirect(_next_url(job))
    if not job.report.get("valid"):
        messages.error(
            request, _("No row is free of errors, so there is nothing to import. Correct the file.")
        )
        return redirect(_next_url(job))
    # The status moves only once, so a second click cannot import the file twice.
    if not import_job_claim(job=job, commit=True):
        job.refresh_from_db()
        return redirect(_next_url(job))
    if job.rows_total > INLINE_ROWS:
        import_job_task.enqueue(job.pk, True)
        return redirect("registry:import_progress", code=job.program.code, pk=job.pk)
    import_job_run(job, commit=True)
    return redirect(_next_url(job))


@login_required
def import_progress(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    job = _job(request, code, pk)
    finished = job.status in (ImportJob.Status.PREVIEWED, ImportJob.Status.DONE, ImportJob.Status.FAILED)
    if finished:
        return HttpResponseClientRedirect(_next_url(job)) if request.htmx else redirect(_next_url(job))
    # Progress is written while rows are checked: a job checking or running that has been silent too long
    # lost its worker, and fails (to be run again from its result page).
    job = import_job_recover_if_stale(job)
    if job.status == ImportJob.Status.FAILED:
        return HttpResponseClientRedirect(_next_url(job)) if request.htmx else redirect(_next_url(job))
    # A queued job no worker has started.
    stale = timezone.now() - job.updated_at > dt.timedelta(minutes=limits.stale_after_minutes())
    context = {"program": job.program, "job": job, "stale": stale}
    template = "registry/import/_progress.html" if request.htmx else "registry/import/progress.html"
    return render(request, template, context)


@login_required
def import_result(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    job = _job(request, code, pk)
    if job.status not in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
        return redirect(_next_url(job))
    report = job.report or {}
    context = {
        "program": job.program,
        "job": job,
        "report": report,
        "rows_with_errors": report.get("rows_with_errors", report.get("rows", 0) - report.get("valid", 0)),
        "warning_count": report.get("warning_count", len(report.get("warnings", []))),
        "can_retry": import_job_can_retry(job),
        "has_problems_file": bool(job.problems_file) or (bool(job.file) and bool(report)),
    }
    return render(request, "registry/import/result.html", context)


@login_required
@require_POST
def import_retry(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    job = _job(request, code, pk)
    if import_job_retry(job=job, by=cast("User", request.user)):
        messages.success(request, _("The file is being processed again."))
    else:
        messages.error(request, _("This import cannot be run again. Upload the file again."))
    job.refresh_from_db()
    return redirect(_next_url(job))


@login_required
def import_problems(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponseBase:
    """The problems file of the job, from the private storage (it holds NIKs: only through this view)."""
    job = _job(request, code, pk)
    stem = slugify(Path(job.original_name).stem) or "import"
    filename = f"{stem}-{slugify(_('problems'))}.xlsx"
    if job.problems_file:
        try:
            content = job.problems_file.open("rb")
        except OSError as exc:
            raise Http404 from exc
        return FileResponse(content, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
    if not job.report or not job.file:
        # No problem at all, or the files are past their retention.
        raise Http404
    # A job checked before problems files were stored: written from its report, once per download.
    try:
        with job.file.open("rb") as source:
            data = problems_bytes(job.report, source, job.original_name)
    except (OSError, ImportFileError) as exc:
        raise Http404 from exc
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
