"""The report list and downloads: every registered report the user may have, as XLSX, CSV or PDF.

An XLSX or CSV export of more than ``EXPORT_INLINE_MAX_ROWS`` rows is written in the background: the request
stores a job and shows its progress page, which polls until the file can be downloaded by the user who asked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from itertools import islice
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tunas.core import formatting

from .generators import ReportGenerator, reports, reports_for
from .models import ExportJob
from .renderers import CSV_TYPE, XLSX_TYPE, Column, csv_response, pdf_response, xlsx_response
from .tasks import export_goes_to_background, export_job_create, export_job_task, retention_hours


def _share(value: object) -> str:
    """A percent column holds a share, as a spreadsheet's percent format reads it: 0.75 is printed 75,0%."""
    try:
        share = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return formatting.percent(share * 100)


_DISPLAY = {
    "rupiah": formatting.rupiah,
    "int": formatting.number,
    "date": formatting.date_long,
    "percent": _share,
}


def display(column: Column, value: object) -> str:
    """A value as a reader sees it on paper: Rp 1.250.000, 12.500, 4 September 2018, 75,0%."""
    if value is None or value == "":
        return ""
    shown = _DISPLAY.get(column.kind)
    return shown(value) if shown else str(value)  # type: ignore[operator]


# A PDF is a document to print and sign, not a data dump: past this many rows, take the XLSX.
PDF_MAX_ROWS = 2000
PDF_TEMPLATE = "reports/pdf/table.html"
# Figures are right-aligned on paper, so that their digits line up.
_RIGHT_ALIGNED = {"rupiah", "int", "percent"}


def pdf_context(
    report: ReportGenerator, user: Any, filters: dict, columns: Sequence[Column], rows: Iterable[dict]
) -> dict:
    """What the PDF table prints: the office's letterhead, the title, the rows as a reader sees them (at most
    ``PDF_MAX_ROWS``) and, when the report asks for one, the signature of the head of office.

    A report adds to it through an optional ``pdf_context(user, filters)`` method: a full ``letterhead``
    (else the office's name only), a ``subtitle``, a ``signer`` and the ``place`` of signing.
    """
    office = getattr(user, "office", None)
    table = [
        [(display(c, row.get(c.key)), c.kind in _RIGHT_ALIGNED) for c in columns]
        for row in islice(rows, PDF_MAX_ROWS)
    ]
    context = {
        "report": report,
        "columns": [(c, c.kind in _RIGHT_ALIGNED) for c in columns],
        "table": table,
        "truncated": len(table) >= PDF_MAX_ROWS,
        "office": office,
        "letterhead": {"office": office.name.upper()} if office is not None else None,
        "printed_at": timezone.now(),
    }
    extra = getattr(report, "pdf_context", None)
    if extra is not None:
        context.update(extra(user, filters))
    return context


def report_response(
    report: ReportGenerator, request: HttpRequest, fmt: str
) -> HttpResponse | StreamingHttpResponse:
    """Renders ``report`` for the request's user and filters (``request.GET``) in one format."""
    user = request.user
    if not report.is_available_to(user):
        raise PermissionDenied
    if fmt not in report.formats:
        raise Http404
    filters = report.filters(user, request.GET)
    total = export_goes_to_background(report, user, filters, fmt)
    if total is not None:
        job = export_job_create(
            report=report, fmt=fmt, query=request.GET.urlencode(), by=user, rows_total=total
        )
        export_job_task.enqueue(job.pk)
        return redirect("reports:export_progress", pk=job.pk)
    columns = report.columns(user)
    rows = report.rows(user, filters)
    if fmt == "csv":
        return csv_response(report.filename(), columns, rows)
    if fmt == "pdf":
        return pdf_response(
            report.filename(), PDF_TEMPLATE, pdf_context(report, user, filters, columns, rows)
        )
    return xlsx_response(report.filename(), [(str(report.title), columns, rows)])


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    available = reports_for(request.user)
    if not available:
        raise PermissionDenied
    return render(request, "reports/list.html", {"reports": available, "query": request.GET.urlencode()})


@login_required
@require_GET
def report_download(request: HttpRequest, code: str, fmt: str) -> HttpResponse | StreamingHttpResponse:
    report = reports.get(code)
    if report is None or not report.is_available_to(request.user):
        raise Http404
    return report_response(report, request, fmt)


# A job that has not reported for this long has lost its worker (or none is running).
STALE_AFTER = dt.timedelta(minutes=10)


def _own_job(request: HttpRequest, pk: int) -> ExportJob:
    """The user's own export job; another user's is not found (its filters and rows are theirs)."""
    return get_object_or_404(ExportJob, pk=pk, requested_by_id=request.user.pk)


@login_required
@require_GET
@never_cache
def export_progress(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    report = reports.get(job.report_code)
    context = {
        "job": job,
        "title": report.title if report else job.report_code,
        "stale": not job.finished and timezone.now() - job.updated_at > STALE_AFTER,
        "retention_hours": round(retention_hours()),
    }
    template = (
        "reports/export/_progress.html" if getattr(request, "htmx", False) else "reports/export/progress.html"
    )
    return render(request, template, context)


@login_required
@require_GET
@never_cache
def export_file(request: HttpRequest, pk: int) -> FileResponse:
    job = _own_job(request, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    try:
        source = job.file.open("rb")
    except FileNotFoundError as exc:  # purged meanwhile
        raise Http404 from exc
    content_type = CSV_TYPE if job.format == "csv" else XLSX_TYPE
    return FileResponse(source, as_attachment=True, filename=job.filename, content_type=content_type)
