"""The bounds of an import, from the settings (with their defaults): what one upload may hold, and how long
its files and a silent job are kept.

A spreadsheet is a zip of XML, and python-calamine builds a dense grid of every cell between the first and
the last one with a value: a 5 KB file can ask for gigabytes. These limits are checked before a sheet is
parsed (reading.py), so that no upload can grow a process past what the largest allowed file needs.
"""

from __future__ import annotations

from django.conf import settings

# Defaults of the settings below (config/settings.py reads them from the environment).
MAX_ROWS = 50_000
MAX_COLUMNS = 60
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
UPLOAD_RETENTION_HOURS = 24
STALE_AFTER_MINUTES = 10
# Problems kept in a job's report (the pages show them); the problems file has them all.
REPORT_PROBLEMS = 1000


def max_rows() -> int:
    """Data rows one file may hold (below its header)."""
    return int(getattr(settings, "IMPORT_MAX_ROWS", MAX_ROWS))


def max_columns() -> int:
    """Columns a sheet may use, counted up to its last cell with a value."""
    return int(getattr(settings, "IMPORT_MAX_COLUMNS", MAX_COLUMNS))


def max_uncompressed_bytes() -> int:
    """What the parts of a zipped spreadsheet (xlsx, xlsm, ods) may unpack to, together and each."""
    return int(getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", MAX_UNCOMPRESSED_BYTES))


def upload_retention_hours() -> float:
    """How long the upload and the problems file of a finished job are kept (purge_uploads)."""
    return float(getattr(settings, "IMPORT_UPLOAD_RETENTION_HOURS", UPLOAD_RETENTION_HOURS))


def stale_after_minutes() -> float:
    """A job checking or running that has not reported for this long has lost its worker."""
    return float(getattr(settings, "IMPORT_STALE_AFTER_MINUTES", STALE_AFTER_MINUTES))


def report_problems() -> int:
    """Problems a job's report keeps for the pages."""
    return int(getattr(settings, "IMPORT_REPORT_PROBLEMS", REPORT_PROBLEMS))
