"""Shared renderers: rows of plain values into a styled XLSX workbook or a PDF from a template.

Every export and report goes through these, so a sheet always looks the same: a bold frozen header, sensible
column widths, Rupiah amounts formatted as numbers, dates as dates.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FILL = PatternFill("solid", fgColor="D7ECDF")


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: str = "text"  # text, int, rupiah, date, percent
    width: int | None = None


def write_sheet(ws, columns: Sequence[Column], rows: Iterable[Sequence | dict]) -> int:
    """Writes a header and rows into an openpyxl worksheet; returns the number of data rows."""
    ws.append([str(c.title) for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    ws.freeze_panes = "A2"
    count = 0
    for row in rows:
        values = [row.get(c.key) for c in columns] if isinstance(row, dict) else list(row)
        ws.append(values)
        count += 1
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = column.width or max(12, min(48, len(str(column.title)) + 4))
        fmt = {"rupiah": '"Rp" #,##0', "int": "#,##0", "date": "DD-MM-YYYY", "percent": "0.0%"}.get(
            column.kind
        )
        if fmt or column.kind == "text":
            for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                if fmt:
                    cell.number_format = fmt
                else:
                    cell.number_format = "@"  # text: keeps NIKs and phone numbers whole
    return count


def xlsx_bytes(sheets: Sequence[tuple[str, Sequence[Column], Iterable]]) -> bytes:
    """A workbook with one sheet per (title, columns, rows)."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, columns, rows in sheets:
        ws = wb.create_sheet(title=str(title)[:31])
        write_sheet(ws, columns, rows)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, sheets: Sequence[tuple[str, Sequence[Column], Iterable]]) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(sheets), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_safe(filename)}.xlsx"'
    return response


def pdf_bytes(template: str, context: dict, *, base_url: str | None = None) -> bytes:
    """Renders a Django template to PDF with WeasyPrint (imported lazily: it loads Pango)."""
    from django.conf import settings
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html, base_url=base_url or str(settings.BASE_DIR)).write_pdf()


def pdf_response(filename: str, template: str, context: dict) -> HttpResponse:
    response = HttpResponse(pdf_bytes(template, context), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_safe(filename)}.pdf"'
    return response


def _safe(name: str) -> str:
    stem = slugify(name) or "tunas"
    return f"{stem}-{dt.date.today():%Y%m%d}"
