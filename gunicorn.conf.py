"""gunicorn for Tunas: ``gunicorn -c gunicorn.conf.py config.wsgi``.

Access and error logs go to stdout and stderr through the NIK mask of tunas/core/logging.py: the request
line of an access log carries the query string (a search ``?q=<NIK>``), and so do the referer and error
lines. gunicorn merges ``logconfig_dict`` into its own defaults and applies it with
``logging.config.dictConfig`` in the master and in every worker.
"""

import os
from pathlib import Path


def _read_dotenv(path: Path) -> None:
    """Variables from the project's .env, for those not already set (as config/settings.py reads it)."""
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            os.environ.setdefault(key.strip(), value.strip().strip("'\""))


_read_dotenv(Path(__file__).resolve().with_name(".env"))

# An empty value counts as unset, as everywhere in Tunas (.env.example leaves optional variables blank).
workers = int(os.environ.get("WEB_CONCURRENCY") or 2)
timeout = 60
# A worker is replaced after about this many requests, staggered so that not all restart at once.
max_requests = 1000
max_requests_jitter = 100
# The workers' heartbeat files: in memory, as a disk-backed /tmp can stall them (common in containers).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - a fixed, known path
accesslog = "-"
errorlog = "-"

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_nik": {"()": "tunas.core.logging.NIKMaskFilter"}},
    "formatters": {
        "generic": {
            "format": "%(asctime)s [%(process)d] [%(levelname)s] %(message)s",
            "datefmt": "[%Y-%m-%d %H:%M:%S %z]",
        },
        "access": {"format": "%(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "generic",
            "filters": ["mask_nik"],
            "stream": "ext://sys.stderr",
        },
        "error_console": {
            "class": "logging.StreamHandler",
            "formatter": "generic",
            "filters": ["mask_nik"],
            "stream": "ext://sys.stderr",
        },
        "access_console": {
            "class": "logging.StreamHandler",
            "formatter": "access",
            "filters": ["mask_nik"],
            "stream": "ext://sys.stdout",
        },
    },
    "root": {"level": "INFO", "handlers": ["console"]},
    "loggers": {
        # No level here: gunicorn sets them (--log-level for the error log, INFO for the access log).
        "gunicorn.error": {"handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"handlers": ["access_console"], "propagate": False},
    },
}
