"""Shared renderers: rows of plain values into a styled XLSX workbook or a PDF from a template.

Every export and report goes through these, so a sheet always looks the same: a bold frozen header, sensible
column widths, Rupiah amounts formatted as numbers, dates as dates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from copy import copy
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.http import HttpResponse, StreamingHttpResponse
from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FILL = PatternFill("solid", fgColor="D7ECDF")


CSV_TYPE = "text/csv; charset=utf-8"
# Number formats by column kind, as write_sheet sets them; text keeps NIKs and phone numbers whole.
NUMBER_FORMATS = {
    "rupiah": '"Rp" #,##0',
    "int": "#,##0",
    "date": "DD-MM-YYYY",
    "percent": "0.0%",
    "year": "0",
    "text": "@",
}
# The file writers report how far they got every this many rows.
PROGRESS_EVERY = 1000
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9][0-9 .,]*")
# A cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    key: str
    title: str | Promise
    kind: str = "text"  # text, int, rupiah, date, percent (a share: 0.75 prints 75,0%), year (no separator)
    width: int | None = None


def safe_cell(value: object) -> object:
    """A text that a spreadsheet would run as a formula is kept as text: a single quote goes before it.

    OWASP's advice for CSV and XLSX exports: prefix such cells with a single quote so they stay text.
    Numbers and dates pass unchanged, and so does a text that is a plain signed number such as a phone
    number ``+6281234567890``: it cannot call anything.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def row_values(columns: Sequence[Column], row: Sequence | dict) -> list:
    values = [row.get(c.key) for c in columns] if isinstance(row, dict) else list(row)
    return [safe_cell(v) for v in values]


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
        ws.append(row_values(columns, row))
        count += 1
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = column.width or max(12, min(48, len(str(column.title)) + 4))
        fmt = None if column.kind == "text" else NUMBER_FORMATS.get(column.kind)
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


def csv_lines(columns: Sequence[Column], rows: Iterable[Sequence | dict]) -> Iterator[str]:
    """CSV text line by line (a byte-order mark first, so Excel opens UTF-8 names correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
        return text

    writer.writerow([str(c.title) for c in columns])
    yield "\ufeff" + flush()
    for row in rows:
        writer.writerow(["" if v is None else v for v in row_values(columns, row)])
        yield flush()


def csv_response(filename: str, columns: Sequence[Column], rows: Iterable) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(columns, rows), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_safe(filename)}.csv"'
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


# --- files written row by row, for the background exports ------------------------------------------------

Progress = Callable[[int], None]


def attachment_name(filename: str, extension: str) -> str:
    """The name a download is saved under: ``participants-20260512.xlsx`` (the same as the responses')."""
    return f"{_safe(filename)}.{extension}"


def column_width(column: Column) -> int:
    return column.width or max(12, min(48, len(str(column.title)) + 4))


def write_xlsx_file(
    path_or_file: str | Path | IO[bytes],
    title: str | Promise,
    columns: Sequence[Column],
    rows: Iterable[Sequence | dict],
    progress: Progress | None = None,
) -> int:
    """Writes one sheet as ``xlsx_bytes`` would, row by row; returns the number of data rows.

    openpyxl's write-only mode streams each row to a temporary file and writes strings inline, so memory
    stays flat whatever the number of rows and the time grows linearly with them. The sheet looks the same
    as the in-memory one: the bold filled frozen header, the column widths, a number format per column kind
    and formula-looking texts kept as text (``safe_cell``). ``progress(rows_written)`` is called every
    ``PROGRESS_EVERY`` rows and once at the end.
    """
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=str(title)[:31])
    # Widths and the frozen pane go into the sheet's head, written with the first row.
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column_width(column)
    ws.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=str(column.title))
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        header.append(cell)
    ws.append(header)
    # One style per column, copied into each of its cells (cheaper than setting the number format per cell).
    styles: list[Any] = []
    for column in columns:
        fmt = NUMBER_FORMATS.get(column.kind)
        if fmt is None:
            styles.append(None)
            continue
        model = WriteOnlyCell(ws)
        model.number_format = fmt
        styles.append(model._style)
    count = 0
    for row in rows:
        cells: list[object] = []
        for value, style in zip(row_values(columns, row), styles, strict=False):
            if value is None or style is None:
                cells.append(value)
                continue
            cell = WriteOnlyCell(ws)
            cell._style = copy(style)
            cell.value = value
            cells.append(cell)
        ws.append(cells)
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    wb.save(path_or_file)
    if progress is not None:
        progress(count)
    return count


def write_csv_file(
    file: IO[bytes],
    columns: Sequence[Column],
    rows: Iterable[Sequence | dict],
    progress: Progress | None = None,
) -> int:
    """Writes ``csv_lines`` into a binary file as UTF-8; returns the number of data rows.

    ``progress(rows_written)`` is called every ``PROGRESS_EVERY`` rows and once at the end.
    """
    count = -1  # the first line is the header
    for line in csv_lines(columns, rows):
        file.write(line.encode("utf-8"))
        count += 1
        if progress is not None and count and count % PROGRESS_EVERY == 0:
            progress(count)
    if progress is not None:
        progress(count)
    return count
