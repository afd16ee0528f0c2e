"""Numbers, money and dates as Indonesian offices write them (and English readers expect)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import get_language

MONTHS_ID = (
    "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember".split()
)
MONTHS_EN = (
    "January February March April May June July August September October November December".split()
)


def _is_indonesian(lang: str | None = None) -> bool:
    return (lang or get_language() or "id").startswith("id")


def _group_digits(value: int, sep: str) -> str:
    return f"{value:,}".replace(",", sep)


def rupiah(value: int | Decimal | None) -> str:
    """``1250000`` -> ``Rp 1.250.000`` (the Rupiah is written this way in both languages)."""
    if value is None or value == "":
        return "—"
    amount = int(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {_group_digits(abs(amount), '.')}"


def number(value: int | float | Decimal | None, lang: str | None = None) -> str:
    """Counts with thousands separators: ``12.500`` in Indonesian, ``12,500`` in English."""
    if value is None or value == "":
        return "—"
    return _group_digits(int(value), "." if _is_indonesian(lang) else ",")


def percent(value: float | Decimal | None, lang: str | None = None) -> str:
    """One decimal: ``12,5%`` in Indonesian, ``12.5%`` in English."""
    if value is None:
        return "—"
    text = f"{float(value):.1f}"
    return (text.replace(".", ",") if _is_indonesian(lang) else text) + "%"


def date_long(value: dt.date | dt.datetime | None, lang: str | None = None) -> str:
    """``4 September 2018`` (Indonesian month names in Indonesian, English ones in English)."""
    if value is None:
        return "—"
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    months = MONTHS_ID if _is_indonesian(lang) else MONTHS_EN
    return f"{value.day} {months[value.month - 1]} {value.year}"


def datetime_long(value: dt.datetime | None, lang: str | None = None) -> str:
    """``4 September 2018 09.30`` (Indonesian writes the time with a dot) / ``4 September 2018 09:30``."""
    if value is None:
        return "—"
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    sep = "." if _is_indonesian(lang) else ":"
    return f"{date_long(local, lang)} {local.hour:02d}{sep}{local.minute:02d}"
