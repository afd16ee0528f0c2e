"""Mentors' phones sending their backlog at once: the sync endpoints under load, served by gunicorn.

    python bench/sync_bench.py [--db postgresql|sqlite|both] [--phones 200] [--workers N] [--threads N]
                               [--quick] [--location] [--seed 2026]

A throw-away database (PostgreSQL at $BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres,
database ``tunas_sync_bench`` created and dropped; or a SQLite file in a temporary folder) is migrated, given
the Bali regions and seeded through the test factories and the mentoring services: one programme in its
mentoring stage (training done four months ago), one mentor per phone, each assigned to one group (odd
phones) or two (even phones), two approved members a group. gunicorn then serves it on a free loopback port
with the project's gunicorn.conf.py (sync workers, 2 × cores + 1 of them unless ``--workers``), DEBUG off.

Every phone signs in through the login page (GET for the CSRF token, POST of the form, then GET
/pendampingan/api/sesi/ for the token the phone's script sends), then all phones at once:

- baseline: as many POSTs as the phone has records, to the visit endpoint with the body ``[]``: session,
  user, CSRF and mentor checks pass, the body is refused (400 body_invalid) before any record work;
- sync: the day's backlog of each phone, in a shuffled order: 3 visits (1-2 JPEG photos of 640 × 480 made
  with Pillow as data URLs, 0-2 follow-ups) and one report of last month per group (with each member's
  figures). 10 % of the sends are repeated (the same UUID and body: half at the same moment on a second
  connection, half after the answer); 5 % are first cut mid-request (a raw socket sends the headers with the
  full Content-Length and part of the body, then closes) and then sent properly. ``--location`` adds the
  phone's GPS position to the visits.

Afterwards the database is counted against what the phones sent (visits, follow-ups, photos and their files,
reports, member figures: each record stored exactly once) and every answer checked (the first arrival of a
record answered 201, every other 200 with the same id; no 5xx, no other 4xx, also in gunicorn's own log where
the cut requests' answers are seen). The table shows requests/s and p50/p95 latency of the sync sends beside
the baseline of the same run, their ratios, and the time each request spent in its worker (gunicorn's access
log). gunicorn is stopped and the database dropped at the end, also after a failure, Ctrl+C or SIGTERM.
Other arguments (``make bench`` passes its own) are ignored.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import http.client
import io
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_DB = "tunas_sync_bench"
PASSWORD = "correct-horse-battery"  # noqa: S105 - tests/factories.UserFactory's
PHONES, QUICK_PHONES = 200, 40
VISITS_PER_PHONE = 3
REPEAT_SHARE, CUT_SHARE = 0.10, 0.05
TIMEOUT = 300  # seconds a phone waits for an answer
VISIT_URL = "/pendampingan/api/kunjungan/{}/"
REPORT_URL = "/pendampingan/api/laporan/{}/"

SETTINGS = """
from config.settings import *  # noqa: F403

# Argon2 with the tests' cheap parameters: the phones sign in through the login page, but a sign-in's
# third of a second of hashing is not what is measured.
from tests.quick_hashing import QUICK_HASHERS as PASSWORD_HASHERS  # noqa: E402, F401

# The login page links static files by the manifest's names, which collectstatic has not written here.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
"""


def _env(workdir: Path, database_url: str) -> dict:
    env = {
        **os.environ,
        "PYTHONPATH": f"{workdir}{os.pathsep}{ROOT}",
        "DJANGO_SETTINGS_MODULE": "syncbench_settings",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "MEDIA_ROOT": str(workdir / "media"),
        "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
        "LOG_LEVEL": "WARNING",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }
    env.pop("WEB_CONCURRENCY", None)
    return env


# --- the child processes: seeding and counting --------------------------------------------------------------


def child_seed(args) -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    from tunas.regions.services import regions_load

    regions_load(within="51")
    prepared = time.perf_counter() - started

    from django.db import transaction
    from django.utils import timezone

    from tests.factories import (
        GroupFactory,
        MembershipFactory,
        OfficeFactory,
        PersonFactory,
        ProgramFactory,
        UserFactory,
    )
    from tunas.mentoring import services
    from tunas.programs.models import Stage
    from tunas.registry import counts
    from tunas.registry.models import Group, GroupStatus, Membership, Person, Verification

    today = timezone.localdate()
    village = "51.05.03.1008"
    with transaction.atomic():
        office = OfficeFactory()
        officer = UserFactory(username="operator", office=office, roles=["officer"])
        program: Any = ProgramFactory(
            office=office,
            code="SYNC-BENCH",
            fiscal_year=today.year,
            status=Stage.MENTORING,
            training_start=today - dt.timedelta(days=120),
            training_end=today - dt.timedelta(days=118),
            mentoring_until=today + dt.timedelta(days=180),
        )
        # Groups, people and memberships built by the test factories and written in bulk, then counted once
        # by the registry's own recount (the factories' create() recounts after every row).
        names = [f"Kelompok {i:03d}-{j}" for i in range(args.phones) for j in range(2 if i % 2 == 0 else 1)]
        groups = Group.objects.bulk_create(
            GroupFactory.build(program=program, name=name, status=GroupStatus.EQUIPPED, village_id=village)
            for name in names
        )
        people = Person.objects.bulk_create(PersonFactory.build() for _ in range(2 * len(groups)))
        Membership.objects.bulk_create(
            MembershipFactory.build(
                group=group,
                program=program,
                person=person,
                verification=Verification.APPROVED,
                income_before=500_000,
                village_id=village,
            )
            for group, person in zip([g for g in groups for _ in range(2)], people, strict=True)
        )
        counts.refresh(groups=[g.pk for g in groups])
        by_name = {g.name: g for g in Group.objects.filter(program=program)}
        members: dict[int, list[int]] = {}
        for group_id, membership_id in Membership.objects.filter(program=program).values_list(
            "group_id", "pk"
        ):
            members.setdefault(group_id, []).append(membership_id)
        # The assignments through the service, with its checks (a selected group, the mentor's capacity).
        starts_on = today - dt.timedelta(days=110)
        mentors = []
        for i in range(args.phones):
            mentor: Any = UserFactory(username=f"pendamping{i:03d}", office=office, roles=["mentor"])
            followed = []
            for name in (n for n in names if n.startswith(f"Kelompok {i:03d}-")):
                group = by_name[name]
                services.assignment_create(group=group, mentor=mentor, starts_on=starts_on, by=officer)
                followed.append({"id": group.pk, "members": sorted(members[group.pk])})
            mentors.append({"username": mentor.username, "user": mentor.pk, "groups": followed})
    return {
        "prepare_seconds": prepared,
        "seed_seconds": time.perf_counter() - started - prepared,
        "today": today.isoformat(),
        "mentors": mentors,
    }


def child_check(args) -> dict:
    """What the database holds against what the phones sent (the plan file)."""
    import django

    django.setup()
    from django.conf import settings
    from django.db.models import Count

    from tunas.mentoring.models import FollowUp, MemberFigure, ProgressReport, Visit, VisitPhoto

    plan = json.loads(Path(args.plan).read_text())
    sent_visits = {s["id"]: s for s in plan if s["kind"] == "visit"}
    sent_reports = {s["id"]: s for s in plan if s["kind"] == "report"}
    visits = {
        str(v["id"]): v
        for v in Visit.objects.annotate(n_photos=Count("photos", distinct=True))
        .annotate(n_follow=Count("follow_ups", distinct=True))
        .values("id", "group_id", "mentor_id", "n_photos", "n_follow", "is_current")
    }
    reports = {
        str(r["id"]): r
        for r in ProgressReport.objects.annotate(n_members=Count("member_figures")).values(
            "id", "group_id", "mentor_id", "n_members", "is_current", "version"
        )
    }
    wrong_visits = [
        pk
        for pk, s in sent_visits.items()
        if pk in visits
        and (
            visits[pk]["n_photos"] != s["photos"]
            or visits[pk]["n_follow"] != s["follow_ups"]
            or visits[pk]["group_id"] != s["group"]
            or visits[pk]["mentor_id"] != s["mentor"]
            or not visits[pk]["is_current"]
        )
    ]
    wrong_reports = [
        pk
        for pk, s in sent_reports.items()
        if pk in reports
        and (
            reports[pk]["n_members"] != s["members"]
            or reports[pk]["group_id"] != s["group"]
            or reports[pk]["mentor_id"] != s["mentor"]
            or not reports[pk]["is_current"]
            or reports[pk]["version"] != 1
        )
    ]
    files = sum(1 for p in (Path(settings.PRIVATE_MEDIA_ROOT) / "mentoring").rglob("*") if p.is_file())
    return {
        "visits": len(visits),
        "visits_missing": len(set(sent_visits) - set(visits)),
        "visits_extra": len(set(visits) - set(sent_visits)),
        "visits_wrong": len(wrong_visits),
        "follow_ups": FollowUp.objects.count(),
        "photos": VisitPhoto.objects.count(),
        "photo_files": files,
        "reports": len(reports),
        "reports_missing": len(set(sent_reports) - set(reports)),
        "reports_extra": len(set(reports) - set(sent_reports)),
        "reports_wrong": len(wrong_reports),
        "member_figures": MemberFigure.objects.count(),
    }


def _child(mode: str, workdir: Path, database_url: str, extra: list[str]) -> dict:
    done = subprocess.run(  # noqa: S603 - our own interpreter and script, fixed arguments
        [sys.executable, __file__, "--child", mode, *extra],
        cwd=ROOT,
        env=_env(workdir, database_url),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise RuntimeError(f"{mode} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- databases ----------------------------------------------------------------------------------------------


class SQLite:
    name = "SQLite"
    key = "sqlite"

    def __init__(self, workdir: Path):
        self.path = workdir / "sync.sqlite3"

    def create(self) -> str:
        self.drop()
        return f"sqlite:///{self.path}"

    def version(self) -> str:
        import sqlite3

        return sqlite3.sqlite_version

    def drop(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)


class PostgreSQL:
    name = "PostgreSQL"
    key = "postgresql"

    def __init__(self):
        import psycopg

        self.admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
        self.server = PG_ADMIN_URL.rsplit("/", 1)[0]

    def create(self) -> str:
        self.drop()
        self.admin.execute(f'CREATE DATABASE "{PG_DB}"')
        return f"{self.server}/{PG_DB}"

    def version(self) -> str:
        row = self.admin.execute("SHOW server_version").fetchone()
        return str(row[0]).split()[0] if row else "?"

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


# --- gunicorn -----------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with the project's gunicorn.conf.py; its access log and error log kept in files."""

    def __init__(self, workdir: Path, database_url: str, workers: int, threads: int):
        self.port = _free_port()
        self.access_log = workdir / "access.log"
        self.error_log = workdir / "error.log"
        command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "config.wsgi"]
        command += ["--bind", f"127.0.0.1:{self.port}", "--workers", str(workers), "--log-level", "info"]
        # The access log with the time each request spent in its worker (%(L)s, seconds).
        command += ["--access-logformat", '%(h)s "%(r)s" %(s)s %(b)s %(L)s']
        if threads:
            command += ["--worker-class", "gthread", "--threads", str(threads)]
        with open(self.access_log, "wb") as out, open(self.error_log, "wb") as err:
            self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn, fixed arguments
                command, cwd=ROOT, env=_env(workdir, database_url), stdout=out, stderr=err
            )
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("gunicorn did not start:\n" + self.error_log.read_text()[-3000:])
            try:
                status, _h, _b, _s = _request(self.port, "GET", "/healthz", timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer /healthz within three minutes")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log_statuses(self) -> list[tuple[str, str, int, float]]:
        """(method, path, status, seconds in the worker) of every request in the access log."""
        line = re.compile(r'"(\S+) (\S+) [^"]*" (\d{3}) \S+ ([\d.]+)')
        found = []
        for text in self.access_log.read_text(errors="replace").splitlines():
            m = line.search(text)
            if m:
                found.append((m.group(1), m.group(2), int(m.group(3)), float(m.group(4))))
        return found

    def first_error(self) -> list[str]:
        """The first failure of the error log with its traceback."""
        lines = self.error_log.read_text(errors="replace").splitlines()
        marks = ("Internal Server Error", "[ERROR]", "[CRITICAL]")
        start = next((i for i, t in enumerate(lines) if any(m in t for m in marks)), None)
        if start is None:
            return []
        shown = [lines[start]]
        for text in lines[start + 1 : start + 80]:
            if any(m in text for m in marks):
                break
            shown.append(text)
        return shown

    def log_errors(self) -> list[str]:
        """Lines of the error log that tell of a failure: Django's 500s, tracebacks, worker timeouts."""
        marks = ("Internal Server Error", "Traceback", "[ERROR]", "[CRITICAL]", "WORKER TIMEOUT")
        return [
            t for t in self.error_log.read_text(errors="replace").splitlines() if any(m in t for m in marks)
        ]


# --- the phones ---------------------------------------------------------------------------------------------


def _request(port: int, method: str, path: str, *, body: bytes = b"", headers=None, timeout: float = TIMEOUT):
    """One request on a new connection: status, headers, body and seconds waited."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        started = time.perf_counter()
        conn.request(method, path, body=body or None, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return response.status, response.headers, data, time.perf_counter() - started
    finally:
        conn.close()


@dataclass
class Send:
    """One record of a phone's outbox, as the phone's script sends it."""

    kind: str  # "visit" or "report"
    id: str
    group: int
    mentor: int
    body: bytes
    photos: int = 0
    follow_ups: int = 0
    members: int = 0
    repeat: str = ""  # "", "together" (a second connection at the same moment) or "after" (after the answer)
    cut: int = 0  # bytes of the body sent before the connection is cut; 0 when not cut

    @property
    def path(self) -> str:
        return (VISIT_URL if self.kind == "visit" else REPORT_URL).format(self.id)


@dataclass
class Answer:
    phase: str
    role: str  # "send", "repeat", "after cut", "baseline"
    kind: str
    record: str
    status: int
    seconds: float
    path: str = ""
    answer_id: str = ""
    error: str = ""
    worker: float | None = None  # seconds in the gunicorn worker, from its access log


@dataclass
class Phone:
    port: int
    username: str
    user: int
    cookies: dict = field(default_factory=dict)
    csrf: str = ""
    sends: list[Send] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    retries: int = 0

    def _keep_cookies(self, headers) -> None:
        for header in headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value

    def headers(self, content_type: str = "application/json") -> dict:
        return {
            "Host": f"127.0.0.1:{self.port}",
            "Origin": f"http://127.0.0.1:{self.port}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "X-CSRFToken": self.csrf,
            "Content-Type": content_type,
        }

    def sign_in(self) -> None:
        """The login page with its CSRF token, then the session endpoint the phone's script asks."""
        status, headers, page, _s = _request(self.port, "GET", "/akun/masuk/", headers=self.headers())
        self._keep_cookies(headers)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise RuntimeError(f"login page answered {status}")
        form = f"csrfmiddlewaretoken={token.group(1).decode()}&username={self.username}&password={PASSWORD}"
        status, headers, _b, _s = _request(
            self.port,
            "POST",
            "/akun/masuk/",
            body=form.encode(),
            headers=self.headers("application/x-www-form-urlencoded"),
        )
        self._keep_cookies(headers)
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"sign-in of {self.username} answered {status}")
        status, headers, data, _s = _request(
            self.port, "GET", "/pendampingan/api/sesi/", headers=self.headers()
        )
        self._keep_cookies(headers)
        session = json.loads(data)
        if status != 200 or session.get("user") != self.user:
            raise RuntimeError(f"session of {self.username} answered {status}")
        self.csrf = session["csrf"]

    def post(self, phase: str, role: str, kind: str, record: str, path: str, body: bytes) -> Answer:
        """A POST as the phone's script sends it; a failed connection is tried again, as the outbox does."""
        for attempt in range(5):
            try:
                status, _h, data, seconds = _request(
                    self.port, "POST", path, body=body, headers=self.headers()
                )
                break
            except OSError:
                self.retries += 1
                time.sleep(0.5 * (attempt + 1))
        else:
            answer = Answer(phase, role, kind, record, 0, 0.0, path, error="no answer")
            self.answers.append(answer)
            return answer
        answer = Answer(phase, role, kind, record, status, seconds, path)
        try:
            payload = json.loads(data)
            answer.answer_id = str(payload.get("id", ""))
            fields = payload.get("fields") or {}
            codes = [e.get("code", "") for errors in fields.values() for e in errors]
            answer.error = payload.get("error", "") + (f" {','.join(codes)}" if codes else "")
        except (ValueError, AttributeError):
            text = data[:200].decode(errors="replace")
            answer.error = "an HTML page" if text.lstrip().startswith("<") else " ".join(text.split())[:60]
        self.answers.append(answer)
        return answer

    def cut(self, send: Send) -> None:
        """Headers with the full Content-Length and part of the body, then the connection is closed."""
        head = [f"POST {send.path} HTTP/1.1", f"Content-Length: {len(send.body)}"]
        head += [f"{k}: {v}" for k, v in self.headers().items()]
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as s:
            s.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + send.body[: send.cut])

    def sync(self) -> None:
        for send in self.sends:
            if send.cut:
                self.cut(send)
            role = "after cut" if send.cut else "send"
            if send.repeat == "together":
                together = threading.Barrier(2)

                def second(send: Send = send, together: threading.Barrier = together) -> None:
                    together.wait()
                    self.post("sync", "repeat", send.kind, send.id, send.path, send.body)

                helper = threading.Thread(target=second, daemon=True)
                helper.start()
                together.wait()
                self.post("sync", role, send.kind, send.id, send.path, send.body)
                helper.join()
            else:
                self.post("sync", role, send.kind, send.id, send.path, send.body)
                if send.repeat == "after":
                    self.post("sync", "repeat", send.kind, send.id, send.path, send.body)

    def baseline(self) -> None:
        for _send in self.sends:
            path = VISIT_URL.format(uuid.uuid4())
            self.post("baseline", "baseline", "baseline", "", path, b"[]")


def _photo_pool(n: int) -> list[str]:
    """Small JPEGs (640 × 480, about 45 KB) as the phone's canvas makes them: data URLs."""
    from PIL import Image, ImageFilter

    pool = []
    for i in range(n):
        base = Image.linear_gradient("L").resize((640, 480)).rotate(i * 37)
        noise = Image.effect_noise((640, 480), 24 + i * 3).filter(ImageFilter.GaussianBlur(1))
        image = Image.merge("RGB", (Image.blend(base, noise, 0.5), noise, base))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80)
        pool.append("data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode())
    return pool


def _plan(seeded: dict, port: int, seed: int, location: bool) -> list[Phone]:
    """Each phone's backlog: 3 visits over its groups, one report of last month per group, shuffled."""
    rng = random.Random(seed)
    photos = _photo_pool(8)
    today = dt.date.fromisoformat(seeded["today"])
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    phones = []
    for mentor in seeded["mentors"]:
        phone = Phone(port, mentor["username"], mentor["user"])
        groups = mentor["groups"]
        for k in range(VISITS_PER_PHONE):
            group = groups[k % len(groups)]
            visited = today - dt.timedelta(days=k)
            follow_ups = [
                {
                    "action": f"Isi buku kas minggu ke-{n + 1}",
                    "due_on": (visited + dt.timedelta(days=7 * (n + 1))).isoformat(),
                    "responsible": "Bendahara",
                }
                for n in range(rng.randint(0, 2))
            ]
            pictures = rng.sample(photos, rng.randint(1, 2))
            body = {
                "group": group["id"],
                "visited_on": visited.isoformat(),
                "met": "Ketua, bendahara dan dua anggota",
                "activities": rng.sample(["production", "bookkeeping", "marketing", "capital"], 2),
                "findings": "Pembukuan mulai rapi; pesanan dari warung bertambah.",
                # The phone's script sends "" for both when the location is not asked for.
                "latitude": f"{-8.54 + rng.random() / 100:.6f}" if location else "",
                "longitude": f"{115.40 + rng.random() / 100:.6f}" if location else "",
                "follow_ups": follow_ups,
                "photos": pictures,
            }
            phone.sends.append(
                Send(
                    "visit",
                    str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    group["id"],
                    mentor["user"],
                    json.dumps(body).encode(),
                    photos=len(pictures),
                    follow_ups=len(follow_ups),
                )
            )
        for group in groups:
            turnover = rng.randint(20, 80) * 100_000
            costs = turnover * rng.randint(40, 70) // 100
            body = {
                "group": group["id"],
                "month": last_month,
                "status": "active",
                "status_reason": "",
                "turnover": str(turnover),
                "costs": str(costs),
                "profit": str(turnover - costs),
                "working_members": str(len(group["members"])),
                "hired_paid": "0",
                "hired_unpaid": "1",
                "products_sold": "Kipas lontar, keben",
                "channels": ["direct", "whatsapp"],
                "capital_received": "",
                "nib_obtained": rng.random() < 0.5,
                "equipment_condition": "good",
                "notes": "",
                "members": [
                    {"membership": m, "status": "working", "income": str(rng.randint(5, 15) * 100_000)}
                    for m in group["members"]
                ],
            }
            phone.sends.append(
                Send(
                    "report",
                    str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    group["id"],
                    mentor["user"],
                    json.dumps(body).encode(),
                    members=len(group["members"]),
                )
            )
        rng.shuffle(phone.sends)
        phones.append(phone)
    every = [s for p in phones for s in p.sends]
    picked = rng.sample(every, round(len(every) * (REPEAT_SHARE + CUT_SHARE)))
    repeats = round(len(every) * REPEAT_SHARE)
    for i, send in enumerate(picked[:repeats]):
        send.repeat = "together" if i % 2 == 0 else "after"
    for send in picked[repeats:]:
        send.cut = rng.randint(len(send.body) // 10, len(send.body) * 9 // 10)
    return phones


def _all_at_once(phones: list[Phone], work: str) -> float:
    """Every phone's ``work`` started at the same moment, each in its own thread: the wall time."""
    start = threading.Barrier(len(phones) + 1)
    failures: list[BaseException] = []

    def run(phone: Phone) -> None:
        start.wait()
        try:
            getattr(phone, work)()
        except BaseException as exc:  # noqa: BLE001 - reported after the others finished
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(p,), daemon=True) for p in phones]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    if failures:
        raise RuntimeError(f"{len(failures)} phone(s) failed: {failures[0]!r}")
    return time.perf_counter() - began


def _sign_in_all(phones: list[Phone], parallel: int) -> float:
    from concurrent.futures import ThreadPoolExecutor

    began = time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        list(pool.map(lambda p: p.sign_in(), phones))
    return time.perf_counter() - began


# --- figures and checks -------------------------------------------------------------------------------------


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[int(q * (len(ordered) - 1))] * 1000 if ordered else 0.0


def _row(name: str, answers: list[Answer], wall: float | None, base: dict | None) -> dict:
    seconds = [a.seconds for a in answers if a.status]
    row = {"name": name, "n": len(answers), "p50": _pct(seconds, 0.5), "p95": _pct(seconds, 0.95)}
    row["max"] = max(seconds) * 1000 if seconds else 0.0
    row["rps"] = len(answers) / wall if wall else None
    row["x_rps"] = row["rps"] / base["rps"] if base and row["rps"] else None
    row["x_p95"] = row["p95"] / base["p95"] if base and base["p95"] else None
    worker = [a.worker for a in answers if a.worker is not None]
    row["w50"], row["w95"] = (_pct(worker, 0.5), _pct(worker, 0.95)) if worker else (None, None)
    return row


def _match_worker_times(answers: list[Answer], logged: list[tuple[str, str, int, float]]) -> None:
    """Each answer's time in the worker: the access log's line of the same path and status."""
    lines: dict[tuple[str, int], list[float]] = {}
    for method, path, status, seconds in logged:
        if method == "POST":
            lines.setdefault((path, status), []).append(seconds)
    for a in answers:
        if found := lines.get((a.path, a.status)):
            a.worker = found.pop(0)


def _print_rows(rows: list[dict], walls: dict) -> None:
    print(
        f"{'phase':34} {'requests':>8} {'wall s':>7} {'req/s':>7} {'×base':>6} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'×base':>6} {'max ms':>8} | {'worker p50':>10} {'p95':>6}"
    )
    for r in rows:
        wall = f"{walls[r['name']]:7.1f}" if r["name"] in walls else f"{'':7}"
        rps = f"{r['rps']:7.0f}" if r["rps"] else f"{'':7}"
        x_rps = f"{r['x_rps']:5.2f}×" if r["x_rps"] else f"{'':6}"
        x_p95 = f"{r['x_p95']:5.2f}×" if r["x_p95"] else f"{'':6}"
        worker = f"{r['w50']:10.0f} {r['w95']:6.0f}" if r["w50"] is not None else ""
        print(
            f"{r['name']:34} {r['n']:8} {wall} {rps} {x_rps} "
            f"{r['p50']:8.0f} {r['p95']:8.0f} {x_p95} {r['max']:8.0f} | {worker}"
        )


def _checks(phones: list[Phone], counted: dict, server: Server, cut_ids: set[str]) -> list[tuple]:
    """(check, expected, found, ok) for every rule: stored exactly once, answered as the phone expects."""
    sends = [s for p in phones for s in p.sends]
    answers = [a for p in phones for a in p.answers]
    sync = [a for a in answers if a.phase == "sync"]
    base = [a for a in answers if a.phase == "baseline"]
    visits = [s for s in sends if s.kind == "visit"]
    reports = [s for s in sends if s.kind == "report"]
    expected = {
        "visits": len(visits),
        "follow_ups": sum(s.follow_ups for s in visits),
        "photos": sum(s.photos for s in visits),
        "reports": len(reports),
        "member_figures": sum(s.members for s in reports),
    }
    rows: list[tuple] = []

    def check(name: str, want: Any, got: Any) -> None:
        rows.append((name, want, got, want == got))

    check("visits stored once", expected["visits"], counted["visits"])
    missing = f"{counted['visits_missing']} / {counted['visits_extra']} / {counted['visits_wrong']}"
    check("  visits missing / extra / wrong", "0 / 0 / 0", missing)
    check("follow-ups stored once", expected["follow_ups"], counted["follow_ups"])
    check("photos stored once (rows)", expected["photos"], counted["photos"])
    check("photo files in private storage", expected["photos"], counted["photo_files"])
    check("monthly reports stored once", expected["reports"], counted["reports"])
    missing = f"{counted['reports_missing']} / {counted['reports_extra']} / {counted['reports_wrong']}"
    check("  reports missing / extra / wrong", "0 / 0 / 0", missing)
    check("member figures stored once", expected["member_figures"], counted["member_figures"])

    by_record: dict[str, list[Answer]] = {}
    for a in sync:
        by_record.setdefault(a.record, []).append(a)
    one_201 = sum(1 for s in sends if [a.status for a in by_record.get(s.id, [])].count(201) == 1)
    check("records answered 201 exactly once", len(sends), one_201)
    others = [a for s in sends for a in by_record.get(s.id, []) if a.status != 201]
    same = sum(1 for a in others if a.status == 200 and a.answer_id == a.record)
    check("other answers 200 with the same id", len(others), same)
    repeats = [a for a in sync if a.role == "repeat"]
    check("  of which repeats (same UUID and body)", round(len(sends) * REPEAT_SHARE), len(repeats))
    check(
        "  repeats answered with the same id",
        len(repeats),
        sum(1 for a in repeats if a.answer_id == a.record),
    )
    check("sync answers 5xx or none", 0, sum(1 for a in sync if a.status >= 500 or a.status == 0))
    check("sync answers 4xx", 0, sum(1 for a in sync if 400 <= a.status < 500))
    refused = sum(1 for a in base if a.status == 400 and a.error == "invalid body_invalid")
    check("baseline answers 400 body_invalid", len(base), refused)

    logged = server.log_statuses()
    check("5xx in gunicorn's access log", 0, sum(1 for _m, _p, s, _t in logged if s >= 500))
    # The cut requests' answers reach no phone: the log's 400s on their URLs less those the phones saw.
    logged_400 = sum(1 for _m, p, s, _t in logged if s == 400 and p.rstrip("/").rsplit("/", 1)[-1] in cut_ids)
    seen_400 = sum(1 for a in sync if a.status == 400 and a.record in cut_ids)
    check("cut requests answered 400 (access log)", len(cut_ids), logged_400 - seen_400)
    check("errors in gunicorn's error log", 0, len(server.log_errors()))
    return rows


def bench_database(db, args) -> bool:
    workers = args.workers or 2 * (os.cpu_count() or 1) + 1
    phones_n = args.phones or (QUICK_PHONES if args.quick else PHONES)
    print(f"\n== {db.name} {db.version()}: {phones_n} phones ==", flush=True)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="tunas-sync-") as tmp:
        workdir = Path(tmp)
        (workdir / "syncbench_settings.py").write_text(SETTINGS)
        url = db.create()
        server = None
        try:
            seeded = _child("seed", workdir, url, [f"--phones={phones_n}"])
            groups = sum(len(m["groups"]) for m in seeded["mentors"])
            print(
                f"migrate and regions {seeded['prepare_seconds']:.0f} s; seeded {phones_n} mentors, {groups} "
                f"groups, {2 * groups} members in {seeded['seed_seconds']:.0f} s",
                flush=True,
            )
            server = Server(workdir, url, workers, args.threads)
            kind = f"gthread × {args.threads} threads" if args.threads else "sync"
            print(f"gunicorn on 127.0.0.1:{server.port}: {workers} {kind} workers, {os.cpu_count()} cores")
            phones = _plan(seeded, server.port, args.seed, args.location)
            signed = _sign_in_all(phones, 2 * workers)
            print(f"{len(phones)} phones signed in through the login page in {signed:.1f} s", flush=True)
            walls = {"baseline: refused POST": _all_at_once(phones, "baseline")}
            walls["sync: every send"] = _all_at_once(phones, "sync")
            server.stop()  # its logs complete before they are read
            sends = [s for p in phones for s in p.sends]
            plan_file = workdir / "plan.json"
            keys = ("kind", "id", "group", "mentor", "photos", "follow_ups", "members")
            plan_file.write_text(json.dumps([{k: getattr(s, k) for k in keys} for s in sends]))
            counted = _child("check", workdir, url, [f"--plan={plan_file}"])
        finally:
            if server is not None:
                server.stop()
            db.drop()

        answers = [a for p in phones for a in p.answers]
        _match_worker_times(answers, server.log_statuses())
        baseline = [a for a in answers if a.phase == "baseline"]
        base = _row("baseline: refused POST", baseline, walls["baseline: refused POST"], None)
        sync = [a for a in answers if a.phase == "sync"]
        rows = [base, _row("sync: every send", sync, walls["sync: every send"], base)]
        parts = {
            "  visits (1-2 photos), first send": lambda a: a.kind == "visit" and a.role == "send",
            "  reports, first send": lambda a: a.kind == "report" and a.role == "send",
            "  repeats (10 %)": lambda a: a.role == "repeat",
            "  sends after a cut (5 %)": lambda a: a.role == "after cut",
        }
        rows += [_row(name, [a for a in sync if part(a)], None, base) for name, part in parts.items()]
        print()
        _print_rows(rows, walls)
        records = len(sends)
        print(
            f"{records} records ({sum(s.kind == 'visit' for s in sends)} visits, "
            f"{sum(s.kind == 'report' for s in sends)} reports) in {walls['sync: every send']:.1f} s: "
            f"{records / walls['sync: every send']:.0f} records/s; "
            f"{sum(s.cut > 0 for s in sends)} cut requests not counted; "
            f"connections tried again: {sum(p.retries for p in phones)}"
        )
        print(
            f"load average {load_before:.1f} before the run, {os.getloadavg()[0]:.1f} after it "
            f"({os.cpu_count()} cores): the figures move with the machine's load"
        )
        sync_row = rows[1]
        print(f"sync against the baseline: throughput {sync_row['x_rps']:.2f}×, p95 {sync_row['x_p95']:.2f}×")

        cut_ids = {s.id for s in sends if s.cut}
        checks = _checks(phones, counted, server, cut_ids)
        print(f"\n{'check':44} {'expected':>10} {'found':>10}")
        for name, want, got, ok in checks:
            print(f"{name:44} {want!s:>10} {got!s:>10}  {'ok' if ok else 'MISS'}")
        misses = sum(1 for *_r, ok in checks if not ok)
        print(f"{misses} check(s) missed" if misses else "every check met")
        unexpected = [a for a in answers if a.phase == "sync" and a.status not in (200, 201)]
        if unexpected:
            print("\nfirst unexpected answers:")
            for a in unexpected[:8]:
                print(f"  {a.kind} {a.record} ({a.role}): {a.status or 'no answer'} {a.error[:100]}")
        if server.log_errors():
            print("\nfirst error in gunicorn's error log:")
            for text in server.first_error():
                print(f"  {text[:160]}")
        return misses == 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["postgresql", "sqlite", "both"], default="postgresql")
    parser.add_argument("--phones", type=int, help=f"phones sending at once (default {PHONES})")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_PHONES} phones")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default 2 × cores + 1)")
    parser.add_argument(
        "--threads", type=int, default=0, help="gthread workers with N threads (default sync)"
    )
    parser.add_argument(
        "--location", action="store_true", help="visits carry the phone's GPS position (latitude, longitude)"
    )
    parser.add_argument("--seed", type=int, default=2026, help="seed of the backlog, repeats and cuts")
    parser.add_argument("--child", choices=["seed", "check"], help=argparse.SUPPRESS)
    parser.add_argument("--plan", help=argparse.SUPPRESS)
    # bench/run.py passes every benchmark the same arguments: the others' are ignored here.
    args, _unknown = parser.parse_known_args(argv)

    if args.child:
        result = child_seed(args) if args.child == "seed" else child_check(args)
        print(json.dumps(result))
        return 0

    # A TERM ends the run as Ctrl+C does: gunicorn stopped and the database dropped on the way out.
    signal.signal(signal.SIGTERM, lambda _sig, _frame: sys.exit(143))
    started = time.perf_counter()
    failed = False
    with tempfile.TemporaryDirectory(prefix="tunas-sync-db-") as workdir:
        databases: list[Any] = []
        if args.db in ("postgresql", "both") and (pg := _postgresql_or_none()):
            databases.append(pg)
        if args.db in ("sqlite", "both"):
            databases.append(SQLite(Path(workdir)))
        for db in databases:
            try:
                failed |= not bench_database(db, args)
            except RuntimeError as exc:
                print(f"{db.name}: {exc}")
                failed = True
            except KeyboardInterrupt:
                print(f"\n{db.name}: interrupted; gunicorn stopped and the database dropped")
                return 130
    print(f"\nbenchmark finished in {time.perf_counter() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
