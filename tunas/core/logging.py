"""No NIK in a log line: a logging filter that masks every NIK-shaped number before a handler writes it.

NIK and KK numbers are personal data (DESIGN.md); they reach logs through URLs (a search ``?q=...`` in an
access log), database errors (``Key (nik)=(...) already exists``) and tracebacks. Every run of exactly 16
digits, also split as people type them (spaces, dots, dashes, and ``+`` or ``%20`` for a space in a URL), is
replaced by the project's NIK mask, ``••••••••••••0101``. Pure standard library and ``tunas.core.nik``: the
gunicorn master loads it before Django is set up.
"""

from __future__ import annotations

import logging
import re

from tunas.core.nik import mask_nik

_SEPARATOR = r"(?:[ .\-+]|%20)"
# Not glued to another digit on either side (a longer number is not a NIK), except through an encoded space.
_NIK_IN_TEXT = re.compile(rf"(?:(?<![0-9])|(?<=%20))[0-9](?:{_SEPARATOR}?[0-9]){{15}}(?![0-9])")
_NOT_A_DIGIT = re.compile(r"%20|[^0-9]")
_traceback_formatter = logging.Formatter()


def mask_niks(text: str) -> str:
    """Every NIK-shaped number in ``text`` masked to its last four digits."""
    return _NIK_IN_TEXT.sub(lambda match: mask_nik(_NOT_A_DIGIT.sub("", match.group())), text)


class NIKMaskFilter(logging.Filter):
    """Masks NIKs in a record's message, its arguments and its traceback; never drops a record.

    The message is formatted with its arguments, masked, and the arguments cleared: an argument can hold a
    NIK (the request line of an access log, a database error), and a handler later in line sees the record
    as masked here. Masking is idempotent, so a record that passes two handlers is masked once.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not leak what it was given
            message = f"{record.msg} {record.args!r}"
        record.msg = mask_niks(message)
        record.args = ()
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set, so the masked traceback is the one written.
            record.exc_text = _traceback_formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_niks(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_niks(record.stack_info)
        return True
