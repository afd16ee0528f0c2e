"""Tunas settings, read from the environment.

Safe defaults for a local run (SQLite under var/, DEBUG on); production (DEBUG off) refuses to start
without a real SECRET_KEY and ALLOWED_HOSTS. Every variable is listed in .env.example.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import TYPE_CHECKING

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.http import HttpRequest

BASE_DIR = Path(__file__).resolve().parent.parent


def _read_dotenv(path: Path) -> None:
    """Variables from a local .env file, for those not already set in the environment."""
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            os.environ.setdefault(key.strip(), value.strip().strip("'\""))


_read_dotenv(BASE_DIR / ".env")


def env(name: str, default: str = "") -> str:
    # An empty value counts as unset: .env.example leaves optional variables blank.
    return os.environ.get(name) or default


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
INSECURE_KEY = "django-insecure-local-development-only"
SECRET_KEY = env("SECRET_KEY", INSECURE_KEY)


def _is_weak_key(key: str) -> bool:
    # The placeholder of .env.example is long enough to pass a length test, so it is refused by name.
    return (
        len(key) < 40 or len(set(key)) < 5 or key.startswith("django-insecure") or key.startswith("change-me")
    )


if not DEBUG and _is_weak_key(SECRET_KEY):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 40 characters when DEBUG is off."
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the host(s) Tunas is served on when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Widgets render with the project's templates too (the village picker lives in templates/regions/widgets/).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django.forms",
    "django_htmx",
    "axes",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "tunas.core",
    "tunas.reports",
    "tunas.regions",
    "tunas.accounts",
    "tunas.programs",
    "tunas.registry",
    "tunas.training",
    "tunas.aid",
    "tunas.mentoring",
    "tunas.catalog",
    # Listed last: the demo loads through every app above.
    "tunas.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tunas.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tunas.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "tunas.core.context_processors.tunas",
            ],
            "builtins": ["tunas.core.templatetags.tunas"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'tunas.sqlite3'}"),
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A relative SQLite path (sqlite:///var/tunas.sqlite3) means the project's var/, whatever the working
    # directory of the process that serves or migrates.
    _sqlite_name = str(DATABASES["default"]["NAME"])
    if (
        _sqlite_name not in ("", ":memory:")
        and not _sqlite_name.startswith("file:")
        and not Path(_sqlite_name).is_absolute()
    ):
        DATABASES["default"]["NAME"] = str(BASE_DIR / _sqlite_name)
    # WAL lets readers work while an import writes; a busy timeout instead of "database is locked".
    # IMMEDIATE takes the write lock when a transaction begins: a transaction that read first (a service's
    # full_clean()) could otherwise not upgrade to writing once another had written, and SQLite answers
    # that with "database is locked" at once, whatever the timeout. Two edits at once now take turns.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "tunas.accounts.backends.CaseInsensitiveModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Behind a reverse proxy (which terminates TLS) every request comes from the proxy's address: the
# forwarded protocol is then trusted for HTTPS, and the client's address read from X-Forwarded-For.
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
# How many proxies of ours a request passes (a load balancer and nginx: 2); each appends the address it saw.
PROXY_COUNT = int(env("PROXY_COUNT", "1"))
if PROXY_COUNT < 1:
    raise ImproperlyConfigured("PROXY_COUNT must be 1 or more: the number of proxies in front of Tunas.")


def client_ip_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind our proxies the one the outermost of them added.

    Each proxy appends its peer's address to X-Forwarded-For, so the PROXY_COUNT-th entry from the right
    was written by our outermost proxy; whatever stands left of it came from the client and proves nothing.
    With fewer entries than proxies, every entry was written by one of ours and the left-most is the
    farthest address seen. A missing or malformed header falls back to REMOTE_ADDR.
    """
    from django.conf import settings

    remote_addr = request.META.get("REMOTE_ADDR")
    if not settings.BEHIND_PROXY:
        return remote_addr
    forwarded = [item.strip() for item in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [item for item in forwarded if item]
    if not forwarded:
        return remote_addr
    candidate = forwarded[-min(settings.PROXY_COUNT, len(forwarded))]
    return _ip_address(candidate) or remote_addr


def _ip_address(value: str) -> str | None:
    """``203.0.113.7``, also written with a port (``203.0.113.7:5123``, ``[2001:db8::1]:5123``)."""
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


# Login throttling: five wrong passwords for one username from one address lock it for 15 minutes.
# django-ipware is not installed, so axes would read REMOTE_ADDR only (its AXES_IPWARE_* settings do
# nothing without it): behind a proxy that is the proxy's address for everyone.
AXES_CLIENT_IP_CALLABLE = client_ip_address
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(env("AXES_COOLOFF_MINUTES", "15")) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# "Admin" and "admin" are one account, so they share one count of failed attempts.
AXES_USERNAME_CALLABLE = "tunas.accounts.backends.axes_username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env("TIME_ZONE", "Asia/Makassar")
USE_TZ = True
LANGUAGE_COOKIE_NAME = "tunas_language"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / env("MEDIA_ROOT", "var/media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
UPLOAD_MAX_BYTES = int(env("UPLOAD_MAX_BYTES", str(20 * 1024 * 1024)))
# Participant uploads and their problems files hold NIKs: they are kept outside MEDIA_ROOT (which DEBUG
# serves at MEDIA_URL), served only by the permission-checked import pages, and deleted
# IMPORT_UPLOAD_RETENTION_HOURS after their import ends (manage.py purge_uploads, from cron).
PRIVATE_MEDIA_ROOT = BASE_DIR / env("PRIVATE_MEDIA_ROOT", "var/private")
if Path(PRIVATE_MEDIA_ROOT).resolve().is_relative_to(Path(MEDIA_ROOT).resolve()):
    raise ImproperlyConfigured("PRIVATE_MEDIA_ROOT must not lie inside MEDIA_ROOT, which is served publicly.")
IMPORT_UPLOAD_RETENTION_HOURS = float(env("IMPORT_UPLOAD_RETENTION_HOURS", "24"))
# What one import may hold: checked before a sheet is parsed, so that no upload can exhaust memory.
IMPORT_MAX_ROWS = int(env("IMPORT_MAX_ROWS", "50000"))
IMPORT_MAX_COLUMNS = int(env("IMPORT_MAX_COLUMNS", "60"))
IMPORT_MAX_UNCOMPRESSED_BYTES = int(env("IMPORT_MAX_UNCOMPRESSED_BYTES", str(100 * 1024 * 1024)))
# A check or an import silent for this long has lost its worker: it is marked failed and may be run again.
IMPORT_STALE_AFTER_MINUTES = float(env("IMPORT_STALE_AFTER_MINUTES", "10"))

# Exports of more rows than this are written in the background (a progress page, then a download link).
EXPORT_INLINE_MAX_ROWS = int(env("EXPORT_INLINE_MAX_ROWS", "5000"))
# Uploads: receipts of spending; handover photos, signed scans and accountability-report receipts (bytes;
# images larger than AID_IMAGE_MAX_PIXELS are refused as decompression bombs, then kept at most
# AID_IMAGE_MAX_SIDE pixels wide or high).
RECEIPT_MAX_BYTES = int(env("RECEIPT_MAX_BYTES", str(10 * 1024 * 1024)))
AID_UPLOAD_MAX_BYTES = int(env("AID_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
AID_IMAGE_MAX_PIXELS = int(env("AID_IMAGE_MAX_PIXELS", "40000000"))
AID_IMAGE_MAX_SIDE = int(env("AID_IMAGE_MAX_SIDE", "1600"))
# The address printed on certificates' and posters' QR codes, which are read away from any web request.
TUNAS_PUBLIC_URL = env("TUNAS_PUBLIC_URL", "http://127.0.0.1:8000")
# Background export files are deleted after this many hours (manage.py purge_exports, from cron).
EXPORT_RETENTION_HOURS = float(env("EXPORT_RETENTION_HOURS", "24"))

TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Security headers. HTTPS-only cookies and redirects follow DEBUG unless set explicitly.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
# Behind a proxy that terminates TLS, set BEHIND_PROXY=1 so that its X-Forwarded-Proto header is trusted
# (and the proxy must set that header itself, overwriting the client's): otherwise every request looks
# like plain HTTP and is redirected forever.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# A load balancer probes /healthz over plain HTTP; a redirect would count as unhealthy.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SESSION_COOKIE_AGE = int(env("SESSION_COOKIE_AGE", str(8 * 3600)))

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "tunas@localhost")

# No NIK in a log line (DESIGN.md): every handler masks NIK-shaped numbers (tunas/core/logging.py). Django
# applies its DEFAULT_LOGGING first; the loggers it sets up are configured again here so that none of its
# unmasked handlers stays attached ("django": console and mail_admins; "django.server": runserver's access
# log, whose request line carries the query string). gunicorn's own logs: gunicorn.conf.py.
LOG_LEVEL = env("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_nik": {"()": "tunas.core.logging.NIKMaskFilter"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_nik"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["mask_nik"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Through the root's masked handler.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.request": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        # SQL with its parameters, at DEBUG and only while DEBUG is on: set LOG_LEVEL=DEBUG to see it.
        "django.db.backends": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "axes": {"level": "WARNING"},
    },
}

TUNAS_SITE_NAME = env("TUNAS_SITE_NAME", "Tunas")
