"""Settings come from the environment; production (DEBUG off) refuses to start on unsafe defaults."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

GOOD_KEY = "v8#Qm2$kR7!pZ4@wL9^tB1&yN6*cF3(hJ0)xD5-sG8_eU2+aK7=oI4"

PRINT_SETTINGS = (
    "import json, config.settings as s; "
    "print(json.dumps({'DEBUG': s.DEBUG, 'ALLOWED_HOSTS': s.ALLOWED_HOSTS, "
    "'SESSION_COOKIE_SECURE': s.SESSION_COOKIE_SECURE, 'CSRF_COOKIE_SECURE': s.CSRF_COOKIE_SECURE, "
    "'SECURE_HSTS_SECONDS': s.SECURE_HSTS_SECONDS, 'SECRET_KEY': s.SECRET_KEY, "
    "'EMAIL_BACKEND': s.EMAIL_BACKEND, 'MEDIA_ROOT': str(s.MEDIA_ROOT), "
    "'DB_NAME': str(s.DATABASES['default']['NAME']), 'DB_OPTIONS': s.DATABASES['default'].get('OPTIONS'), "
    "'SECURE_SSL_REDIRECT': s.SECURE_SSL_REDIRECT, 'SECURE_REDIRECT_EXEMPT': s.SECURE_REDIRECT_EXEMPT, "
    "'SECURE_HSTS_INCLUDE_SUBDOMAINS': s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
    "'SECURE_HSTS_PRELOAD': s.SECURE_HSTS_PRELOAD, 'SECURE_PROXY_SSL_HEADER': s.SECURE_PROXY_SSL_HEADER, "
    "'BEHIND_PROXY': s.BEHIND_PROXY, 'PROXY_COUNT': s.PROXY_COUNT}))"
)


def import_settings(**variables: str) -> subprocess.CompletedProcess:
    """Imports config.settings in a fresh interpreter with exactly these variables set.

    Every variable the settings read is set explicitly (empty when not given), so a developer's own .env
    or shell cannot make the result depend on the machine.
    """
    return _run([sys.executable, "-c", PRINT_SETTINGS], **variables)


def _run(command: list[str], **variables: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG", "SYSTEMROOT"}}
    for name in _env_example_names():
        env[name] = ""
    env.update(variables)
    return subprocess.run(  # noqa: S603 - this interpreter and a fixed script, nothing from outside
        command,
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _env_example_names() -> list[str]:
    text = (settings.BASE_DIR / ".env.example").read_text(encoding="utf-8")
    return [
        line.split("=", 1)[0].strip()
        for line in text.splitlines()
        if "=" in line and not line.startswith("#")
    ]


def _env_example_values() -> dict[str, str]:
    text = (settings.BASE_DIR / ".env.example").read_text(encoding="utf-8")
    pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("", id="no key"),
        pytest.param("django-insecure-local-development-only", id="the built-in development key"),
        pytest.param("short-but-random-7f3a", id="shorter than 40 characters"),
        pytest.param("a" * 60, id="one repeated character"),
        pytest.param(
            "change-me-to-a-random-string-of-at-least-40-characters", id="the .env.example placeholder"
        ),
    ],
)
def test_production_refuses_to_start_without_a_real_secret_key(key):
    result = import_settings(DEBUG="0", SECRET_KEY=key, ALLOWED_HOSTS="tunas.example.go.id")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = import_settings(DEBUG="0", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_starts_with_a_real_key_and_hosts_and_secures_cookies():
    result = import_settings(
        DEBUG="0", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="tunas.example.go.id, www.example.go.id"
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is False
    assert values["SECRET_KEY"] == GOOD_KEY
    assert values["ALLOWED_HOSTS"] == ["tunas.example.go.id", "www.example.go.id"]
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] > 0
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"


def test_a_local_run_needs_no_variables_at_all():
    result = import_settings()
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is True
    assert values["SECRET_KEY"]
    assert "localhost" in values["ALLOWED_HOSTS"]
    assert values["DB_NAME"] == str(settings.BASE_DIR / "var" / "tunas.sqlite3")


def test_the_env_example_file_as_written_is_a_working_configuration():
    # People copy .env.example to .env; its blank optional variables must mean "the default".
    result = import_settings(**_env_example_values())
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    # Relative paths in the example are the project's var/, wherever the process starts.
    assert values["MEDIA_ROOT"] == str(settings.BASE_DIR / "var" / "media")
    assert values["DB_NAME"] == str(settings.BASE_DIR / "var" / "tunas.sqlite3")


def test_env_example_lists_every_variable_the_settings_read():
    source = (settings.BASE_DIR / "config" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r'env(?:_bool|_list)?\(\s*"([A-Z_]+)"', source))
    assert read, "no env() calls found: the pattern no longer matches the settings module"
    missing = sorted(read - set(_env_example_names()))
    assert not missing, f".env.example does not list: {missing}"


PRODUCTION = {"DEBUG": "0", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "tunas.example.go.id"}


def test_the_deployment_check_of_production_settings_is_clean():
    result = _run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_SETTINGS_MODULE="config.settings",
        **PRODUCTION,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNING" not in output
    assert "System check identified no issues" in output


def test_production_redirects_to_https_and_asks_for_hsts_on_subdomains_and_preloading():
    result = import_settings(**PRODUCTION)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is True
    # A load balancer probes /healthz over plain HTTP.
    assert values["SECURE_REDIRECT_EXEMPT"] == [r"^healthz$"]
    assert values["SECURE_PROXY_SSL_HEADER"] is None


def test_a_local_run_neither_redirects_to_https_nor_sends_hsts():
    values = json.loads(import_settings().stdout)
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert values["SECURE_HSTS_PRELOAD"] is False


def test_production_can_turn_the_https_settings_off_one_by_one():
    result = import_settings(
        **PRODUCTION, SECURE_SSL_REDIRECT="0", SECURE_HSTS_INCLUDE_SUBDOMAINS="0", SECURE_HSTS_PRELOAD="0"
    )
    values = json.loads(result.stdout)
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert values["SECURE_HSTS_PRELOAD"] is False


def test_behind_a_proxy_the_forwarded_protocol_is_trusted_and_the_proxy_count_read():
    values = json.loads(import_settings(**PRODUCTION, BEHIND_PROXY="1", PROXY_COUNT="2").stdout)
    assert values["BEHIND_PROXY"] is True
    assert values["PROXY_COUNT"] == 2
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    values = json.loads(import_settings(**PRODUCTION).stdout)
    assert values["BEHIND_PROXY"] is False
    assert values["PROXY_COUNT"] == 1


def test_sqlite_begins_its_transactions_immediate_and_waits_for_locks():
    values = json.loads(import_settings().stdout)
    assert values["DB_OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert values["DB_OPTIONS"]["timeout"] >= 5
    assert "PRAGMA journal_mode=WAL" in values["DB_OPTIONS"]["init_command"]


@pytest.mark.django_db
def test_with_the_https_redirect_on_healthz_still_answers_over_plain_http(settings):
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    # Every other page moves to HTTPS.
    response = Client().get(reverse("accounts:login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    assert Client().get(reverse("accounts:login"), secure=True).status_code == 200


@pytest.mark.django_db
def test_behind_a_proxy_a_request_forwarded_over_https_is_not_redirected(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = Client().get(reverse("accounts:login"), HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
