"""Bounded uploads: hostile spreadsheets are refused before they are parsed, with a message naming the limit;
CSV files in the encodings and separators offices save them in are read.

The hostile files are built here with zipfile. Each is read in a child process whose address space is capped,
so that a guard that fails costs the child its life rather than the machine its memory.
"""

from __future__ import annotations

import codecs
import io
import multiprocessing
import resource
import struct
import time
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from tests.registry.test_import import participant, write_xlsx
from tunas.registry.importing import HEADERS, ImportFileError, data_rows, import_participants, read_table
from tunas.registry.importing.reading import csv_encoding
from tunas.registry.models import ImportJob

# --- files built by hand ------------------------------------------------------------------------------------

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Peserta" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/></Relationships>'
)
SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def _text(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


HEADER_ROW = '<row r="1">' + "".join(_text(f"{chr(65 + i)}1", h) for i, h in enumerate(HEADERS)) + "</row>"


def xlsx(path: Path, rows: str, *, dimension: str | None = None, sheet_chunks=None) -> Path:
    """A minimal workbook: one sheet ``Peserta`` with the template's header and the given row XML."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        head = SHEET_START + (f'<dimension ref="{dimension}"/>' if dimension else "") + "<sheetData>"
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write((head + HEADER_ROW + rows).encode())
            for chunk in sheet_chunks or ():
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return path


ODS_START = (
    '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    '<office:body><office:spreadsheet><table:table table:name="Peserta">'
)
ODS_END = "</table:table></office:spreadsheet></office:body></office:document-content>"


def _ods_text(value: str) -> str:
    return f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'


def ods(path: Path, rows: str) -> Path:
    header = "<table:table-row>" + "".join(_ods_text(h) for h in HEADERS) + "</table:table-row>"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED
        )
        archive.writestr(
            "content.xml", ODS_START + header + rows + ODS_END, compress_type=zipfile.ZIP_DEFLATED
        )
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
            '<manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
        )
    return path


# --- reading in a child with capped memory ------------------------------------------------------------------


def _child(path: str, connection) -> None:
    vm = next(
        line for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("VmSize")
    )
    cap = int(vm.split()[1]) * 1024 + 1536 * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    try:
        with translation.override("en"):
            table = read_table(path)
            sum(1 for _ in data_rows(table))
        connection.send(("read", ""))
    except ImportFileError as exc:
        connection.send(("refused", str(exc)))
    except MemoryError:
        connection.send(("memory", ""))


def refusal(path: Path, *, within: float = 20) -> str:
    """The message read_table refuses ``path`` with, read in a child limited to 1.5 GB more than it has."""
    context = multiprocessing.get_context("fork")
    ours, theirs = context.Pipe()
    child = context.Process(target=_child, args=(str(path), theirs))
    started = time.monotonic()
    child.start()
    try:
        assert ours.poll(within), f"no answer within {within} s"
        outcome, message = ours.recv()
    finally:
        child.join(5)
        if child.is_alive():
            child.kill()
    assert outcome == "refused", f"{outcome} after {time.monotonic() - started:.1f} s"
    return message


def refused(source, **kwargs) -> str:
    with translation.override("en"), pytest.raises(ImportFileError) as error:
        table = read_table(source, **kwargs)
        list(data_rows(table))
    return str(error.value)


# --- the hostile files of the finding ----------------------------------------------------------------------


def test_a_5_kb_sheet_with_a_value_at_xfd1048576_is_refused_before_it_is_parsed(tmp_path):
    path = xlsx(tmp_path / "xfd.xlsx", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    assert path.stat().st_size < 5000
    message = refusal(path)
    assert "1,048,576" in message and "50,000" in message and "Split the file" in message


def test_a_declared_dimension_of_xfd1048576_is_refused_from_the_start_of_the_sheet(tmp_path):
    path = xlsx(tmp_path / "dim.xlsx", "", dimension="A1:XFD1048576")
    assert refusal(path) == (
        "The sheet declares 1,048,576 rows; at most 50,000 can be imported at once. Split the file."
    )


def test_a_cell_at_zz200000_is_refused(tmp_path):
    path = xlsx(tmp_path / "zz.xlsx", '<row r="200000"><c r="ZZ200000"><v>1</v></c></row>')
    message = refusal(path)
    assert "200,000" in message and "50,000" in message


def test_a_zip_bomb_of_150_mb_of_xml_is_refused_from_its_declared_size(tmp_path):
    row = b'<row><c t="inlineStr"><is><t>bom</t></is></c></row>'
    chunk = row * (1024 * 1024 // len(row))
    path = xlsx(tmp_path / "bom.xlsx", "", sheet_chunks=[chunk] * 150)
    assert path.stat().st_size < 1024 * 1024
    started = time.monotonic()
    message = refusal(path)
    assert time.monotonic() - started < 10
    assert "at most 100 MB" in message


def test_a_part_that_unpacks_to_more_than_it_declares_is_refused_while_it_streams(tmp_path, settings):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 4 * 1024 * 1024
    filler = b"<x/>" * (1024 * 1024 // 4)
    path = xlsx(tmp_path / "lie.xlsx", "", sheet_chunks=[filler] * 8)
    # Rewrite the sheet's declared size (local header and central directory) to 1 KB.
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name.decode())
    local = info.header_offset
    assert data[local : local + 4] == b"PK\x03\x04"
    central = data.find(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(name)] != name:
        central = data.find(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, local + 22, 1024)
    struct.pack_into("<I", data, central + 24, 1024)
    path.write_bytes(bytes(data))
    assert "unpacks to more than 4 MB" in refused(path)


def test_an_ods_with_a_value_repeated_over_a_million_rows_is_refused(tmp_path):
    # python-calamine parses every sheet of an .ods when it opens it: 1,048,575 × 1,024 cells is 32 GB.
    rep = '<table:table-cell table:number-columns-repeated="1024" '
    value = (
        '<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>'
    )
    path = ods(
        tmp_path / "rep.ods",
        f'<table:table-row table:number-rows-repeated="1048575">{value.replace("<table:table-cell ", rep)}'
        "</table:table-row>",
    )
    message = refusal(path)
    assert "1,048,576" in message and "50,000" in message


def test_an_ods_with_styled_empty_columns_to_the_edge_is_read(tmp_path):
    cells = "".join(_ods_text(participant().get(h, "")) for h in HEADERS)
    path = ods(
        tmp_path / "ok.ods",
        f'<table:table-row>{cells}<table:table-cell table:number-columns-repeated="16000"/></table:table-row>'
        '<table:table-row table:number-rows-repeated="1048000">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>',
    )
    assert len(list(data_rows(read_table(path)))) == 1


# --- the limits, made small by settings --------------------------------------------------------------------


def test_a_sheet_reaching_past_the_row_limit_is_refused_when_opened(tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 5
    path = write_xlsx(tmp_path / "p.xlsx", [participant() for _ in range(20)])
    message = refused(path)
    assert "21" in message and "at most 5" in message


def test_rows_past_the_limit_stop_the_reading_at_the_limit_and_one(tmp_path, settings, program):
    settings.IMPORT_MAX_ROWS = 5
    path = write_xlsx(tmp_path / "p.xlsx", [participant() for _ in range(8)])
    with translation.override("en"), pytest.raises(ImportFileError, match="more than 5 rows"):
        import_participants(program=program, source=path, dry_run=True)


def test_a_file_of_exactly_the_row_limit_is_read(tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 5
    path = write_xlsx(tmp_path / "p.xlsx", [participant() for _ in range(5)])
    assert len(list(data_rows(read_table(path)))) == 5


def test_a_value_past_the_column_limit_is_refused_but_an_empty_styled_cell_is_not(tmp_path, settings):
    settings.IMPORT_MAX_COLUMNS = 20
    far = xlsx(tmp_path / "far.xlsx", '<row r="2"><c r="AD2"><v>1</v></c></row>')
    assert "column 30" in refused(far) and "at most 20" in refused(far)
    styled = xlsx(tmp_path / "styled.xlsx", '<row r="2"><c r="XFD2" s="1"/><c r="XFC2" s="1"></c></row>')
    read_table(styled)


def test_cells_without_a_reference_are_counted_in_place(tmp_path, settings):
    settings.IMPORT_MAX_COLUMNS = 20
    path = xlsx(tmp_path / "noref.xlsx", "<row>" + "<c><v>1</v></c>" * 25 + "</row>")
    assert "column 25" in refused(path)


def test_a_zip_of_too_many_parts_is_refused(tmp_path):
    path = tmp_path / "parts.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for i in range(10_001):
            archive.writestr(f"x/{i}", b"")
    assert "parts" in refused(path)


def test_a_csv_over_the_row_limit_is_refused_when_opened(tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 5
    path = tmp_path / "p.csv"
    path.write_text("NIK;Nama;Kelompok\n" + "".join(f"{i};Nama {i};K\n" for i in range(30)))
    assert "at most 5" in refused(path)


def test_the_upload_page_refuses_a_hostile_file_with_the_limit_named(as_officer, program, tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    path = xlsx(tmp_path / "xfd.xlsx", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    file = SimpleUploadedFile("xfd.xlsx", path.read_bytes())
    as_officer.cookies["tunas_language"] = "en"
    response = as_officer.post(reverse("registry:import_upload", args=[program.code]), {"file": file})
    assert "50,000" in str(response.context["form"].errors["file"])
    assert not ImportJob.objects.exists()


# --- CSV encodings and separators --------------------------------------------------------------------------

NAME = "Ni Luh Désy Ayu"


def _csv(rows: list[list[str]], delimiter: str) -> str:
    return "\r\n".join(delimiter.join(r) for r in rows) + "\r\n"


def _sheet(delimiter: str) -> str:
    row = participant(Nama=NAME)
    return _csv([list(HEADERS), [str(row.get(h) or "") for h in HEADERS]], delimiter)


@pytest.mark.parametrize(
    ("encoding", "delimiter", "expected"),
    [
        ("utf-8", ",", "utf-8"),
        ("utf-8-sig", ";", "utf-8-sig"),
        ("utf-16-le-bom", "\t", "utf-16"),
        ("utf-16-be-bom", "\t", "utf-16"),
        ("utf-16-le", "\t", "utf-16-le"),
        ("cp1252", ";", "cp1252"),
    ],
)
def test_a_csv_is_read_in_each_encoding_and_separator_offices_save(tmp_path, encoding, delimiter, expected):
    text = _sheet(delimiter)
    if encoding == "utf-16-le-bom":
        data = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    elif encoding == "utf-16-be-bom":
        data = codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    else:
        data = text.encode(encoding)
    path = tmp_path / "peserta.csv"
    path.write_bytes(data)
    assert csv_encoding(path) == expected
    rows = list(data_rows(read_table(path)))
    assert [values["full_name"] for _, values in rows] == [NAME]
    # A file object (an upload) reads the same.
    assert [v["full_name"] for _, v in data_rows(read_table(io.BytesIO(data), "peserta.csv"))] == [NAME]


def test_a_csv_with_bytes_no_windows_code_page_has_is_read_as_latin_1(tmp_path):
    path = tmp_path / "peserta.csv"
    path.write_bytes(_sheet(";").encode("cp1252") + b"\x81\n")
    assert csv_encoding(path) == "latin-1"
    assert [v["full_name"] for _, v in data_rows(read_table(path))][0] == NAME


def test_excels_unicode_text_is_accepted_by_the_upload_page(as_officer, program, tmp_path, settings):
    from tests.factories import GroupFactory

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    GroupFactory(program=program, name="Lontar Besang", village_id="51.05.03.1008")
    data = codecs.BOM_UTF16_LE + _sheet("\t").encode("utf-16-le")
    file = SimpleUploadedFile("peserta.csv", data, content_type="text/csv")
    response = as_officer.post(reverse("registry:import_upload", args=[program.code]), {"file": file})
    job = ImportJob.objects.get(program=program)
    assert response.status_code == 302
    assert (job.status, job.report["rows"], job.report["errors"]) == (ImportJob.Status.PREVIEWED, 1, [])


def test_a_binary_file_named_csv_is_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\x00\x01\x02\x03\xff" * 100)
    assert "not a .csv" in refused(path)


pytestmark = pytest.mark.django_db


# --- xls: BIFF8 in an OLE2 compound file, built by hand -----------------------------------------------------


def _record(kind: int, data: bytes) -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _label(row: int, column: int, text: str) -> bytes:
    return _record(0x0204, struct.pack("<HHHHB", row, column, 0x0F, len(text), 0) + text.encode("latin-1"))


def _number(row: int, column: int, value: float) -> bytes:
    return _record(0x0203, struct.pack("<HHHd", row, column, 0x0F, value))


def _biff(cells: list[bytes], rows: int, columns: int) -> bytes:
    def bof(kind: int) -> bytes:
        return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 0x06))

    name = b"Peserta"
    eof = _record(0x000A, b"")
    head = [bof(0x0005), _record(0x0042, struct.pack("<H", 1200))]
    sheet_at = sum(map(len, head)) + len(_record(0x0085, bytes(8) + name)) + len(eof)
    head += [_record(0x0085, struct.pack("<IBBBB", sheet_at, 0, 0, len(name), 0) + name), eof]
    dimensions = _record(0x0200, struct.pack("<IIHHH", 0, rows, 0, columns, 0))
    return b"".join([*head, bof(0x0010), dimensions, *cells, eof])


def _ole2(stream: bytes) -> bytes:
    """A version 3 compound file: header, one FAT sector, one directory sector, then the Workbook stream."""
    stream += bytes(max(0, 4096 - len(stream)))  # past the mini stream's cut-off
    sectors = -(-len(stream) // 512)
    fat = [0xFFFFFFFD, 0xFFFFFFFE] + [3 + i if i < sectors - 1 else 0xFFFFFFFE for i in range(sectors)]
    fat += [0xFFFFFFFF] * (128 - len(fat))

    def entry(name: str, kind: int, start: int, size: int, child: int = 0xFFFFFFFF) -> bytes:
        encoded = (name + "\x00").encode("utf-16-le") if name else b""
        return (
            encoded.ljust(64, b"\x00")
            + struct.pack("<HBBIII", len(encoded), kind, 1, 0xFFFFFFFF, 0xFFFFFFFF, child)
            + bytes(36)
            + struct.pack("<IQ", start, size)
        )

    directory = (
        entry("Root Entry", 5, 0xFFFFFFFE, 0, child=1)
        + entry("Workbook", 2, 2, len(stream))
        + entry("", 0, 0, 0) * 2
    )
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<9I", 0, 1, 1, 0, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
        + struct.pack("<109I", 0, *([0xFFFFFFFF] * 108))
    )
    return header + struct.pack("<128I", *fat) + directory + stream.ljust(sectors * 512, b"\x00")


def _xls(path: Path, cells: list[bytes], rows: int = 40, columns: int = 15) -> Path:
    header = [_label(0, i, h) for i, h in enumerate(HEADERS)]
    path.write_bytes(_ole2(_biff(header + cells, rows, columns)))
    return path


def test_an_xls_is_measured_and_read(tmp_path):
    cells = [
        c for r in range(1, 40) for c in (_label(r, 0, f"5105031205800{r:03d}"), _label(r, 2, f"Nama {r}"))
    ]
    rows = list(data_rows(read_table(_xls(tmp_path / "ok.xls", cells))))
    assert [v["full_name"] for _, v in rows][:2] == ["Nama 1", "Nama 2"]


def test_an_xls_with_a_value_in_its_last_cell_is_refused_before_calamine_parses_it(tmp_path):
    # python-calamine parses every sheet of an .xls when it opens it: 65,536 × 256 cells is half a gigabyte.
    path = _xls(tmp_path / "far.xls", [_number(65535, 255, 1.0)])
    message = refusal(path)
    assert "65,536" in message and "50,000" in message


def test_an_xls_declaring_the_whole_sheet_is_refused(tmp_path):
    assert "65,536" in refusal(_xls(tmp_path / "dim.xls", [], rows=65536, columns=256))
