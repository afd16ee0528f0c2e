"""Memory of reading an upload: the largest allowed file and hostile ones, against an empty valid file.

    python bench/upload_bench.py [--rows 50000] [--keep DIR]

Each file is read in a fresh child process as the upload page and the importer read it (``read_table``, then
every row streamed through ``data_rows``), once for the peak growth of the resident set (which includes
python-calamine's native grid) and once under tracemalloc for the peak of Python's own allocations. The
figures are printed as ratios to the baseline, a valid file with the header row only, measured in the same
run. Each child's address space is capped at 4 GB above its start, so that a reader that lost its bounds
fails with a MemoryError instead of taking the machine down.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CAP = 4 * 1024**3


# --- the child process: one measurement -------------------------------------------------------------------


def _child(path: str, trace: bool) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.utils import translation

    from tunas.registry.importing import ImportFileError, data_rows, read_table

    status = Path("/proc/self/status").read_text().splitlines()
    vm = int(next(line for line in status if line.startswith("VmSize")).split()[1]) * 1024
    resource.setrlimit(resource.RLIMIT_AS, (vm + CAP, vm + CAP))
    if trace:
        import tracemalloc

        tracemalloc.start()
    start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    outcome, rows = "read", 0
    try:
        with translation.override("en"):
            rows = sum(1 for _ in data_rows(read_table(path)))
    except ImportFileError as exc:
        outcome = f"refused: {exc}"
    except MemoryError:
        outcome = "MemoryError (the cap was reached)"
    seconds = time.perf_counter() - started
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    heap = 0
    if trace:
        import tracemalloc

        heap = tracemalloc.get_traced_memory()[1]
    print(
        json.dumps(
            {
                "outcome": outcome,
                "rows": rows,
                "seconds": seconds,
                "rss": (peak_rss - start_rss) * 1024,
                "heap": heap,
            }
        )
    )


def _measure(path: Path, trace: bool) -> dict:
    result = subprocess.run(  # noqa: S603 - this script, on a file it wrote
        [sys.executable, __file__, "--child", str(path), *(["--trace"] if trace else [])],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return {
            "outcome": f"child died ({result.returncode}): {result.stderr[-300:]}",
            "seconds": 0,
            "rss": 0,
            "heap": 0,
        }
    return json.loads(lines[-1])


# --- the files ----------------------------------------------------------------------------------------------

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
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships '
    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook '
    'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Peserta" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships '
    'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


def _headers() -> list[str]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from tunas.registry.importing import HEADERS

    return list(HEADERS)


def _hand_made(
    path: Path, rows: bytes = b"", *, dimension: str = "", chunks: int = 0, chunk: bytes = b""
) -> Path:
    header = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>' for i, h in enumerate(_headers())
    )
    head = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet '
        'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + (f'<dimension ref="{dimension}"/>' if dimension else "")
        + f'<sheetData><row r="1">{header}</row>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(head.encode() + rows)
            for _ in range(chunks):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return path


def _template_file(path: Path, rows: int) -> Path:
    """``rows`` rows made from the template's columns, as openpyxl writes a filled template."""
    from openpyxl import Workbook

    headers = _headers()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Peserta")
    ws.append(headers)
    for i in range(rows):
        ws.append(
            [
                f"5105031205{80 + i % 20:02d}{i % 10000:04d}",
                f"51050301011{i % 100000:05d}",
                f"I Wayan Peserta {i}",
                "L",
                "Klungkung",
                "12-05-1980",
                f"Jl. Raya Besang No. {i % 300}",
                "5105031008",
                "Banjar Besang",
                f"0812 3456 {i % 10000:04d}",
                "Penganggur",
                None,
                "SMA",
                f"Kelompok {i // 20}",
                "Anggota",
            ][: len(headers)]
        )
    wb.save(path)
    return path


def _ods_repeated(path: Path) -> Path:
    headers = "".join(
        f'<table:table-cell office:value-type="string"><text:p>{h}</text:p></table:table-cell>'
        for h in _headers()
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
        f'<office:spreadsheet><table:table table:name="Peserta"><table:table-row>{headers}</table:table-row>'
        '<table:table-row table:number-rows-repeated="1048575"><table:table-cell office:value-type="float" '
        'office:value="1" table:number-columns-repeated="1024"><text:p>1</text:p></table:table-cell>'
        "</table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED
        )
        archive.writestr("content.xml", content)
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


def _files(folder: Path, rows: int) -> list[tuple[str, Path]]:
    bomb_row = b'<row><c t="inlineStr"><is><t>bom</t></is></c></row>'
    return [
        ("baseline: header only (.xlsx)", _hand_made(folder / "empty.xlsx")),
        (f"largest allowed: {rows:,} rows (.xlsx)", _template_file(folder / "largest.xlsx", rows)),
        (
            "one value at XFD1048576 (.xlsx)",
            _hand_made(folder / "xfd.xlsx", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'),
        ),
        ("declares A1:XFD1048576 (.xlsx)", _hand_made(folder / "dimension.xlsx", dimension="A1:XFD1048576")),
        (
            "one value at ZZ200000 (.xlsx)",
            _hand_made(folder / "zz.xlsx", b'<row r="200000"><c r="ZZ200000"><v>1</v></c></row>'),
        ),
        (
            "zip bomb: 150 MB of sheet XML (.xlsx)",
            _hand_made(folder / "bomb.xlsx", chunks=150, chunk=bomb_row * (1024 * 1024 // len(bomb_row))),
        ),
        ("a value repeated 1,048,575 × 1,024 (.ods)", _ods_repeated(folder / "repeated.ods")),
        (
            f"{rows + 10_000:,} rows, over the limit (.xlsx)",
            _template_file(folder / "over.xlsx", rows + 10_000),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=50_000, help="rows of the largest allowed file")
    parser.add_argument("--keep", help="write the files to this folder and keep them")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.trace)
        return
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(args.keep or temporary)
        folder.mkdir(parents=True, exist_ok=True)
        files = _files(folder, args.rows)
        mb = 1024 * 1024
        columns = f"{'size KB':>8} {'time s':>7} {'RSS MB':>7} {'×base':>6} {'heap MB':>8} {'×base':>6}"
        print(f"{'file':44} {columns}  outcome")
        base_rss = base_heap = 0.0
        for index, (label, path) in enumerate(files):
            plain, traced = _measure(path, False), _measure(path, True)
            rss, heap = plain["rss"] / mb, traced["heap"] / mb
            if index == 0:
                # A floor of 1 MB, so that a baseline near zero does not make every ratio huge.
                base_rss, base_heap = max(rss, 1.0), max(heap, 1.0)
            outcome = plain["outcome"] if plain["outcome"] != "read" else f"read {plain['rows']:,} rows"
            print(
                f"{label:44} {path.stat().st_size / 1024:8.0f} {plain['seconds']:7.2f} {rss:7.1f} "
                f"{rss / base_rss:6.1f} {heap:8.1f} {heap / base_heap:6.1f}  {outcome[:110]}"
            )
        print(
            "\nRSS MB: peak growth of the resident set while reading (python-calamine's grid is native"
            " memory);\nheap MB: peak of Python's allocations (tracemalloc, a second run); ×base: divided by"
            " the baseline's (at least 1 MB)."
        )


if __name__ == "__main__":
    main()
