"""Reading an uploaded participant file: xlsx, xlsm, xls and ods through python-calamine, and csv.

The participant sheet is the first visible worksheet with the template's header row near its top; the rows
below it are handed out one at a time, so a large file is never held twice.

**Bounded reading.** python-calamine builds a dense grid from the first to the last cell with a value (about
32 bytes a cell): one value at ``XFD1048576`` in a 5 KB file asks for 512 GB, and a zip of a few megabytes
can unpack to gigabytes of XML. So before a sheet is parsed, the file is measured cheaply (limits.py):

- xlsx, xlsm, ods: the zip's entries (how many, and their declared sizes, each and together); then every
  part is unpacked as a stream, at most the limit, which also catches sizes that lie; the sheet's declared
  ``<dimension>`` and the position of its last cell with a value are read from the stream of its XML;
- xls: the file's size, then the cell records of the workbook stream inside the OLE2 container;
- csv: its encoding and the rows, counted while streaming.

Each refusal is an ImportFileError that names the limit. Rows are then streamed: the importer reads at most
the row limit and one more.
"""

from __future__ import annotations

import codecs
import copy
import csv
import html
import io
import re
import struct
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import unescape

import python_calamine
from django.utils.translation import gettext as _

from tunas.core.formatting import number

from . import limits
from .columns import map_headers, missing_headers

SPREADSHEET_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")
EXTENSIONS = (*SPREADSHEET_EXTENSIONS, ".csv")
HEADER_SEARCH_ROWS = 10
ZIP_MAGIC = b"PK\x03\x04"
# The key under which an .ods's extents say that they are an .ods's.
ODS_SHEETS = "\x00ods"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Parts a real workbook has (sheets, styles, pictures) are counted in tens; a zip's directory of many more
# costs memory to list before anything is read.
MAX_ZIP_ENTRIES = 10_000
# workbook.xml and its relationships: read whole to name the sheets.
MAX_INDEX_BYTES = 4 * 1024 * 1024
CHUNK = 1024 * 1024
# No tag of a sheet's XML is this long; a stream that never closes its tag is not a sheet.
MAX_TAG_BYTES = 1024 * 1024

# A path, or a binary file object (an upload, an opened FileField).
Source = str | Path | IO[bytes]


class ImportFileError(Exception):
    """The file cannot be read as a participant list: not a spreadsheet, no header, missing columns, or larger
    than an import may be."""


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
    Raises ImportFileError with a sentence the user can act on, also when the file is larger than the
    limits of an import (before its sheets are parsed).
    """
    suffix = Path(source_name(source, filename)).suffix.lower()
    if suffix and suffix not in EXTENSIONS:
        raise ImportFileError(
            _("Files of type %(type)s cannot be imported. Use the template (.xlsx), or .xls, .ods or .csv.")
            % {"type": suffix}
        )
    if suffix == ".csv":
        return _csv_table(source)
    head = _head(source, len(OLE2_MAGIC))
    if head.startswith(ZIP_MAGIC):
        extents = _zip_extents(source)
    elif head.startswith(OLE2_MAGIC):
        extents = _xls_extents(source)
    else:
        raise _unreadable()
    if head.startswith(OLE2_MAGIC) or ODS_SHEETS in extents:
        # python-calamine parses every sheet of an .xls or .ods when it opens the file: all are checked.
        for extent in extents.values():
            _check_extent(extent)
    workbook, names = _visible_sheets(source)
    for name in names:
        _check_extent(extents.get(name) or _largest(extents))
        try:
            sheet = workbook.get_sheet_by_name(name)
        except (python_calamine.CalamineError, ValueError) as exc:
            raise _unreadable() from exc
        try:
            table = _table_from(sheet.iter_rows(), size=sheet.end[0] + 1 if sheet.end else 0)
        except ImportFileError:
            if name == names[-1]:
                raise
            continue
        return table
    raise ImportFileError(_("The file has no worksheet with data. Use the template."))


def _unreadable() -> ImportFileError:
    return ImportFileError(
        _(
            "The file cannot be read as a spreadsheet. Open it in a spreadsheet program, save it as "
            ".xlsx and try again."
        )
    )


def _visible_sheets(source: Source) -> tuple[Any, list[str]]:
    """The workbook and the names of its visible worksheets; a sheet is parsed only when it is asked for."""
    _rewind(source)
    try:
        workbook = python_calamine.CalamineWorkbook.from_object(source)
        return workbook, [
            meta.name
            for meta in workbook.sheets_metadata
            if meta.typ == python_calamine.SheetTypeEnum.WorkSheet
            and meta.visible == python_calamine.SheetVisibleEnum.Visible
        ]
    except (python_calamine.CalamineError, OSError, ValueError) as exc:
        raise _unreadable() from exc


def _table_from(rows: Iterable[list[Any]], *, size: int) -> Table:
    iterator = iter(rows)
    for number_, cells in enumerate(iterator, start=1):
        columns = map_headers(cells)
        if "nik" in columns and ("full_name" in columns or len(columns) >= 3):
            missing = missing_headers(columns)
            if missing:
                raise ImportFileError(
                    _(
                        "The file lacks these columns: %(columns)s. "
                        "Use the template, or add the columns with these headers."
                    )
                    % {"columns": ", ".join(missing)}
                )
            header_row = number_
            return Table(
                columns=columns,
                rows=_bounded(iterator, first=header_row + 1),
                size=max(0, size - header_row),
            )
        if number_ >= HEADER_SEARCH_ROWS:
            break
    raise ImportFileError(
        _(
            "No header row with the template's columns (NIK, Nama, …) was found at the top of the sheet. "
            "Use the template."
        )
    )


def _bounded(rows: Iterator[list[Any]], *, first: int) -> Iterator[tuple[int, list[Any]]]:
    """The rows below the header, numbered; one row with a value past the limit stops the reading."""
    limit = limits.max_rows()
    filled = 0
    for n, cells in enumerate(rows, start=first):
        if any(c is not None and c != "" for c in cells):
            filled += 1
            if filled > limit:
                raise _too_many_rows(limit)
        yield n, cells


def _too_many_rows(limit: int) -> ImportFileError:
    return ImportFileError(
        _("The file has more than %(limit)s rows; at most %(limit)s can be imported at once. Split the file.")
        % {"limit": number(limit)}
    )


def data_rows(table: Table) -> Iterator[tuple[int, dict[str, object]]]:
    """(row number, {column key: cell}) of every row below the header with something in a known column."""
    for number_, cells in table.rows:
        values = {key: (cells[i] if i < len(cells) else "") for key, i in table.columns.items()}
        if any(v is not None and v != "" for v in values.values()):
            yield number_, values


# --- the source -------------------------------------------------------------------------------------------


def _rewind(source: Source) -> None:
    if not isinstance(source, str | Path):
        source.seek(0)


def _head(source: Source, size: int) -> bytes:
    if isinstance(source, str | Path):
        with open(source, "rb") as file:
            return file.read(size)
    source.seek(0)
    head = source.read(size)
    source.seek(0)
    return head


def _size_of(source: Source) -> int:
    if isinstance(source, str | Path):
        return Path(source).stat().st_size
    source.seek(0, io.SEEK_END)
    size = source.tell()
    source.seek(0)
    return size


# --- limits of a sheet --------------------------------------------------------------------------------------


@dataclass
class _Extent:
    """How far a sheet reaches: as its XML declares it, and to its last cell with a value (1-based)."""

    rows: int = 0
    columns: int = 0
    declared_rows: int = 0
    declared_columns: int = 0
    # The scan stopped at the first piece over a limit: the sheet may reach further.
    partial: bool = False


def _largest(extents: dict[str, _Extent]) -> _Extent:
    """A sheet that could not be matched to its part is held to the largest part found."""
    return _Extent(
        rows=max((e.rows for e in extents.values()), default=0),
        columns=max((e.columns for e in extents.values()), default=0),
        declared_rows=max((e.declared_rows for e in extents.values()), default=0),
        declared_columns=max((e.declared_columns for e in extents.values()), default=0),
    )


def _row_limit() -> int:
    # The header and a few title rows above it come on top of the data rows.
    return limits.max_rows() + HEADER_SEARCH_ROWS


def _check_extent(extent: _Extent) -> None:
    row_limit, column_limit = _row_limit(), limits.max_columns()
    if extent.declared_rows > row_limit:
        raise ImportFileError(
            _("The sheet declares %(rows)s rows; at most %(limit)s can be imported at once. Split the file.")
            % {"rows": number(extent.declared_rows), "limit": number(limits.max_rows())}
        )
    if extent.declared_columns > column_limit:
        raise ImportFileError(
            _(
                "The sheet declares %(columns)s columns; at most %(limit)s can be read. Delete the columns "
                "that are not in the template."
            )
            % {"columns": number(extent.declared_columns), "limit": number(column_limit)}
        )
    if extent.rows > row_limit and extent.partial:
        raise ImportFileError(
            _(
                "The sheet has values beyond row %(rows)s; at most %(limit)s rows can be imported at once. "
                "Split the file, and delete anything typed far below the participants."
            )
            % {"rows": number(row_limit), "limit": number(limits.max_rows())}
        )
    if extent.rows > row_limit:
        raise ImportFileError(
            _(
                "The sheet has values down to row %(rows)s; at most %(limit)s rows can be imported at once. "
                "Split the file, and delete anything typed far below the participants."
            )
            % {"rows": number(extent.rows), "limit": number(limits.max_rows())}
        )
    if extent.columns > column_limit:
        raise ImportFileError(
            _(
                "The sheet has values in column %(columns)s; at most %(limit)s columns can be read. Delete "
                "the columns that are not in the template, and anything typed far to the right."
            )
            % {"columns": number(extent.columns), "limit": number(column_limit)}
        )


def _over(extent: _Extent) -> bool:
    rows, columns = _row_limit(), limits.max_columns()
    return (
        max(extent.rows, extent.declared_rows) > rows
        or max(extent.columns, extent.declared_columns) > columns
    )


def _too_large_unpacked(size: int) -> ImportFileError:
    mb = 1024 * 1024
    return ImportFileError(
        _(
            "The file unpacks to more than %(size)s MB; at most %(limit)s MB can be read. Split the file, "
            "or delete other sheets and pictures."
        )
        % {"size": number(max(1, size // mb)), "limit": number(limits.max_uncompressed_bytes() // mb)}
    )


def _column_number(letters: str) -> int:
    value = 0
    for letter in letters.upper():
        value = value * 26 + ord(letter) - 64
    return value


_REF = re.compile(r"\$?([A-Za-z]{1,4})\$?(\d{1,9})")


def _parse_ref(ref: str) -> tuple[int, int]:
    """(row, column) of ``XFD1048576``; (0, 0) when unreadable."""
    match = _REF.fullmatch(ref.strip())
    if not match:
        return 0, 0
    return int(match.group(2)), _column_number(match.group(1))


# --- xlsx, xlsm, ods: a zip of XML -------------------------------------------------------------------------


def _zip_entry_count(source: Source) -> int:
    """The entry count of the zip's end record, read before zipfile lists (and allocates) every entry."""
    size = _size_of(source)
    tail_size = min(size, 22 + 65535)
    if isinstance(source, str | Path):
        with open(source, "rb") as file:
            file.seek(size - tail_size)
            tail = file.read(tail_size)
    else:
        source.seek(size - tail_size)
        tail = source.read(tail_size)
        source.seek(0)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        raise _unreadable()
    entries, directory_size = struct.unpack_from("<HI", tail, at + 10)
    if entries == 0xFFFF or directory_size == 0xFFFFFFFF:
        # Zip64: only a file of more than 65,535 parts or 4 GB needs it.
        return MAX_ZIP_ENTRIES + 1
    return max(int(entries), int(directory_size) // 46)


def _zip_extents(source: Source) -> dict[str, _Extent]:
    """Checks a zipped workbook's sizes and measures its sheets, by sheet name ('' for unnamed parts)."""
    if _zip_entry_count(source) > MAX_ZIP_ENTRIES:
        raise ImportFileError(
            _("The file holds more than %(limit)s parts. Save the participants alone in a new file.")
            % {"limit": number(MAX_ZIP_ENTRIES)}
        )
    _rewind(source)
    try:
        with zipfile.ZipFile(source) as archive:
            infos = archive.infolist()
            limit = limits.max_uncompressed_bytes()
            declared = sum(info.file_size for info in infos)
            if declared > limit or any(info.file_size > limit for info in infos):
                raise _too_large_unpacked(declared)
            names = {info.filename for info in infos}
            if "content.xml" in names and "xl/workbook.xml" not in names:
                return _ods_extents(archive, infos)
            return _xlsx_extents(archive, infos)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as exc:
        # NotImplementedError: a compression method the zip module lacks (nor does a real workbook use it).
        raise _unreadable() from exc
    except (ValueError, RuntimeError) as exc:
        # RuntimeError: an encrypted entry.
        raise _unreadable() from exc
    finally:
        _rewind(source)


class _Unpacked:
    """Unpacks the parts of one zip as streams and counts what they really unpack to, against the limit.

    The sizes in a zip's directory are declarations: a part is read with its declared size raised to the
    limit, so that one that unpacks to more than it declared is found (and refused) before it is parsed.
    """

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self.total = 0
        self.limit = limits.max_uncompressed_bytes()

    def chunks(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        measured = copy.copy(info)
        measured.file_size = self.limit + 1
        read = 0
        with self.archive.open(measured) as part:
            while chunk := part.read(CHUNK):
                read += len(chunk)
                self.total += len(chunk)
                if self.total > self.limit:
                    raise _too_large_unpacked(self.total)
                yield chunk
        if read != info.file_size:
            # The part is not the size it declares: a damaged file, or one built to mislead a reader.
            raise _unreadable()

    def read(self, info: zipfile.ZipInfo, limit: int = MAX_INDEX_BYTES) -> bytes:
        if info.file_size > limit:
            raise _unreadable()
        return b"".join(self.chunks(info))

    def drain(self, info: zipfile.ZipInfo) -> None:
        for _chunk in self.chunks(info):
            pass


_SHEET_TAG = re.compile(rb"<(?:[\w.-]+:)?sheet(?=[\s/>])([^>]*)>")
_RELATIONSHIP_TAG = re.compile(rb"<(?:[\w.-]+:)?Relationship(?=[\s/>])([^>]*)>")


def _attribute(attributes: bytes, name: bytes) -> str:
    found = re.search(rb"(?:^|\s)" + name + rb"""\s*=\s*(?:"([^"]*)"|'([^']*)')""", attributes)
    if not found:
        return ""
    return html.unescape((found.group(1) or found.group(2) or b"").decode("utf-8", "replace"))


def _xlsx_sheet_parts(archive: zipfile.ZipFile, unpacked: _Unpacked) -> dict[str, str]:
    """{part name: sheet name} from xl/workbook.xml and its relationships.

    Read with patterns rather than an XML parser: these parts come from the uploader, and a pattern expands
    no entity.
    """
    try:
        workbook = unpacked.read(archive.getinfo("xl/workbook.xml"))
        rels = unpacked.read(archive.getinfo("xl/_rels/workbook.xml.rels"))
    except KeyError:
        return {}
    targets: dict[str, str] = {}
    for match in _RELATIONSHIP_TAG.finditer(rels):
        target = _attribute(match.group(1), b"Target")
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        targets[_attribute(match.group(1), b"Id")] = _normal_part(part)
    parts: dict[str, str] = {}
    for match in _SHEET_TAG.finditer(workbook):
        sheet_part = targets.get(_attribute(match.group(1), rb"[\w.-]+:id"))
        if sheet_part:
            parts[sheet_part] = _attribute(match.group(1), b"name")
    return parts


def _normal_part(part: str) -> str:
    out: list[str] = []
    for piece in part.split("/"):
        if piece == "..":
            if out:
                out.pop()
        elif piece not in ("", "."):
            out.append(piece)
    return "/".join(out)


def _xlsx_extents(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> dict[str, _Extent]:
    unpacked = _Unpacked(archive)
    parts = _xlsx_sheet_parts(archive, unpacked)
    extents: dict[str, _Extent] = {}
    for info in infos:
        if info.filename in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels") or info.is_dir():
            continue
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
            extent = _scan_xml(unpacked.chunks(info), _xlsx_tokens, _Scan()).extent
            name = parts.get(info.filename, info.filename)
            extents[name] = extent
            if name not in parts.values():
                # A sheet the index does not name is still a sheet calamine may open under some name.
                extents[""] = _largest({"": extents.get("", _Extent()), name: extent})
        else:
            unpacked.drain(info)
    return extents


# A tag of the parts that place cells: the name is what matters, the attributes are read when needed.
_XLSX_TAG = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?(row|c|dimension)(?=[\s/>])([^>]*?)(/?)>(\s*</(?:[A-Za-z_][\w.-]*:)?c>)?"
)
_ATTR_R = re.compile(rb"""(?:^|\s)r\s*=\s*["']([^"']*)["']""")
_ATTR_REF = re.compile(rb"""(?:^|\s)ref\s*=\s*["']([^"']*)["']""")
_CELL_REF = re.compile(rb"([A-Za-z]{1,4})(\d{0,9})")
# The quick way, for cells that carry their reference (as every common writer's do): a cell with content,
# found by the literal its pattern starts with.
_FILLED_CELL = re.compile(rb' r="([A-Za-z]{1,4})(\d{1,9})"[^>]*(?<!/)>(?!</c>)')
_DIMENSION_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension(?=[\s/>])([^>]*?)/?>")


class _Scan:
    """Where a stream of sheet XML has got to, and how far its cells with a value reach."""

    def __init__(self) -> None:
        self.extent = _Extent()
        self.row = 0
        self.column = 0
        self.columns: dict[bytes, int] = {}
        self.sheets: dict[str, _Extent] = {}
        self.repeat = 1
        self.filled = False
        self.cell_by_cell = False


def _xlsx_tokens(scan: _Scan, text: bytes) -> None:
    """Measures a piece of a worksheet's XML: with patterns over the whole piece while every cell names its
    place (``<c r="B7">``), else tag by tag, counting the places of the cells that do not."""
    if not scan.cell_by_cell:
        cells = text.count(b"<c ") + text.count(b"<c>")
        if cells == text.count(b' r="') - text.count(b'<row r="'):
            extent = scan.extent
            if b"dimension" in text:
                dimension = _DIMENSION_TAG.search(text)
                if dimension:
                    _xlsx_cells(scan, dimension.group(0))
            filled = _FILLED_CELL.findall(text)
            if filled:
                extent.rows = max(extent.rows, max(map(int, [cell[1] for cell in filled])))
                letters = {cell[0] for cell in filled}
                extent.columns = max(extent.columns, *(_column_number(c.decode()) for c in letters))
            # Where the last row starts, in case a later piece must be read tag by tag.
            rows = text.rfind(b"<row")
            if rows >= 0:
                _xlsx_cells(scan, text[rows:])
            return
    scan.cell_by_cell = True
    _xlsx_cells(scan, text)


def _xlsx_cells(scan: _Scan, text: bytes) -> None:
    extent = scan.extent
    for match in _XLSX_TAG.finditer(text):
        tag, attributes = match.group(1), match.group(2)
        if tag == b"c":
            ref = _ATTR_R.search(attributes)
            if ref:
                cell = _CELL_REF.fullmatch(ref.group(1))
                if cell is None:
                    raise _unreadable()
                letters, digits = cell.groups()
                column = scan.columns.get(letters)
                if column is None:
                    column = scan.columns[letters] = _column_number(letters.decode())
                scan.column = column
                row = int(digits) if digits else scan.row
            else:
                scan.column += 1
                row = scan.row
            # An empty cell (<c r="Z9" s="1"/>, a style only) is no value: calamine leaves it out.
            if not match.group(3) and not match.group(4):
                if row > extent.rows:
                    extent.rows = row
                if scan.column > extent.columns:
                    extent.columns = scan.column
        elif tag == b"row":
            ref = _ATTR_R.search(attributes)
            scan.row = int(ref.group(1)) if ref and ref.group(1).isdigit() else scan.row + 1
            scan.column = 0
        else:
            ref = _ATTR_REF.search(attributes)
            if ref:
                last = ref.group(1).decode("ascii", "replace").split(":")[-1]
                extent.declared_rows, extent.declared_columns = _parse_ref(last)


def _scan_xml(chunks: Iterator[bytes], tokens: Callable[[_Scan, bytes], None], scan: _Scan) -> _Scan:
    """Measures a sheet's XML as it streams by, tag by tag, and stops as soon as a sheet is over a limit."""
    tail = b""
    for chunk in chunks:
        text = tail + chunk
        last_open, last_close = text.rfind(b"<"), text.rfind(b">")
        # A tag cut by the chunk's end waits for the next chunk.
        cut = len(text) if last_close > last_open else last_open
        tokens(scan, text[:cut])
        tail = text[cut:]
        if len(tail) > MAX_TAG_BYTES:
            raise _unreadable()
        if _over(scan.extent) or any(_over(e) for e in scan.sheets.values()):
            if next(chunks, None) is not None:
                for extent in (scan.extent, *scan.sheets.values()):
                    extent.partial = True
            return scan
    tokens(scan, tail)
    return scan


_ODS_TAG = re.compile(
    rb"<(/?)(?:[A-Za-z_][\w.-]*:)?(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*?)(/?)>"
)
_ATTR_ROWS_REPEATED = re.compile(rb"""number-rows-repeated\s*=\s*["'](\d+)["']""")
_ATTR_COLUMNS_REPEATED = re.compile(rb"""number-columns-repeated\s*=\s*["'](\d+)["']""")
_ATTR_NAME = re.compile(rb"""(?:^|\s)(?:[\w.-]+:)?name\s*=\s*["']([^"']*)["']""")
_ATTR_VALUE_TYPE = re.compile(rb"value-type\s*=")


def _ods_tokens(scan: _Scan, text: bytes) -> None:
    for match in _ODS_TAG.finditer(text):
        closing, tag, attributes, empty = match.groups()
        if tag == b"table":
            if closing:
                continue
            found = _ATTR_NAME.search(attributes)
            name = found.group(1).decode("utf-8", "replace") if found else ""
            scan.extent = _Extent()
            scan.sheets[unescape(name, {"&quot;": '"', "&apos;": "'"})] = scan.extent
            scan.row = 0
        elif tag == b"table-row":
            if closing or empty:
                if scan.filled and scan.row + scan.repeat > scan.extent.rows:
                    scan.extent.rows = scan.row + scan.repeat
                scan.row += scan.repeat if closing else _repeat(_ATTR_ROWS_REPEATED, attributes)
                scan.filled = False
                scan.repeat = 1
            else:
                scan.repeat = _repeat(_ATTR_ROWS_REPEATED, attributes)
                scan.column = 0
                scan.filled = False
        elif not closing:
            span = _repeat(_ATTR_COLUMNS_REPEATED, attributes)
            # A cell with no content and no value type is empty (a style over many repeated columns).
            if not empty or _ATTR_VALUE_TYPE.search(attributes):
                scan.filled = True
                if scan.column + span > scan.extent.columns:
                    scan.extent.columns = scan.column + span
            scan.column += span


def _repeat(pattern: re.Pattern[bytes], attributes: bytes) -> int:
    found = pattern.search(attributes)
    return max(1, int(found.group(1))) if found else 1


def _ods_extents(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> dict[str, _Extent]:
    unpacked = _Unpacked(archive)
    scan = _Scan()
    for info in infos:
        if info.filename == "content.xml":
            _scan_xml(unpacked.chunks(info), _ods_tokens, scan)
        elif not info.is_dir():
            unpacked.drain(info)
    return {ODS_SHEETS: _Extent(), **scan.sheets}


# --- xls: BIFF8 records in an OLE2 compound file ----------------------------------------------------------

_FREE, _END_OF_CHAIN = 0xFFFFFFFF, 0xFFFFFFFE
# Records that place a value in a cell (row and column first); blanks carry a style only.
_CELL_RECORDS = {0x0006, 0x00BD, 0x00D6, 0x00FD, 0x0203, 0x0204, 0x0205, 0x027E, 0x0406}
_BOF, _EOF, _BOUNDSHEET, _DIMENSIONS, _MULRK = 0x0809, 0x000A, 0x0085, 0x0200, 0x00BD


def _xls_extents(source: Source) -> dict[str, _Extent]:
    """Measures the sheets of an .xls from its cell records, before calamine parses them all into grids."""
    size = _size_of(source)
    if size > limits.max_uncompressed_bytes():
        raise _too_large_unpacked(size)
    if isinstance(source, str | Path):
        data = Path(source).read_bytes()
    else:
        data = source.read()
        source.seek(0)
    try:
        stream = _ole_stream(data, ("Workbook", "Book"))
    except (struct.error, IndexError, ValueError) as exc:
        raise _unreadable() from exc
    if stream is None:
        raise _unreadable()
    return _biff_extents(stream)


def _ole_stream(data: bytes, names: tuple[str, ...]) -> bytes | None:
    """One stream of an OLE2 compound file (MS-CFB), by name; None when it has none of ``names``."""
    sector_size = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    mini_size = 1 << struct.unpack_from("<H", data, 0x20)[0]
    if sector_size not in (512, 4096) or mini_size != 64:
        raise ValueError("not a compound file")
    fat_count, directory_start = struct.unpack_from("<II", data, 0x2C)
    cutoff, mini_fat_start, _mini_fat_count, difat_start, difat_count = struct.unpack_from(
        "<IIIII", data, 0x38
    )
    sectors = max(0, (len(data) - sector_size) // sector_size)

    def sector(n: int) -> bytes:
        if n >= sectors:
            raise ValueError("sector out of the file")
        return data[(n + 1) * sector_size : (n + 2) * sector_size]

    difat = list(struct.unpack_from("<109I", data, 0x4C))
    next_difat = difat_start
    for _step in range(min(difat_count, sectors)):
        if next_difat in (_FREE, _END_OF_CHAIN):
            break
        pointers = struct.unpack(f"<{sector_size // 4}I", sector(next_difat))
        difat.extend(pointers[:-1])
        next_difat = pointers[-1]
    fat: list[int] = []
    for n in difat[: min(fat_count, sectors)]:
        if n not in (_FREE, _END_OF_CHAIN):
            fat.extend(struct.unpack(f"<{sector_size // 4}I", sector(n)))

    def chain(start: int, table: list[int]) -> Iterator[int]:
        n, steps = start, 0
        while n not in (_FREE, _END_OF_CHAIN):
            if n >= len(table) or steps > len(table):
                raise ValueError("broken chain")
            yield n
            n, steps = table[n], steps + 1

    directory = b"".join(sector(n) for n in chain(directory_start, fat))
    entries = [directory[i : i + 128] for i in range(0, len(directory) - 127, 128)]
    if not entries:
        return None
    root = entries[0]
    wanted = None
    for entry in entries:
        length = struct.unpack_from("<H", entry, 64)[0]
        name = entry[: max(0, length - 2)].decode("utf-16-le", "replace")
        if entry[66] == 2 and name in names:
            wanted = entry
            break
    if wanted is None:
        return None
    start, stream_size = struct.unpack_from("<IQ", wanted, 116)
    if sector_size == 512:
        # Version 3 files leave the high half of the size undefined.
        stream_size &= 0xFFFFFFFF
    if stream_size >= cutoff:
        return b"".join(sector(n) for n in chain(start, fat))[:stream_size]
    mini_stream = b"".join(sector(n) for n in chain(struct.unpack_from("<I", root, 116)[0], fat))
    mini_fat: list[int] = []
    for n in chain(mini_fat_start, fat):
        mini_fat.extend(struct.unpack(f"<{sector_size // 4}I", sector(n)))
    stream = b"".join(mini_stream[n * mini_size : (n + 1) * mini_size] for n in chain(start, mini_fat))
    return stream[:stream_size]


def _biff_extents(stream: bytes) -> dict[str, _Extent]:
    names_at: dict[int, str] = {}
    extents: dict[str, _Extent] = {}
    extent = _Extent()
    position, end = 0, len(stream)
    while position + 4 <= end:
        kind, size = struct.unpack_from("<HH", stream, position)
        body = position + 4
        if kind == _BOF:
            extent = _Extent()
            extents[names_at.get(position, f"#{position}")] = extent
        elif kind == _BOUNDSHEET and size >= 8:
            offset = struct.unpack_from("<I", stream, body)[0]
            length, wide = stream[body + 6], stream[body + 7] & 1
            raw = stream[body + 8 : body + 8 + length * (2 if wide else 1)]
            names_at[offset] = raw.decode("utf-16-le" if wide else "latin-1", "replace")
        elif kind == _DIMENSIONS and size >= 14:
            _first_row, last_row, _first_col, last_col = struct.unpack_from("<IIHH", stream, body)
            extent.declared_rows, extent.declared_columns = last_row, last_col
        elif kind in _CELL_RECORDS and size >= 4:
            row, column = struct.unpack_from("<HH", stream, body)
            if kind == _MULRK and size >= 6:
                column = struct.unpack_from("<H", stream, body + size - 2)[0]
            extent.rows = max(extent.rows, row + 1)
            extent.columns = max(extent.columns, column + 1)
        position = body + size
    return extents


# --- csv ----------------------------------------------------------------------------------------------------

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_DELIMITERS = ";,\t"


class _Unclosing(io.RawIOBase):
    """A binary source seen as a raw stream that a text wrapper may close without closing the source."""

    def __init__(self, source: IO[bytes]):
        self.source = source

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.source.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _binary_chunks(source: Source) -> Iterator[bytes]:
    if isinstance(source, str | Path):
        with open(source, "rb") as file:
            while chunk := file.read(CHUNK):
                yield chunk
        return
    source.seek(0)
    while chunk := source.read(CHUNK):
        yield chunk


def csv_encoding(source: Source) -> str:
    """The encoding a CSV was saved in: UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text"), else the
    Windows code page Excel uses for "CSV" (cp1252), else latin-1, which reads any byte."""
    head = _head(source, 4096)
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    if b"\x00" in head:
        # UTF-16 without its mark: every other byte of Latin text is zero.
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if odd > len(head) // 4 and even == 0:
            return "utf-16-le"
        if even > len(head) // 4 and odd == 0:
            return "utf-16-be"
        raise ImportFileError(
            _("The file's content is not a %(type)s spreadsheet. Save it again from a spreadsheet program.")
            % {"type": ".csv"}
        )
    for encoding in ("utf-8", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for chunk in _binary_chunks(source):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"


def _csv_lines(source: Source, encoding: str) -> Iterator[str]:
    if isinstance(source, str | Path):
        with open(source, encoding=encoding, errors="replace", newline="") as file:
            yield from file
        return
    source.seek(0)
    text = io.TextIOWrapper(
        io.BufferedReader(_Unclosing(source), CHUNK), encoding=encoding, errors="replace", newline=""
    )
    yield from text


def _csv_delimiter(source: Source, encoding: str) -> str:
    """Comma, semicolon (what Excel writes where the decimal mark is a comma, as in Indonesia) or tab: the
    one that splits the busiest of the first lines most."""
    best, best_count = ";", 0
    for index, line in enumerate(_csv_lines(source, encoding)):
        for delimiter in _DELIMITERS:
            count = line.count(delimiter)
            if count > best_count:
                best, best_count = delimiter, count
        if index + 1 >= HEADER_SEARCH_ROWS:
            break
    return best


def _csv_records(source: Source, encoding: str, delimiter: str) -> Iterator[list[str]]:
    reader = csv.reader(_csv_lines(source, encoding), delimiter=delimiter)
    column_limit = limits.max_columns()
    try:
        for record in reader:
            if len(record) > column_limit and any(record[column_limit:]):
                raise ImportFileError(
                    _(
                        "A row of the file has values in column %(columns)s; at most %(limit)s columns can "
                        "be read. Delete the columns that are not in the template."
                    )
                    % {
                        "columns": number(max(i for i, v in enumerate(record) if v) + 1),
                        "limit": number(column_limit),
                    }
                )
            yield record
    except csv.Error as exc:
        raise ImportFileError(
            _("The file cannot be read as CSV (%(error)s). Save it again from a spreadsheet program.")
            % {"error": exc}
        ) from exc


def _csv_table(source: Source) -> Table:
    encoding = csv_encoding(source)
    delimiter = _csv_delimiter(source, encoding)
    # A first pass counts the rows, so that a file over the limit is refused before it is checked.
    filled = 0
    for record in _csv_records(source, encoding, delimiter):
        if any(record):
            filled += 1
            if filled > _row_limit():
                raise _too_many_rows(limits.max_rows())
    return _table_from(_csv_records(source, encoding, delimiter), size=filled)
