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
from django.http import Http404, HttpResponse
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
    import_job_claim,
    import_job_create,
    problems_bytes,
    read_table,
    template_bytes,
)
from .models import ImportJob
from .tasks import INLINE_ROWS, import_job_check, import_job_run, import_job_task

if TYPE_CHECKING:
    from tunas.accounts.models import User

PAGE_SIZE = 50
STALE_AFTER = dt.timedelta(minutes=10)
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
        if (suffix in MAGIC and not head.startswith(MAGIC[suffix])) or (suffix == ".csv" and b"\x00" in head):
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
    jobs = ImportJob.objects.filter(program=program).select_related("uploaded_by")[:10]
    return render(request, "registry/import/upload.html", {"program": program, "form": form, "jobs": jobs})


@login_required
def import_template(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    program = _program(request, code)
    response = HttpResponse(template_bytes(program), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="tunas-{slugify(program.code)}-template.xlsx"'
    return response


def _preview_rows(job: ImportJob) -> list[dict[str, Any]]:
    """Every data row of the file with its problems: rows with errors first, then warnings, then the rest."""
    problems: dict[int, dict[str, list[Any]]] = defaultdict(lambda: {"errors": [], "warnings": []})
    for kind in ("errors", "warnings"):
        for problem in job.report.get(kind, []):
            problems[problem["row"]][kind].append(problem)
    rows = []
    with job.file.open("rb") as source:
        for number, values in data_rows(read_table(source, job.original_name)):
            found = problems.get(number, {"errors": [], "warnings": []})
            rows.append(
                {
                    "number": number,
                    "name": cell_text(values.get("full_name")),
                    "nik": cell_text(values.get("nik")),
                    "group": cell_text(values.get("group")),
                    "village": cell_text(values.get("village")),
                    **found,
                }
            )
    rows.sort(key=lambda r: (not r["errors"], not r["warnings"], r["number"]))
    return rows


@login_required
def import_preview(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    job = _job(request, code, pk)
    if job.status != ImportJob.Status.PREVIEWED:
        return redirect(_next_url(job))
    report = job.report
    rows = _preview_rows(job)
    context = {
        "program": job.program,
        "job": job,
        "report": report,
        "rows_with_errors": report["rows"] - report["valid"],
        "rows_with_warnings": len({p["row"] for p in report["warnings"]}),
        "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
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
    # Progress is written while rows are checked; a job silent for this long lost its worker.
    stale = timezone.now() - job.updated_at > STALE_AFTER
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
        "rows_with_errors": report.get("rows", 0) - report.get("valid", 0),
    }
    return render(request, "registry/import/result.html", context)


@login_required
def import_problems(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    job = _job(request, code, pk)
    if not job.report:
        raise Http404
    with job.file.open("rb") as source:
        content = problems_bytes(job.report, source, job.original_name)
    response = HttpResponse(content, content_type=XLSX_TYPE)
    stem = slugify(Path(job.original_name).stem) or "import"
    response["Content-Disposition"] = f'attachment; filename="{stem}-{slugify(_("problems"))}.xlsx"'
    return response
