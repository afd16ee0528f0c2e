"""Memory and time of writing a big XLSX export: the write-only writer against the in-memory workbook.

    python bench/export_bench.py [--sizes 5000,50000] [--repeat N]

Writes member-like rows (21 columns: names, masked NIKs, dates, Rupiah amounts, counts) with
``renderers.write_xlsx_file`` (openpyxl write-only mode, into a temporary file, as the background exports do)
and with ``renderers.xlsx_bytes`` (the whole workbook in memory, as the exports answered in the request do).
Each measurement runs in a fresh process and reports:

* time s: wall time of the write (the fastest of ``--repeat`` runs, without tracing);
* heap MB: peak Python allocations during the write (tracemalloc, in a separate run: tracing slows Python);
* RSS MB: peak growth of the process's resident set during the untraced runs;

each also as a ratio (×) against the write-only writer's 5,000-row figure of the same run, so that the
numbers compare across machines. Linear time means ×10 at 50,000 rows; flat memory means ×1.
Other arguments (``make bench`` passes ``--db`` to every benchmark) are ignored.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WRITERS = {"write_only": "write_xlsx_file (write-only)", "in_memory": "xlsx_bytes (in memory)"}


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _columns() -> list:
    from tunas.reports.renderers import Column

    return [
        Column("program", "Programme", width=18),
        Column("group", "Group", width=28),
        Column("role", "Role in the group", width=14),
        Column("nik", "NIK", width=20),
        Column("kk", "Family card number (KK)", width=20),
        Column("full_name", "Full name", width=28),
        Column("sex", "Sex", width=12),
        Column("birth_place", "Place of birth", width=16),
        Column("birth_date", "Date of birth", kind="date", width=14),
        Column("district", "District", width=18),
        Column("village", "Village", width=22),
        Column("hamlet", "Hamlet", width=20),
        Column("education", "Education", width=18),
        Column("disability", "Disability", width=16),
        Column("categories", "Target categories", width=36),
        Column("employment_before", "Work before the programme", width=20),
        Column("income_before", "Monthly income before", kind="rupiah", width=18),
        Column("members", "Members of the group", kind="int"),
        Column("share", "Attendance", kind="percent"),
        Column("verification", "Verification", width=18),
        Column("verified_at", "Decided on", kind="date", width=14),
    ]


def _rows(n: int) -> Iterator[dict]:
    """Member-like rows made on the fly, as the report's iterator yields them."""
    start = dt.date(1970, 1, 1)
    for i in range(n):
        yield {
            "program": "KLK-WUB-2026",
            "group": f"Kelompok Usaha {i // 10:05d}",
            "role": "Anggota" if i % 10 else "Ketua",
            "nik": f"••••••••••••{i % 10000:04d}",
            "kk": f"••••••••••••{(i * 7) % 10000:04d}",
            "full_name": f"I Made Peserta Nomor {i}",
            "sex": "Laki-laki" if i % 2 else "Perempuan",
            "birth_place": "Semarapura",
            "birth_date": start + dt.timedelta(days=(i * 37) % 15000),
            "district": "Klungkung",
            "village": f"Desa {i % 59}",
            "hamlet": f"Banjar {i % 13}",
            "education": "SMA/SMK",
            "disability": "",
            "categories": "Penganggur, Perempuan kepala keluarga" if i % 3 else "Penganggur",
            "employment_before": "Tidak bekerja",
            "income_before": 500_000 + (i % 40) * 25_000,
            "members": 10,
            "share": (i % 100) / 100,
            "verification": "Terverifikasi",
            "verified_at": dt.date(2026, 3, 1) + dt.timedelta(days=i % 30),
        }


def _write(writer: str, n: int) -> int:
    """One write; returns the file's size in bytes."""
    from tunas.reports.renderers import write_xlsx_file, xlsx_bytes

    columns = _columns()
    if writer == "write_only":
        with tempfile.TemporaryFile() as out:
            write_xlsx_file(out, "Peserta", columns, _rows(n))
            return out.tell()
    return len(xlsx_bytes([("Peserta", columns, _rows(n))]))


def _rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(writer: str, n: int, repeat: int) -> dict:
    _setup()
    _write(writer, 100)  # imports and first-use caches outside the measurement
    gc.collect()
    rss_before = _rss_mb()
    times = []
    size = 0
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        size = _write(writer, n)
        times.append(time.perf_counter() - started)
    rss_peak = _rss_mb() - rss_before
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    _write(writer, n)
    heap_peak = tracemalloc.get_traced_memory()[1] / (1024 * 1024)
    tracemalloc.stop()
    return {"time_s": min(times), "heap_mb": heap_peak, "rss_mb": rss_peak, "size_mb": size / (1024 * 1024)}


def measure(writer: str, n: int, repeat: int) -> dict:
    done = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--child", writer, str(n), "--repeat", str(repeat)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5000,50000", help="row counts, comma-separated")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--child", nargs=2, metavar=("WRITER", "ROWS"), help=argparse.SUPPRESS)
    args, _unknown = parser.parse_known_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]), args.repeat)))
        return 0

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    results: dict[tuple[str, int], dict] = {}
    for writer in WRITERS:
        for n in sizes:
            print(f"  measuring {WRITERS[writer]}, {n:,} rows …", file=sys.stderr, flush=True)
            results[writer, n] = measure(writer, n, args.repeat)
    base = results["write_only", sizes[0]]
    out = io.StringIO()
    out.write(f"XLSX export, 21 columns; baseline (×1) = write-only writer at {sizes[0]:,} rows\n")
    header = f"{'writer':<30} {'rows':>7} {'time s':>8} {'×time':>7} {'heap MB':>8} {'×heap':>7}"
    header += f" {'RSS MB':>7} {'file MB':>8}"
    out.write(header + "\n" + "-" * len(header) + "\n")
    for (writer, n), r in results.items():
        out.write(
            f"{WRITERS[writer]:<30} {n:>7,} {r['time_s']:>8.2f} {r['time_s'] / base['time_s']:>6.1f}×"
            f" {r['heap_mb']:>8.1f} {r['heap_mb'] / base['heap_mb']:>6.1f}× {r['rss_mb']:>7.1f}"
            f" {r['size_mb']:>8.1f}\n"
        )
    big = sizes[-1]
    if ("in_memory", big) in results:
        wo, im = results["write_only", big], results["in_memory", big]
        out.write(
            f"\nat {big:,} rows the write-only writer takes {wo['heap_mb'] / im['heap_mb']:.1%} of the "
            f"in-memory workbook's heap and {wo['time_s'] / im['time_s']:.2f}× its time\n"
        )
    print(out.getvalue(), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
