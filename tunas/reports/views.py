"""The report list and downloads: every registered report the user may have, as XLSX, CSV or PDF."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from tunas.core import formatting

from .generators import ReportGenerator, reports, reports_for
from .renderers import Column, csv_response, pdf_response, xlsx_response

_DISPLAY = {
    "rupiah": formatting.rupiah,
    "int": formatting.number,
    "date": formatting.date_long,
    "percent": formatting.percent,
}


def display(column: Column, value: object) -> str:
    """A value as a reader sees it on paper: Rp 1.250.000, 12.500, 4 September 2018."""
    if value is None or value == "":
        return ""
    shown = _DISPLAY.get(column.kind)
    return shown(value) if shown else str(value)  # type: ignore[operator]


# A PDF is a document to print and sign, not a data dump: past this many rows, take the XLSX.
PDF_MAX_ROWS = 2000


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
    columns = report.columns(user)
    rows = report.rows(user, filters)
    if fmt == "csv":
        return csv_response(report.filename(), columns, rows)
    if fmt == "pdf":
        table = []
        for i, row in enumerate(rows):
            if i >= PDF_MAX_ROWS:
                break
            table.append([display(c, row.get(c.key)) for c in columns])
        context = {
            "report": report,
            "columns": columns,
            "table": table,
            "truncated": len(table) >= PDF_MAX_ROWS,
            "office": getattr(user, "office", None),
            "printed_at": timezone.now(),
        }
        return pdf_response(report.filename(), "reports/pdf/table.html", context)
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
