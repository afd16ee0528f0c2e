"""Reading an uploaded participant file: xlsx, xlsm, xls and ods through python-calamine, and csv.

The participant sheet is the first visible worksheet with the template's header row near its top; the rows
below it are handed out one at a time, so a large file is never held twice.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import python_calamine
from django.utils.translation import gettext as _

from .columns import COLUMNS, map_headers

SPREADSHEET_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")
EXTENSIONS = (*SPREADSHEET_EXTENSIONS, ".csv")
HEADER_SEARCH_ROWS = 10

# A path, or a binary file object (an upload, an opened FileField).
Source = str | Path | IO[bytes]


class ImportFileError(Exception):
    """The file cannot be read as a participant list: not a spreadsheet, no header, or missing columns."""


@dataclass
class Table:
    """The participant sheet of a file: where each known column is, and the rows below the header."""

    columns: dict[str, int]
    rows: Iterator[tuple[int, list[Any]]]
    size: int


def source_name(source: object, filename: str = "") -> str:
    """The file's name: the one given, else the path or the file object's name."""
    return filename or str(getattr(source, "name", source))


def read_table(source: Source, filename: str = "") -> Table:
    """Opens an uploaded file and finds the participant sheet and its header row.

    ``source`` is a path or a binary file object; ``filename`` gives the type when ``source`` has no name.
    Raises ImportFileError with a sentence the user can act on.
    """
    suffix = Path(source_name(source, filename)).suffix.lower()
    if suffix and suffix not in EXTENSIONS:
        raise ImportFileError(
            _("Files of type %(type)s cannot be imported. Use the template (.xlsx), or .xls, .ods or .csv.")
            % {"type": suffix}
        )
    if suffix == ".csv":
        grid, lines = _csv_rows(source)
        return _table_from(grid, size=lines)
    sheets = _visible_sheets(source)
    for sheet in sheets:
        try:
            table = _table_from(sheet.iter_rows(), size=sheet.end[0] + 1 if sheet.end else 0)
        except ImportFileError:
            if sheet is sheets[-1]:
                raise
            continue
        return table
    raise ImportFileError(_("The file has no worksheet with data. Use the template."))


def _visible_sheets(source: Source) -> list[Any]:
    try:
        workbook = python_calamine.CalamineWorkbook.from_object(source)
        return [
            workbook.get_sheet_by_name(meta.name)
            for meta in workbook.sheets_metadata
            if meta.typ == python_calamine.SheetTypeEnum.WorkSheet
            and meta.visible == python_calamine.SheetVisibleEnum.Visible
        ]
    except (python_calamine.CalamineError, OSError, ValueError) as exc:
        raise ImportFileError(
            _(
                "The file cannot be read as a spreadsheet. Open it in a spreadsheet program, save it as "
                ".xlsx and try again."
            )
        ) from exc


def _csv_rows(source: Source) -> tuple[Iterator[list[str]], int]:
    raw = Path(source).read_bytes() if isinstance(source, str | Path) else source.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves CSV in the ANSI code page unless told otherwise.
        text = raw.decode("cp1252", errors="replace")
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), text.count("\n")


def _table_from(rows: Iterable[list[Any]], *, size: int) -> Table:
    iterator = iter(rows)
    for number, cells in enumerate(iterator, start=1):
        columns = map_headers(cells)
        if "nik" in columns and ("full_name" in columns or len(columns) >= 3):
            missing = [c.header for c in COLUMNS if c.required and c.key not in columns]
            if missing:
                raise ImportFileError(
                    _(
                        "The file lacks these columns: %(columns)s. "
                        "Use the template, or add the columns with these headers."
                    )
                    % {"columns": ", ".join(missing)}
                )
            header_row = number
            return Table(
                columns=columns,
                rows=((n, cells) for n, cells in enumerate(iterator, start=header_row + 1)),
                size=max(0, size - header_row),
            )
        if number >= HEADER_SEARCH_ROWS:
            break
    raise ImportFileError(
        _(
            "No header row with the template's columns (NIK, Nama, …) was found at the top of the sheet. "
            "Use the template."
        )
    )


def data_rows(table: Table) -> Iterator[tuple[int, dict[str, object]]]:
    """(row number, {column key: cell}) of every row below the header with something in a known column."""
    for number, cells in table.rows:
        values = {key: (cells[i] if i < len(cells) else "") for key, i in table.columns.items()}
        if any(v is not None and v != "" for v in values.values()):
            yield number, values
