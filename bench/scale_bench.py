"""Speed of the registry's pages at national size: the same pages at a small and a large registry.

    python bench/scale_bench.py [--db postgresql|sqlite|both] [--small N] [--large N] [--quick] [--repeat 3]

For each database and size, a fresh database is migrated, given the region list and seeded with
``manage.py seed_scale`` (tunas.demo.scale); then, in a fresh process, django.test.Client signs in as the
seeded officers of a regency, of its province and of the nation and measures each page: one warm-up, then the
median of ``--repeat`` runs, with the number of SQL statements of one run. Pages: /healthz (the floor every
other figure is divided by), the home page, the member list (page 1, a page half-way through, a search for
"Made"), the group list, a closed programme's participants tab, the verification queue, a group page and a
member page. The targets (issue 13): every page at the large size within 2× of the small one, the deep page
within 1.2× of page 1.

Sizes: 10,000 and 1,000,000 people on PostgreSQL, 10,000 and 100,000 on SQLite (``--small``/``--large``
change both); ``--quick`` is 1,000 against 5,000, for a check that everything runs. PostgreSQL is reached at
$BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres); the benchmark creates and drops
its own database, ``tunas_scale`` or the name in $BENCH_POSTGRES_DB (so that two runs on one server do not
drop each other's).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = os.environ.get("BENCH_POSTGRES_DB") or "tunas_scale"
SIZES = {"postgresql": (10_000, 1_000_000), "sqlite": (10_000, 100_000)}
QUICK = (1_000, 5_000)
TARGET_FLAT = 2.0
TARGET_DEEP = 1.2
OFFICERS = ("regency", "province", "national")
PAGES = [
    ("healthz", "/healthz"),
    ("home", "/"),
    ("members", "/peserta/"),
    ("members, deep page", "/peserta/ deep"),
    ("members ?q=Made", "/peserta/?q=Made"),
    ("groups", "/kelompok/"),
    ("closed programme, participants", "programme tab"),
    ("verification queue", "/verifikasi/"),
    ("a group", "group page"),
    ("a member", "member page"),
]


# --- the child processes ------------------------------------------------------------------------------------


def _django(database_url: str) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url,
        DEBUG="0",
        SECRET_KEY=os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver,localhost",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def child_seed(args) -> dict:
    _django(args.database_url)
    from django.core.management import call_command

    from tunas.demo import scale

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_regions", verbosity=0)
    prepared = time.perf_counter() - started
    report = scale.seed_scale(people=args.people, log=lambda text: print(text, file=sys.stderr))
    return {
        "prepare_seconds": prepared,
        "seconds": report.seconds,
        "phases": report.phases,
        "people": report.people,
        "memberships": report.memberships,
        "groups": report.groups,
        "programmes": report.programmes,
        "regency": report.regency,
        "province": report.province,
    }


def _deep_url(user) -> str:
    """A page of the member list half-way through, in its default (name) order."""
    from tunas.registry import selectors

    # The list's default order (registry.selectors.MEMBER_SORTS["name"]): the copy of the name.
    qs = selectors.membership_list_visible(user=user).order_by("person_name", "pk")
    total = qs.count()
    try:
        from tunas.core.pagination import encode_cursor
    except ImportError:
        return f"/peserta/?page={max(1, total // 25 // 2)}"
    row = qs.values_list("person_name", "pk")[total // 2 : total // 2 + 1]
    values = list(row[0]) if row else []
    return f"/peserta/?after={encode_cursor(values)}" if values else "/peserta/"


def _urls(user) -> dict[str, str]:
    """The URL of each page for this officer: the records picked are inside their jurisdiction."""
    from django.db.models import Count

    from tunas.programs.models import Program, Stage
    from tunas.registry import selectors
    from tunas.registry.models import Group, Membership

    scope = selectors.registry_scope_q(user)
    closed = (
        Program.objects.filter(pk__in=Group.objects.filter(scope).values("program"), status=Stage.CLOSED)
        .annotate(n=Count("memberships"))
        .order_by("-n", "code")
        .first()
    )
    group = Group.objects.filter(scope).order_by("-program__fiscal_year", "pk").first()
    member = Membership.objects.filter(scope).order_by("-pk").first()
    urls = dict(PAGES)
    urls["members, deep page"] = _deep_url(user)
    urls["closed programme, participants"] = f"/program/{closed.code}/?tab=participants" if closed else ""
    urls["a group"] = f"/kelompok/{group.pk}/" if group else ""
    urls["a member"] = f"/peserta/{member.pk}/" if member else ""
    return urls


def _measure(client, url: str, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if not url:
        return {"error": "nothing to show"}
    try:
        response = client.get(url)  # warm-up
        if response.status_code != 200:
            return {"error": f"HTTP {response.status_code}", "url": url}
        runs = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(url)
            runs.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
    except Exception as exc:  # noqa: BLE001 - a broken page is reported, the others still measured
        return {"error": f"{exc.__class__.__name__}: {str(exc)[:60]}", "url": url}
    return {"ms": statistics.median(runs), "queries": len(queries), "url": url}


def child_measure(args) -> dict:
    _django(args.database_url)
    from django.test import Client, override_settings

    from tunas.accounts.models import User
    from tunas.demo.scale import USERNAMES

    results: dict[str, dict] = {}
    # The pages link the files collectstatic writes; the benchmark measures the pages, not the manifest.
    plain = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=plain):
        for officer in OFFICERS:
            user = User.objects.get(username=USERNAMES[officer])
            client = Client()
            client.force_login(user)
            urls = _urls(user)
            results[officer] = {name: _measure(client, urls[name], args.repeat) for name, _ in PAGES}
    return results


# --- the parent: databases, runs, tables --------------------------------------------------------------------


def _child(mode: str, database_url: str, args, people: int = 0) -> dict:
    command = [sys.executable, __file__, "--child", mode, "--database-url", database_url]
    command += ["--people", str(people), "--repeat", str(args.repeat)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)  # noqa: S603
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise RuntimeError(f"{mode} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


class SQLite:
    name = "SQLite"
    key = "sqlite"

    def __init__(self, workdir: Path):
        self.workdir = workdir

    def fresh_url(self, people: int) -> str:
        path = self.workdir / f"scale-{people}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"

    def version(self) -> str:
        import sqlite3

        return sqlite3.sqlite_version

    def drop(self) -> None:
        pass


class PostgreSQL:
    name = "PostgreSQL"
    key = "postgresql"

    def __init__(self):
        import psycopg

        self.admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
        self.server = PG_ADMIN_URL.rsplit("/", 1)[0]

    def fresh_url(self, people: int) -> str:
        self.drop()
        self.admin.execute(f'CREATE DATABASE "{PG_DB}"')
        return f"{self.server}/{PG_DB}"

    def version(self) -> str:
        row = self.admin.execute("SHOW server_version").fetchone()
        return str(row[0]) if row else "?"

    def drop(self) -> None:
        self.admin.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')


def _postgresql_or_none():
    try:
        return PostgreSQL()
    except Exception as exc:  # noqa: BLE001
        print(
            f"PostgreSQL skipped: cannot reach {PG_ADMIN_URL.rsplit('@', 1)[-1]} ({exc.__class__.__name__})."
        )
        return None


def _cell(result: dict, floor: float | None) -> str:
    if "error" in result:
        return f"{result['error'][:24]:>24}"
    times = f"{result['ms'] / floor:6.0f}×" if floor else f"{'':7}"
    return f"{result['ms']:8.1f} {times} {result['queries']:5}"


def _print_size(db, people: int, seeded: dict, results: dict) -> None:
    phases = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in seeded["phases"].items())
    print(
        f"\n{db.name}: {seeded['people']:,} people, {seeded['memberships']:,} memberships, "
        f"{seeded['groups']:,} groups, {seeded['programmes']:,} programmes "
        f"(regency {seeded['regency']}, province {seeded['province']})"
    )
    print(
        f"seeded in {seeded['seconds']:.1f} s ({phases}); "
        f"migrate and regions {seeded['prepare_seconds']:.1f} s"
    )
    head = "".join(f" | {officer:^24}" for officer in OFFICERS)
    print(f"{'page':32}{head}")
    print(f"{'':32}" + " | {:>8} {:>7} {:>5}".format("ms", "×hz", "q") * len(OFFICERS))
    for name, _ in PAGES:
        cells = []
        for officer in OFFICERS:
            floor = results[officer]["healthz"].get("ms")
            cells.append(_cell(results[officer][name], floor if name != "healthz" else None))
        print(f"{name:32}" + "".join(f" | {c}" for c in cells))
    for officer in OFFICERS:
        deep = results[officer]["members, deep page"].get("url", "")
        print(f"  deep page of the {officer} officer: {deep[:90]}")


def _ratio(a: dict, b: dict) -> float | None:
    if "ms" not in a or "ms" not in b or not a["ms"]:
        return None
    return b["ms"] / a["ms"]


def _print_ratios(db, small: int, large: int, by_size: dict) -> int:
    """Large/small per page and deep/page 1 per size, against the targets; returns the misses."""
    print(f"\n{db.name}: {large:,} against {small:,} people (target ≤ {TARGET_FLAT}×), "
          "deep page against page 1 "
          f"(target ≤ {TARGET_DEEP}×)")  # fmt: skip
    print(f"{'page':32}" + "".join(f" | {officer:^16}" for officer in OFFICERS))
    misses = 0

    def show(value: float | None, target: float) -> str:
        nonlocal misses
        if value is None:
            return f"{'—':>16}"
        ok = value <= target
        misses += not ok
        return f"{value:9.2f}× {'ok' if ok else 'MISS':>5}"

    for name, _ in PAGES:
        if name == "healthz":
            continue
        cells = [
            show(_ratio(by_size[small][o][name], by_size[large][o][name]), TARGET_FLAT) for o in OFFICERS
        ]
        print(f"{name:32}" + "".join(f" | {c}" for c in cells))
    for people in (small, large):
        cells = [
            show(_ratio(by_size[people][o]["members"], by_size[people][o]["members, deep page"]), TARGET_DEEP)
            for o in OFFICERS
        ]
        print(f"{f'deep/page 1 at {people:,}':32}" + "".join(f" | {c}" for c in cells))
    return misses


def bench_database(db, args) -> None:
    small, large = QUICK if args.quick else SIZES[db.key]
    small, large = args.small or small, args.large or large
    print(f"\n== {db.name} {db.version()}: {small:,} and {large:,} people ==", flush=True)
    by_size = {}
    for people in (small, large):
        print(f"seeding {people:,} people …", flush=True)
        url = db.fresh_url(people)
        seeded = _child("seed", url, args, people)
        print("measuring …", flush=True)
        by_size[people] = _child("measure", url, args)
        _print_size(db, people, seeded, by_size[people])
        db.drop()
    misses = _print_ratios(db, small, large, by_size)
    print(f"{misses} target(s) missed" if misses else "every target met")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--small", type=int, help="people of the small registry")
    parser.add_argument("--large", type=int, help="people of the large registry")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK[0]:,} against {QUICK[1]:,} people")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per page; the median counts")
    parser.add_argument("--child", choices=["seed", "measure"], help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--people", type=int, default=0, help=argparse.SUPPRESS)
    # bench/run.py passes every benchmark the same arguments: the others' are ignored here.
    args, _unknown = parser.parse_known_args(argv)
    args.repeat = max(1, args.repeat)

    if args.child:
        result = child_seed(args) if args.child == "seed" else child_measure(args)
        print(json.dumps(result))
        return 0

    started = time.perf_counter()
    failed = False
    with tempfile.TemporaryDirectory(prefix="tunas-scale-") as workdir:
        databases = []
        if args.db in ("postgresql", "both") and (pg := _postgresql_or_none()):
            databases.append(pg)
        if args.db in ("sqlite", "both"):
            databases.append(SQLite(Path(workdir)))
        for db in databases:
            try:
                bench_database(db, args)
            except RuntimeError as exc:
                print(f"{db.name}: {exc}")
                failed = True
            finally:
                db.drop()
    print(f"\nbenchmark finished in {time.perf_counter() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
