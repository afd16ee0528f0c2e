"""Workbooks the import hands out: a programme's participant template, and the rows with problems.

Both use the template's columns, so a problems file can be corrected and uploaded again as it is.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from tunas.core.choices import TARGET_CATEGORY_ID_LABELS
from tunas.regions.models import Village
from tunas.regions.selectors import within_q

from .importing import COLUMNS, HEADERS, ROLE_WORDS, data_rows, read_table
from .models import Disability, Education, GroupStatus

HEADER_FILL = PatternFill("solid", fgColor="D7ECDF")
REQUIRED_FILL = PatternFill("solid", fgColor="F6E7B5")
TEXT_COLUMNS = ("nik", "kk", "phone")
# Rows that carry the drop-down lists; a programme's file is far smaller.
VALIDATED_ROWS = 5000
# Beyond this (a national office) a drop-down of villages is no help; codes are typed instead.
MAX_VILLAGES_LISTED = 10_000
DATE_FORMAT = "DD-MM-YYYY"


def _as_text(cell) -> None:
    # openpyxl stores a string starting with "=" as a formula; uploaded and typed values must stay text.
    if isinstance(cell.value, str) and cell.value.startswith("="):
        cell.data_type = "s"


def _letter(key: str) -> str:
    return get_column_letter([c.key for c in COLUMNS].index(key) + 1)


def _write_header(ws, headers, *, required: set[str] = frozenset()) -> None:
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = REQUIRED_FILL if cell.value in required else HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    ws.freeze_panes = "A2"


def _format_columns(ws, offset: int = 0) -> None:
    for index, column in enumerate(COLUMNS, start=1 + offset):
        dimension = ws.column_dimensions[get_column_letter(index)]
        dimension.width = {
            "nik": 20,
            "kk": 20,
            "full_name": 28,
            "street": 30,
            "village": 34,
            "categories": 30,
            "group": 26,
        }.get(column.key, 16)
        if column.key in TEXT_COLUMNS:
            # Text, so that Excel keeps all 16 digits and the leading 0 of phone numbers.
            dimension.number_format = "@"
        elif column.key == "birth_date":
            dimension.number_format = DATE_FORMAT


def template_workbook(program) -> Workbook:
    """The participant template of a programme, with drop-down lists drawn from its data."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Participants")[:31]
    _write_header(ws, HEADERS, required={c.header for c in COLUMNS if c.required})
    _format_columns(ws)

    lists = wb.create_sheet(_("Lists")[:31])
    lists.sheet_state = "hidden"
    allowed = set(program.categories_allowed)
    villages = Village.objects.filter(within_q(program.office.region_code)).select_related("district")
    village_items = (
        [f"{v.code} {v.name} ({v.district.name})" for v in villages.order_by("code")]
        if villages.count() <= MAX_VILLAGES_LISTED
        else []
    )
    values = {
        "sex": ["L", "P"],
        "categories": [label for key, label in TARGET_CATEGORY_ID_LABELS.items() if key in allowed],
        "village": village_items,
        "group": list(
            program.groups.exclude(status=GroupStatus.DISSOLVED)
            .order_by("name")
            .values_list("name", flat=True)
        ),
        "role": list(ROLE_WORDS),
        "disability": [str(label) for key, label in Disability.choices if key],
        "education": [str(label) for _key, label in Education.choices],
    }
    strict = {"sex", "role"}
    list_sheet = quote_sheetname(lists.title)
    for index, (key, items) in enumerate(values.items(), start=1):
        list_letter = get_column_letter(index)
        lists.cell(row=1, column=index, value=COLUMNS[[c.key for c in COLUMNS].index(key)].header)
        for row, item in enumerate(items, start=2):
            _as_text(lists.cell(row=row, column=index, value=item))
        if not items:
            continue
        validation = DataValidation(
            type="list",
            formula1=f"{list_sheet}!${list_letter}$2:${list_letter}${len(items) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="stop" if key in strict else "warning",
            error=_("Choose a value from the list."),
            errorTitle=_("Value not in the list"),
        )
        if key == "categories":
            validation.error = _("Choose from the list; several categories may be separated by commas.")
        letter = _letter(key)
        validation.add(f"{letter}2:{letter}{VALIDATED_ROWS}")
        ws.add_data_validation(validation)

    _instructions(wb.create_sheet(_("Instructions")[:31]), program)
    return wb


def _instructions(ws, program) -> None:
    notes = {
        "nik": _("16 digits, as on the ID card. The column is formatted as text: keep it so."),
        "kk": _("16 digits of the family card (optional)."),
        "full_name": _("Full name as on the ID card."),
        "sex": _("L (male) or P (female)."),
        "birth_place": _("Place of birth (optional)."),
        "birth_date": _("For example 17-08-1980, 17/08/1980, 1980-08-17 or 17 Agustus 1980."),
        "street": _("Street address (optional)."),
        "village": _(
            "The village code (5105031008 or 51.05.03.1008), a line of the list, or the village name."
        ),
        "hamlet": _("Banjar or dusun (optional). A new name is added to the village's list."),
        "phone": _("For example 0812 3456 7890 (optional)."),
        "categories": _("One or more target categories from the list, separated by commas."),
        "disability": _("Empty when the person has no disability."),
        "education": _("Highest education completed (optional)."),
        "group": _("The name of a group already registered in the programme."),
        "role": _("Ketua, Sekretaris, Bendahara or Anggota; empty means Anggota."),
    }
    _write_header(ws, [_("Column"), _("Required"), _("What to write")])
    for column in COLUMNS:
        ws.append([column.header, _("Yes") if column.required else _("No"), notes[column.key]])
    ws.append([])
    ws.append([_("Programme"), program.code, program.name])
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 12
    ws.column_dimensions["C"].width = 90


def template_bytes(program) -> bytes:
    buffer = io.BytesIO()
    template_workbook(program).save(buffer)
    return buffer.getvalue()


def problems_bytes(report: dict, source, filename: str) -> bytes:
    """The rows with errors, as uploaded, with their problems beside; warnings on a second sheet."""
    errors_by_row: dict[int, list[dict]] = defaultdict(list)
    for problem in report.get("errors", []):
        errors_by_row[problem["row"]].append(problem)

    wb = Workbook()
    ws = wb.active
    ws.title = _("Rows with errors")[:31]
    _write_header(ws, [_("Row"), *HEADERS, _("Problems")])
    ws.column_dimensions["A"].width = 8
    _format_columns(ws, offset=1)
    problems_letter = get_column_letter(len(HEADERS) + 2)
    ws.column_dimensions[problems_letter].width = 80
    if errors_by_row:
        for number, cells in data_rows(read_table(source, filename)):
            problems = errors_by_row.get(number)
            if not problems:
                continue
            values = [_cell(cells.get(c.key)) for c in COLUMNS]
            text = "\n".join(f"{p['column']}: {p['message']} [{p['code']}]" for p in problems)
            ws.append([number, *values, text])
            for cell in ws[ws.max_row]:
                _as_text(cell)
            ws.cell(row=ws.max_row, column=len(HEADERS) + 2).alignment = Alignment(
                wrap_text=True, vertical="top"
            )

    warnings = wb.create_sheet(_("Warnings")[:31])
    _write_header(warnings, [_("Row"), _("Column"), _("Code"), _("Message")])
    for problem in report.get("warnings", []):
        warnings.append([problem["row"], problem["column"], problem["code"], problem["message"]])
    for letter, width in zip("ABCD", (8, 16, 22, 100), strict=True):
        warnings.column_dimensions[letter].width = width

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _cell(value):
    if isinstance(value, dt.datetime):
        return value.date()
    return None if value == "" else value
