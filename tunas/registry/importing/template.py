"""Workbooks the import hands out: a programme's participant template, and the rows with problems.

Both are laid out from the column list (tunas.registry.importing.columns), so a problems file can be
corrected and uploaded again as it is.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from tunas.regions.models import Village
from tunas.regions.selectors import within_q

from ..models import GroupStatus
from .columns import COLUMNS, HEADERS, Column
from .reading import Source, data_rows, read_table

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet

    from tunas.programs.models import Program

HEADER_FILL = PatternFill("solid", fgColor="D7ECDF")
REQUIRED_FILL = PatternFill("solid", fgColor="F6E7B5")
# Rows that carry the drop-down lists; a programme's file is far smaller.
VALIDATED_ROWS = 5000
# Beyond this (a national office) a drop-down of villages is no help; codes are typed instead.
MAX_VILLAGES_LISTED = 10_000


def _as_text(cell: Any) -> None:
    # openpyxl stores a string starting with "=" as a formula; uploaded and typed values must stay text.
    if isinstance(cell.value, str) and cell.value.startswith("="):
        cell.data_type = "s"


def _write_header(ws: Worksheet, headers: list[str], *, required: frozenset[str] = frozenset()) -> None:
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = REQUIRED_FILL if cell.value in required else HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    ws.freeze_panes = "A2"


def _format_columns(ws: Any, offset: int = 0) -> None:
    """The columns' widths and number formats (text for digits that must stay digits, the date format)."""
    for index, column in enumerate(COLUMNS, start=1 + offset):
        dimension = ws.column_dimensions[get_column_letter(index)]
        dimension.width = column.width
        if column.number_format:
            dimension.number_format = column.number_format


# --- the template -----------------------------------------------------------------------------------------


def template_workbook(program: Program) -> Workbook:
    """The participant template of a programme, with drop-down lists drawn from its data."""
    wb = Workbook()
    ws: Worksheet = wb.active
    ws.title = _("Participants")[:31]
    _write_header(ws, list(HEADERS), required=frozenset(c.header for c in COLUMNS if c.required))
    _format_columns(ws)
    for cell, column in zip(ws[1], COLUMNS, strict=True):
        _add_note(cell, column)
    lists = wb.create_sheet(_("Lists")[:31])
    lists.sheet_state = "hidden"
    sources = _DropdownSources(program)
    for index, column in enumerate(c for c in COLUMNS if c.dropdown):
        _add_dropdown(ws, lists, index + 1, column, sources.items(column))
    _instructions(wb.create_sheet(_("Instructions")[:31]), program)
    return wb


def _add_note(cell: Cell, column: Column) -> None:
    note = Comment(str(column.note), "Tunas")
    note.width, note.height = 260, 90
    cell.comment = note


class _DropdownSources:
    """The items of each kind of drop-down list, drawn from the programme and its jurisdiction."""

    def __init__(self, program: Program):
        self.program = program

    def items(self, column: Column) -> list[str]:
        if column.dropdown == "villages":
            return self.villages()
        if column.dropdown == "groups":
            return self.groups()
        assert column.allowed is not None, "a drop-down of allowed values needs the column's allowed values"
        choices = column.allowed()
        if column.dropdown == "programme_allowed":
            allowed = set(self.program.categories_allowed)
            return [word for key, word in choices.items if key in allowed]
        return choices.words

    def villages(self) -> list[str]:
        region = self.program.office.region_code
        villages = Village.objects.filter(within_q(region)).select_related("district")
        if villages.count() > MAX_VILLAGES_LISTED:
            return []
        return [f"{v.code} {v.name} ({v.district.name})" for v in villages.order_by("code")]

    def groups(self) -> list[str]:
        return list(
            self.program.groups.exclude(status=GroupStatus.DISSOLVED)
            .order_by("name")
            .values_list("name", flat=True)
        )


def _add_dropdown(ws: Worksheet, lists: Worksheet, index: int, column: Column, items: list[str]) -> None:
    """Writes the items into column ``index`` of the hidden list sheet and validates the column with them."""
    list_letter = get_column_letter(index)
    lists.cell(row=1, column=index, value=column.header)
    for row, item in enumerate(items, start=2):
        _as_text(lists.cell(row=row, column=index, value=item))
    if not items:
        return
    validation = DataValidation(
        type="list",
        formula1=f"{quote_sheetname(lists.title)}!${list_letter}$2:${list_letter}${len(items) + 1}",
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop" if column.strict else "warning",
        error=(
            _("Choose from the list; several categories may be separated by commas.")
            if column.several
            else _("Choose a value from the list.")
        ),
        errorTitle=_("Value not in the list"),
    )
    letter = get_column_letter(COLUMNS.index(column) + 1)
    validation.add(f"{letter}2:{letter}{VALIDATED_ROWS}")
    ws.add_data_validation(validation)


def _instructions(ws: Worksheet, program: Program) -> None:
    _write_header(ws, [_("Column"), _("Required"), _("What to write")])
    for column in COLUMNS:
        ws.append([column.header, _("Yes") if column.required else _("No"), str(column.note)])
    ws.append([])
    ws.append([_("Programme"), program.code, program.name])
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 12
    ws.column_dimensions["C"].width = 90


def template_bytes(program: Program) -> bytes:
    buffer = io.BytesIO()
    template_workbook(program).save(buffer)
    return buffer.getvalue()


# --- the problems workbook --------------------------------------------------------------------------------

ProblemLike = Mapping[str, Any]


def problems_write(
    target: IO[bytes] | str | Path,
    *,
    errors: Iterable[ProblemLike],
    warnings: Iterable[ProblemLike],
    source: Source,
    filename: str = "",
) -> None:
    """Writes the rows with errors, as uploaded, with their problems beside; warnings on a second sheet.

    A write-only workbook streams each row to disk as it is appended, so time and memory grow with the
    rows written, once each (a normal worksheet asked for ``max_row`` per row took 42 s for 8,000 errors).
    """
    errors_by_row: dict[int, list[ProblemLike]] = defaultdict(list)
    for problem in errors:
        errors_by_row[problem["row"]].append(problem)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Rows with errors")[:31])
    ws.column_dimensions["A"].width = 8
    _format_columns(ws, offset=1)
    ws.column_dimensions[get_column_letter(len(HEADERS) + 2)].width = 80
    ws.freeze_panes = "A2"
    ws.append(_header_cells(ws, [_("Row"), *HEADERS, _("Problems")]))
    if errors_by_row:
        _write_rows_with_errors(ws, errors_by_row, source, filename)
    sheet = wb.create_sheet(_("Warnings")[:31])
    for letter, width in zip("ABCD", (8, 16, 22, 100), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    sheet.append(_header_cells(sheet, [_("Row"), _("Column"), _("Code"), _("Message")]))
    for problem in warnings:
        values = [problem["row"], problem["column"], problem["code"], problem["message"]]
        sheet.append([_text_cell(sheet, v) for v in values])
    wb.save(target)


def problems_bytes(report: dict[str, Any], source: Source, filename: str) -> bytes:
    """The problems workbook of a report (``ImportReport.as_json()``) in memory."""
    buffer = io.BytesIO()
    problems_write(
        buffer,
        errors=report.get("errors", []),
        warnings=report.get("warnings", []),
        source=source,
        filename=filename,
    )
    return buffer.getvalue()


def _header_cells(ws: Any, headers: list[str]) -> list[WriteOnlyCell]:
    cells = []
    for header in headers:
        cell = WriteOnlyCell(ws, value=header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        cells.append(cell)
    return cells


def _text_cell(ws: Any, value: object) -> object:
    # A value starting with "=" would be written as a formula: uploaded and typed values stay text.
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        return cell
    return value


def _write_rows_with_errors(
    ws: Any, errors_by_row: dict[int, list[ProblemLike]], source: Source, filename: str
) -> None:
    wrap = Alignment(wrap_text=True, vertical="top")
    for number, cells in data_rows(read_table(source, filename)):
        problems = errors_by_row.get(number)
        if not problems:
            continue
        values = [_text_cell(ws, _cell(cells.get(c.key))) for c in COLUMNS]
        text = WriteOnlyCell(
            ws, value="\n".join(f"{p['column']}: {p['message']} [{p['code']}]" for p in problems)
        )
        text.data_type = "s"
        text.alignment = wrap
        ws.append([number, *values, text])


def _cell(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.date()
    return None if value == "" else value
