"""Speed of the participant import: 10,000 rows (about 8 % bad) against 100,000 registered people.

    python bench/import_bench.py [--db sqlite|postgresql|both] [--rows N] [--people N] [--skip-import-export]

Each measurement runs in a fresh process on an identical copy of the seeded database (a copy of the SQLite
file; ``CREATE DATABASE … TEMPLATE`` on PostgreSQL), and reports wall time, peak memory growth (resident set
size, which includes the spreadsheet reader's native buffers) and the number of SQL statements:

* floor: the same file read with python-calamine and the rows the import accepts inserted with plain
  bulk_create, no checks and no history;
* tunas: the import as the command and the pages run it (checks, history, one transaction), also without
  history (``SIMPLE_HISTORY_ENABLED = False``) and as a dry run, to show what each part costs;
* django-import-export 4.4 with its defaults, and with ``use_bulk=True``.

PostgreSQL is reached at $BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres); the
benchmark creates and drops its own databases ``tunas_bench`` and ``tunas_bench_base``.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB, PG_BASE = "tunas_bench", "tunas_bench_base"
TARGETS = {
    "floor_ratio": 1.5,
    "vs_ie_default": 8.0,
    "vs_ie_bulk": 3.0,
    "memory_mb": 64.0,
    "rows_per_query": 50,
}
SCENARIOS = {
    "floor": "floor: calamine + plain bulk insert",
    "tunas": "tunas import",
    "tunas_no_history": "tunas import, history off",
    "tunas_dry_run": "tunas dry run (checks only)",
    "ie_default": "django-import-export, defaults",
    "ie_bulk": "django-import-export, use_bulk=True",
}


# --- the child process: one measurement -------------------------------------------------------------------


def _django(database_url: str) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY=os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        ALLOWED_HOSTS="localhost",
        LOG_LEVEL="WARNING",
    )
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import django

    django.setup()


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_seed(args) -> dict:
    _django(args.database_url)
    import import_fixture
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    import_fixture.seed(people=args.people, log=lambda text: print(text, file=sys.stderr))
    if not Path(args.file).exists():
        import_fixture.write_file(args.file, rows=args.rows)
    from tunas.programs.models import Program
    from tunas.registry.importing import import_participants

    report = import_participants(
        program=Program.objects.get(code=import_fixture.PROGRAM), source=args.file, dry_run=True
    )
    bad = sorted({p.row for p in report.errors if p.row is not None})
    from django.db import connections

    # Closing checkpoints SQLite's write-ahead log into the file the runs copy.
    connections.close_all()
    return {
        "seconds": time.perf_counter() - started,
        "rows": report.rows,
        "valid": report.valid,
        "bad_rows": bad,
        "codes": sorted({p.code for p in report.errors} | {p.code for p in report.warnings}),
    }


def child_measure(args) -> dict:
    _django(args.database_url)
    import gc

    import import_fixture
    from django.db import connection

    from tunas.accounts.models import User
    from tunas.programs.models import Program
    from tunas.registry.models import Membership

    program = Program.objects.select_related("office").get(code=import_fixture.PROGRAM)
    user = User.objects.get(username="bench")
    bad_rows = set(json.loads(Path(args.file + ".bad.json").read_text()))
    before = Membership.objects.filter(program=program).count()
    scenario = SCENARIO_FUNCTIONS[args.scenario]
    # Everything the scenarios import is loaded before the clock starts.
    import import_export_resource  # noqa: F401
    import python_calamine  # noqa: F401
    from import_export.formats import base_formats  # noqa: F401

    from tunas.registry import importing  # noqa: F401

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    gc.collect()
    if args.tracemalloc:
        # A separate run: tracing every allocation slows Python code down too much to time it as well.
        import tracemalloc

        tracemalloc.start()
        scenario(args.file, program, user, bad_rows)
        return {"heap_mb": tracemalloc.get_traced_memory()[1] / 2**20}
    rss_before = _rss_mb()
    with connection.execute_wrapper(count):
        started = time.perf_counter()
        detail = scenario(args.file, program, user, bad_rows)
        seconds = time.perf_counter() - started
    peak = _peak_rss_mb()
    created = Membership.objects.filter(program=program).count() - before
    return {
        "seconds": seconds,
        "queries": queries,
        "memory_mb": max(0.0, peak - rss_before),
        "created": created,
        **detail,
    }


def run_tunas(path, program, user, bad_rows, *, dry_run=False):
    from tunas.registry.importing import import_participants

    report = import_participants(program=program, source=path, dry_run=dry_run, by=user)
    return {"rows": report.rows, "valid": report.valid, "errors": len(report.errors)}


def run_tunas_no_history(path, program, user, bad_rows):
    from django.test import override_settings

    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        return run_tunas(path, program, user, bad_rows)


def run_tunas_dry(path, program, user, bad_rows):
    return run_tunas(path, program, user, bad_rows, dry_run=True)


def run_floor(path, program, user, bad_rows):
    """The least any import must do: read the file, convert the values, insert people and memberships."""
    people, members = _floor_rows(path, program, bad_rows)
    _floor_write(program, people, members)
    return {"rows": None, "valid": len(people), "errors": None}


def _floor_lookups(program) -> tuple[dict, dict, dict]:
    """Villages by name, hamlets by (village, name) and groups by name, each read in one query."""
    from tunas.regions.models import Hamlet, Village
    from tunas.registry.importing import word_key

    villages = {
        word_key(n): c
        for c, n in Village.objects.filter(code__startswith="51.05.").values_list("code", "name")
    }
    hamlets = {(v, word_key(n)): pk for v, n, pk in Hamlet.objects.values_list("village_id", "name", "pk")}
    groups = {word_key(n): pk for pk, n in program.groups.values_list("pk", "name")}
    return villages, hamlets, groups


def _floor_rows(path, program, bad_rows) -> tuple[list, list]:
    """The people and (group, role) pairs of the rows the import accepts, converted without any check."""
    import python_calamine

    from tunas.core.nik import normalize_nik
    from tunas.registry.importing import (
        category_choices,
        cell_text,
        map_headers,
        parse_date,
        parse_sex,
        parse_village,
        word_key,
    )
    from tunas.registry.models import Person, Role, name_key
    from tunas.registry.rules import normalize_phone

    sheet = python_calamine.CalamineWorkbook.from_path(path).get_sheet_by_index(0)
    rows = iter(sheet.iter_rows())
    columns = map_headers(next(rows))
    villages, hamlets, groups = _floor_lookups(program)
    categories = category_choices()
    roles = {"ketua": Role.CHAIR, "sekretaris": Role.SECRETARY, "bendahara": Role.TREASURER}
    people, members = [], []
    for number, cells in enumerate(rows, start=2):
        if number in bad_rows:
            continue
        v = {key: cells[i] for key, i in columns.items()}
        kind, village = parse_village(v["village"])
        village = village if kind == "code" else villages[village]
        hamlet = cell_text(v["hamlet"])
        name = cell_text(v["full_name"])
        birth = parse_date(v["birth_date"])
        assert birth is not None, "the rows the import accepts have a birth date"
        people.append(
            Person(
                nik=normalize_nik(v["nik"]),
                kk=normalize_nik(v["kk"]),
                full_name=name,
                name_key=name_key(name),
                sex=parse_sex(cell_text(v["sex"])) or "",
                birth_place=cell_text(v["birth_place"]),
                birth_date=birth,
                village_id=village,
                street=cell_text(v["street"]),
                hamlet_id=hamlets.get((village, word_key(hamlet.split(" ", 1)[-1]))) if hamlet else None,
                phone=normalize_phone(cell_text(v["phone"])) if v["phone"] else "",
                categories=[
                    categories.get(c)
                    for c in cell_text(v["categories"]).replace(";", ",").split(",")
                    if c.strip()
                ],
            )
        )
        members.append(
            (groups[word_key(cell_text(v["group"]))], roles.get(word_key(cell_text(v["role"])), Role.MEMBER))
        )
    return people, members


def _floor_write(program, people: list, members: list) -> None:
    from django.db import transaction

    from tunas.registry.importing import BATCH, full_sqlite_batches
    from tunas.registry.models import Membership, Person

    known: dict[str, int] = {}
    niks = [p.nik for p in people]
    for i in range(0, len(niks), BATCH):
        known.update(Person.objects.filter(nik__in=niks[i : i + BATCH]).values_list("nik", "pk"))
    with full_sqlite_batches(), transaction.atomic():
        Person.objects.bulk_create([p for p in people if p.nik not in known], batch_size=BATCH)
        Membership.objects.bulk_create(
            [
                Membership(program=program, group_id=g, person_id=known.get(p.nik) or p.pk, role=r)
                for p, (g, r) in zip(people, members, strict=True)
            ],
            batch_size=BATCH,
        )


def run_import_export(path, program, user, bad_rows, *, bulk=False):
    from import_export.formats.base_formats import XLSX
    from import_export_resource import BulkParticipantResource, ParticipantResource

    with open(path, "rb") as source:
        dataset = XLSX().create_dataset(source.read())
    resource = (BulkParticipantResource if bulk else ParticipantResource)(program=program, by=user)
    result = resource.import_data(dataset, dry_run=False, raise_errors=False)
    return {
        "rows": result.total_rows,
        "valid": None,
        "errors": len(result.invalid_rows) + len(result.row_errors()),
    }


def run_import_export_bulk(path, program, user, bad_rows):
    return run_import_export(path, program, user, bad_rows, bulk=True)


SCENARIO_FUNCTIONS = {
    "floor": run_floor,
    "tunas": run_tunas,
    "tunas_no_history": run_tunas_no_history,
    "tunas_dry_run": run_tunas_dry,
    "ie_default": run_import_export,
    "ie_bulk": run_import_export_bulk,
}


# --- the parent process: databases, runs, report ----------------------------------------------------------


def _child(mode: str, database_url: str, args, scenario: str = "", *, tracemalloc: bool = False) -> dict:
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        mode,
        "--database-url",
        database_url,
        "--file",
        args.file,
        "--rows",
        str(args.rows),
        "--people",
        str(args.people),
    ]
    if scenario:
        command += ["--scenario", scenario]
    if tracemalloc:
        command.append("--tracemalloc")
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)  # noqa: S603
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{mode} {scenario} failed on {database_url.split(':')[0]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


class SQLite:
    name = "SQLite"

    def __init__(self, workdir: Path):
        self.base = workdir / "base.sqlite3"
        self.run = workdir / "run.sqlite3"

    def seed_url(self) -> str:
        return f"sqlite:///{self.base}"

    def fresh_url(self) -> str:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.run}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(self.base, self.run)
        return f"sqlite:///{self.run}"

    def version(self) -> str:
        import sqlite3

        return sqlite3.sqlite_version

    def drop(self) -> None:
        pass


class PostgreSQL:
    name = "PostgreSQL"

    def __init__(self):
        import psycopg

        self.psycopg = psycopg
        self.admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
        self.server = PG_ADMIN_URL.rsplit("/", 1)[0]
        self.drop()
        self.admin.execute(f'CREATE DATABASE "{PG_BASE}"')

    def seed_url(self) -> str:
        return f"{self.server}/{PG_BASE}"

    def fresh_url(self) -> str:
        self.admin.execute(f'DROP DATABASE IF EXISTS "{PG_DB}"')
        self.admin.execute(f'CREATE DATABASE "{PG_DB}" TEMPLATE "{PG_BASE}"')
        return f"{self.server}/{PG_DB}"

    def version(self) -> str:
        row = self.admin.execute("SHOW server_version").fetchone()
        return str(row[0]) if row else "?"

    def drop(self) -> None:
        for name in (PG_DB, PG_BASE):
            self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _postgresql_or_none():
    try:
        return PostgreSQL()
    except Exception as exc:  # noqa: BLE001
        print(
            f"PostgreSQL skipped: cannot reach {PG_ADMIN_URL.rsplit('@', 1)[-1]} ({exc.__class__.__name__})."
        )
        return None


def bench_database(db, args) -> dict:
    print(f"\n== {db.name} {db.version()} ==")
    print(f"seeding {args.people:,} people and writing {args.rows:,} rows …", flush=True)
    seeded = _child("seed", db.seed_url(), args)
    Path(args.file + ".bad.json").write_text(json.dumps(seeded["bad_rows"]))
    print(
        f"seeded in {seeded['seconds']:.1f} s; the file has {seeded['rows']:,} rows, "
        f"{seeded['rows'] - seeded['valid']:,} with errors ({len(seeded['codes'])} different codes)"
    )
    results = {}
    names = [n for n in SCENARIOS if not (args.skip_import_export and n.startswith("ie_"))]
    for name in names:
        print(f"  {SCENARIOS[name]} …", end=" ", flush=True)
        # django-import-export takes minutes, so its runs are not repeated: load noise is small beside them.
        repeat = 1 if name.startswith("ie_") else args.repeat
        runs = [_child("measure", db.fresh_url(), args, name) for _ in range(repeat)]
        best = min(runs, key=lambda r: r["seconds"])
        best["memory_mb"] = max(r["memory_mb"] for r in runs)
        if name in ("floor", "tunas"):
            best["heap_mb"] = _child("measure", db.fresh_url(), args, name, tracemalloc=True)["heap_mb"]
        results[name] = best
        print(", ".join(f"{r['seconds']:.2f}" for r in runs), "s")
    db.drop()
    _print_table(db.name, args.rows, results)
    return results


def _print_table(name: str, rows: int, results: dict) -> None:
    floor = results["floor"]["seconds"]
    print(f"\n{name}: {rows:,} rows")
    print(
        f"{'':38} {'time s':>7} {'×floor':>7} {'RSS MB':>7} {'heap MB':>7} {'queries':>8} {'rows/q':>7} "
        f"{'created':>8}"
    )
    for key, r in results.items():
        per_query = rows / r["queries"] if r["queries"] else float("inf")
        heap = f"{r['heap_mb']:7.1f}" if "heap_mb" in r else f"{'':7}"
        ratio = r["seconds"] / floor
        print(
            f"{SCENARIOS[key]:38} {r['seconds']:7.2f} {ratio:7.2f} {r['memory_mb']:7.1f} {heap} "
            f"{r['queries']:8,} {per_query:7.0f} {r['created']:8,}"
        )
    print(
        "RSS MB: peak growth of the resident set (includes SQLite's own memory in the process);"
        " heap MB: peak Python allocations (tracemalloc, a separate run)."
    )
    cost = results["tunas"]["seconds"] - results["tunas_no_history"]["seconds"]
    # Near zero the difference is smaller than the spread between runs, and may come out negative.
    print(
        f"history rows (simple-history's tables, written by INSERT … SELECT) cost {cost:+.2f} s of the import"
    )
    for text, value, unit, ok in _target_checks(rows, results):
        print(f"  {'PASS' if ok else 'MISS'}  {text}: {value:.1f} {unit}")


def _target_checks(rows: int, results: dict) -> list[tuple[str, float, str, bool]]:
    """Each target of TARGETS: what it says, the value measured, its unit, and whether it is met."""
    floor = results["floor"]["seconds"]
    tunas = results["tunas"]
    checks = [
        (
            f"tunas within {TARGETS['floor_ratio']}× of the floor",
            tunas["seconds"] / floor,
            "×",
            tunas["seconds"] / floor <= TARGETS["floor_ratio"],
        ),
        (
            f"peak memory growth under {TARGETS['memory_mb']:.0f} MB (Python heap)",
            tunas["heap_mb"],
            "MB",
            tunas["heap_mb"] < TARGETS["memory_mb"],
        ),
        (
            f"peak memory growth under {TARGETS['memory_mb']:.0f} MB (resident set)",
            tunas["memory_mb"],
            "MB",
            tunas["memory_mb"] < TARGETS["memory_mb"],
        ),
        (
            f"at most one query per {TARGETS['rows_per_query']} rows",
            rows / tunas["queries"],
            "rows/query",
            rows / tunas["queries"] >= TARGETS["rows_per_query"],
        ),
    ]
    for key, target, label in (
        ("ie_default", "vs_ie_default", "defaults"),
        ("ie_bulk", "vs_ie_bulk", "use_bulk"),
    ):
        if key in results:
            speedup = results[key]["seconds"] / tunas["seconds"]
            checks.append(
                (
                    f"at least {TARGETS[target]:.0f}× faster than import-export {label}",
                    speedup,
                    "×",
                    speedup >= TARGETS[target],
                )
            )
    return checks


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--skip-import-export", action="store_true", help="Only the floor and Tunas.")
    parser.add_argument("--repeat", type=int, default=1, help="Runs per scenario; the fastest counts.")
    parser.add_argument("--tracemalloc", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--child", choices=["seed", "measure"], help=argparse.SUPPRESS)
    parser.add_argument("--scenario", choices=list(SCENARIOS), help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        result = child_seed(args) if args.child == "seed" else child_measure(args)
        print(json.dumps(result))
        return 0

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tunas-bench-") as workdir:
        args.file = str(Path(workdir) / "peserta.xlsx")
        databases = []
        if args.db in ("sqlite", "both"):
            databases.append(SQLite(Path(workdir)))
        if args.db in ("postgresql", "both") and (pg := _postgresql_or_none()):
            databases.append(pg)
        for db in databases:
            try:
                bench_database(db, args)
            finally:
                db.drop()
    print(f"\nbenchmark finished in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
