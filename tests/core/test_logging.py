"""No NIK reaches a log line: Django's, runserver's access log, gunicorn's access and error logs.

NIK and KK numbers are personal data (DESIGN.md): every run of exactly 16 digits, also as people type them
(``5105 0361 1052 0101``, dots, dashes, ``+`` or ``%20`` in a URL), is masked to the project's NIK mask.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.core.servers.basehttp import WSGIRequestHandler
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.factories import PersonFactory
from tunas.core.logging import NIKMaskFilter, mask_niks

NIK = "5105036110520101"
MASKED = "••••••••••••0101"
# Sixteen digits with at most one separator between two of them: what a NIK looks like in any log line.
ANY_NIK = re.compile(r"(?<![0-9])[0-9](?:(?:[ .\-+]|%20)?[0-9]){15}(?![0-9])")
WATCHED_LOGGERS = ["django", "django.server", "django.request", "django.db.backends"]


def _record(msg: object, *args: object, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("tunas.test", logging.ERROR, __file__, 1, msg, args or None, exc_info)


def _filtered(record: logging.LogRecord) -> logging.LogRecord:
    assert NIKMaskFilter().filter(record) is True, "a record is masked, never dropped"
    return record


# --- the filter --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(NIK, MASKED, id="16 digits"),
        pytest.param("5105 0361 1052 0101", MASKED, id="split by spaces"),
        pytest.param("5105.0361.1052.0101", MASKED, id="split by dots"),
        pytest.param("5105-0361-1052-0101", MASKED, id="split by dashes"),
        pytest.param("51.05.03 611052 0101", MASKED, id="grouped as on the KTP"),
        pytest.param("q=5105+0361+1052+0101&page=2", f"q={MASKED}&page=2", id="a form's spaces in a URL"),
        pytest.param("/cari/5105%200361%201052%200101/", f"/cari/{MASKED}/", id="percent-encoded spaces"),
        pytest.param("q=%205105036110520101", f"q=%20{MASKED}", id="after an encoded space"),
        pytest.param(f"NIK {NIK}, KK 5105030101910001.", f"NIK {MASKED}, KK ••••••••••••0001.", id="two"),
        pytest.param(
            "Key (nik)=(5105030101910001) already exists.",
            "Key (nik)=(••••••••••••0001) already exists.",
            id="PostgreSQL unique violation",
        ),
    ],
)
def test_mask_niks_hides_all_but_the_last_four_digits(text, expected):
    assert mask_niks(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("510503611052010", id="15 digits"),
        pytest.param("51050361105201011", id="17 digits"),
        pytest.param("0812-3456-7890", id="a phone number"),
        pytest.param("Rp 100.000.000", id="an amount in Rupiah"),
        pytest.param('127.0.0.1 - - [05/Jan/2026:10:11:12 +0800] "GET / HTTP/1.1" 200 5123', id="access"),
        pytest.param("2026-01-05 10:11:12,345", id="a timestamp"),
    ],
)
def test_mask_niks_leaves_other_numbers_alone(text):
    assert mask_niks(text) == text


def test_the_filter_masks_the_message_and_its_arguments_and_clears_the_arguments():
    record = _filtered(_record("Search for %s by %s: %d rows", NIK, "operator", 3))
    assert record.getMessage() == f"Search for {MASKED} by operator: 3 rows"
    assert not record.args


def test_the_filter_masks_a_nik_given_as_a_number_or_in_a_mapping():
    assert _filtered(_record("nik=%s", 5105036110520101)).getMessage() == f"nik={MASKED}"
    assert _filtered(_record("%(r)s %(s)s", {"r": f"GET /?q={NIK}", "s": "200"})).getMessage() == (
        f"GET /?q={MASKED} 200"
    )


def test_the_filter_masks_the_postgresql_duplicate_key_error():
    detail = "Key (nik)=(5105030101910001) already exists."
    record = _filtered(
        _record('duplicate key value violates unique constraint "uniq_nik"\nDETAIL:  %s', detail)
    )
    assert "5105030101910001" not in record.getMessage()
    assert "Key (nik)=(••••••••••••0001) already exists." in record.getMessage()


def test_the_filter_masks_the_traceback_of_a_logged_exception():
    try:
        raise ValueError("Key (nik)=(5105030101910001) already exists.")
    except ValueError:
        record = _filtered(_record("Import job %s failed", 7, exc_info=sys.exc_info()))
    line = logging.Formatter().format(record)
    assert "Import job 7 failed" in line
    assert "Traceback" in line
    assert "5105030101910001" not in line
    assert "••••••••••••0001" in line


def test_a_message_that_cannot_be_formatted_is_still_masked():
    record = _filtered(_record("%s and %s", NIK))  # one argument short
    assert NIK not in record.getMessage()
    assert MASKED in record.getMessage()


def test_masking_twice_changes_nothing():
    record = _filtered(_filtered(_record("q=%s", NIK)))
    assert record.getMessage() == f"q={MASKED}"


# --- Django's logging settings -----------------------------------------------------------------------


def test_every_handler_of_the_logging_settings_carries_the_mask():
    config = settings.LOGGING
    mask_filters = {
        name
        for name, spec in config["filters"].items()
        if spec.get("()") == "tunas.core.logging.NIKMaskFilter"
    }
    assert mask_filters, "no filter in LOGGING is the NIK mask"
    for name, handler in config["handlers"].items():
        assert mask_filters & set(handler.get("filters", [])), f"handler {name!r} does not mask NIKs"
    for name in ["django.server", "django.request", "django.db.backends"]:
        assert name in config["loggers"], f"LOGGING does not configure {name!r}"


def test_the_live_handlers_of_django_and_runserver_carry_the_mask():
    # Django applies its own DEFAULT_LOGGING before ours: a handler it left on a logger would log unmasked.
    for name in ["", *WATCHED_LOGGERS]:
        handlers = logging.getLogger(name).handlers
        # pytest's own capturing handlers sit on the root logger during a test.
        for handler in [h for h in handlers if not type(h).__module__.startswith("_pytest")]:
            assert any(isinstance(f, NIKMaskFilter) for f in handler.filters), (
                f"a {type(handler).__name__} on logger {name or 'root'!r} does not mask NIKs"
            )


class _RunserverRequest:
    """What runserver's request handler needs to write its access log line for one request."""

    def __init__(self, request_line: str):
        self.request = None
        self.requestline = request_line
        self.client_address = ("127.0.0.1", 50000)

    def log_date_time_string(self) -> str:
        return "05/Jan/2026 10:11:12"


@contextmanager
def _captured_everywhere(caplog) -> Iterator[None]:
    """caplog sees what reaches the root logger; the access log and its siblings stop propagating before.

    Its handler goes last on each logger, so it sees each record as the project's own handler left it.
    """
    added = [logging.getLogger(name) for name in WATCHED_LOGGERS if not logging.getLogger(name).propagate]
    for logger in added:
        logger.addHandler(caplog.handler)
    try:
        yield
    finally:
        for logger in added:
            logger.removeHandler(caplog.handler)


@pytest.mark.django_db
def test_no_nik_reaches_the_logs_in_a_sign_in_a_search_and_a_failing_request(caplog, officer):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    client = Client()
    with _captured_everywhere(caplog):
        response = client.post(
            reverse("accounts:login"), {"username": officer.username, "password": PASSWORD}
        )
        assert response.status_code == 302
        # SQL with its parameters goes to django.db.backends whenever queries are recorded.
        connection.force_debug_cursor = True
        try:
            assert client.get(reverse("registry:member_list"), {"q": NIK}).status_code == 200
            assert (
                client.get(reverse("registry:member_list"), {"q": "5105 0361 1052 0101"}).status_code == 200
            )
        finally:
            connection.force_debug_cursor = False
        # A NIK typed where an id belongs: a 404, which django.request logs with the path.
        assert client.get(f"/peserta/{NIK}/").status_code == 404
        # runserver's access log line for the search, written by its own request handler.
        WSGIRequestHandler.log_message(
            _RunserverRequest(f"GET /peserta/?q={NIK} HTTP/1.1"),  # type: ignore[arg-type]
            '"%s" %s %s',
            f"GET /peserta/?q={NIK} HTTP/1.1",
            "200",
            "5123",
        )
        WSGIRequestHandler.log_message(
            _RunserverRequest("GET /peserta/?q=5105+0361+1052+0101 HTTP/1.1"),  # type: ignore[arg-type]
            '"%s" %s %s',
            "GET /peserta/?q=5105+0361+1052+0101 HTTP/1.1",
            "200",
            "5123",
        )

    lines = [caplog.handler.format(record) for record in caplog.records]
    leaked = [line for line in lines if ANY_NIK.search(line)]
    assert not leaked, f"NIKs in the logs: {leaked}"
    # The flow did log what it should, masked: nothing above passed for want of log lines.
    by_logger = {record.name for record in caplog.records}
    assert {"django.request", "django.server", "django.db.backends"} <= by_logger
    assert any("Not Found" in line and MASKED in line for line in lines)
    assert any("/peserta/?q=" in line and MASKED in line for line in lines)
    assert any("args=" in line and MASKED in line for line in lines)


@pytest.mark.django_db
def test_a_failed_import_logs_its_database_error_without_the_nik(caplog):
    # PostgreSQL names the duplicate value: DETAIL: Key (nik)=(5105030101910001) already exists.
    PersonFactory(nik="5105030101910001")
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        PersonFactory(nik="5105030101910001")
    if connection.vendor == "postgresql":
        assert "5105030101910001" in str(raised.value)
    caplog.set_level(logging.INFO)
    try:
        raise raised.value
    except IntegrityError:
        logging.getLogger("tunas.registry.tasks").exception("Import job %s failed", 7)
    assert "Import job 7 failed" in caplog.text
    assert "IntegrityError" in caplog.text
    assert not ANY_NIK.search(caplog.text), caplog.text


# --- gunicorn ----------------------------------------------------------------------------------------

GUNICORN_ACCESS = textwrap.dedent(
    """
    import datetime, sys
    from gunicorn.app.wsgiapp import WSGIApplication

    # gunicorn's own loading of gunicorn.conf.py; its Logger merges logconfig_dict into its defaults and
    # applies it with logging.config.dictConfig, as the master and every worker do.
    sys.argv = ["gunicorn", "-c", "gunicorn.conf.py", "config.wsgi"]
    cfg = WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").cfg
    log = cfg.logger_class(cfg)

    class Response:
        status = "200 OK"
        sent = 5123
        headers = [("Content-Type", "text/html")]

    nik = "{nik}"
    environ = {{
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/peserta/?q=" + nik,
        "PATH_INFO": "/peserta/",
        "QUERY_STRING": "q=" + nik,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.5",
        "HTTP_REFERER": "https://tunas.example.go.id/peserta/?q=5105+0361+1052+0101",
        "HTTP_USER_AGENT": "Mozilla/5.0",
    }}
    log.access(Response(), [], environ, datetime.timedelta(microseconds=1234))
    log.error("Invalid request from ip=%s: %s", "10.0.0.5", "Invalid URI: /peserta/" + nik + "/x")
    try:
        raise RuntimeError("Key (nik)=(" + nik + ") already exists.")
    except RuntimeError:
        log.exception("Error handling request /peserta/?q=%s", nik)
    """
)


def test_gunicorn_access_and_error_logs_mask_niks():
    env = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG"}}
    result = subprocess.run(  # noqa: S603 - this interpreter and a fixed script, nothing from outside
        [sys.executable, "-c", GUNICORN_ACCESS.format(nik=NIK)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    access, errors = result.stdout, result.stderr
    assert f'"GET /peserta/?q={MASKED} HTTP/1.1" 200 5123' in access, access
    assert f'"https://tunas.example.go.id/peserta/?q={MASKED}"' in access, access
    assert f"Invalid URI: /peserta/{MASKED}/x" in errors, errors
    assert f"Key (nik)=({MASKED}) already exists." in errors, errors
    assert not ANY_NIK.search(access + errors), access + errors


PRINT_GUNICORN_CONFIG = (
    "import json, runpy; c = runpy.run_path('gunicorn.conf.py'); "
    "print(json.dumps({k: c.get(k) for k in ['workers', 'timeout', 'max_requests', 'max_requests_jitter', "
    "'accesslog', 'worker_tmp_dir']}))"
)


@pytest.mark.parametrize(("concurrency", "workers"), [("", 2), ("5", 5)])
def test_gunicorn_settings(concurrency, workers):
    env = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG"}}
    env["WEB_CONCURRENCY"] = concurrency
    result = subprocess.run(  # noqa: S603 - this interpreter and a fixed script, nothing from outside
        [sys.executable, "-c", PRINT_GUNICORN_CONFIG],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["workers"] == workers
    assert values["timeout"] == 60
    assert values["max_requests"] == 1000
    assert 0 < values["max_requests_jitter"] < 1000
    assert values["accesslog"] == "-"
    shm = "/dev/shm"  # noqa: S108 - the fixed path gunicorn.conf.py chooses, nothing written here
    assert values["worker_tmp_dir"] == (shm if os.path.isdir(shm) else None)
