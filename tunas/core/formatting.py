"""Numbers, money and dates as Indonesian offices write them (and English readers expect)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import get_language

MONTHS_ID = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
]  # fmt: skip
MONTHS_EN = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip

# Monday first, as datetime.date.weekday() counts.
DAYS_ID = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
DAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _is_indonesian(lang: str | None = None) -> bool:
    return (lang or get_language() or "id").startswith("id")


def _group_digits(value: int, sep: str) -> str:
    return f"{value:,}".replace(",", sep)


def _decimal(value: object) -> Decimal | None:
    """The value as a finite Decimal, or None when it is not a number (templates must not crash on it)."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def _whole(value: Decimal) -> int:
    # Half-up, as people round money and counts by hand (Python's round() goes half-even).
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def rupiah(value: int | Decimal | None) -> str:
    """``1250000`` -> ``Rp 1.250.000`` (the Rupiah is written this way in both languages)."""
    amount = _decimal(value)
    if amount is None:
        return "—" if value in (None, "") else str(value)
    whole = _whole(amount)
    sign = "-" if whole < 0 else ""
    return f"{sign}Rp {_group_digits(abs(whole), '.')}"


def number(value: int | float | Decimal | None, lang: str | None = None) -> str:
    """Counts with thousands separators: ``12.500`` in Indonesian, ``12,500`` in English."""
    amount = _decimal(value)
    if amount is None:
        return "—" if value in (None, "") else str(value)
    whole = _whole(amount)
    sign = "-" if whole < 0 else ""
    return sign + _group_digits(abs(whole), "." if _is_indonesian(lang) else ",")


def approximate(value: int, lang: str | None = None) -> str:
    """A large count as people say it: ``1,2 juta`` / ``1.2 million``; below a million, rounded to two
    significant digits with separators (``45.000``)."""
    indonesian = _is_indonesian(lang)
    if value >= 1_000_000:
        millions = (Decimal(value) / 1_000_000).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        text = f"{millions:.1f}".removesuffix(".0")
        return f"{text.replace('.', ',')} juta" if indonesian else f"{text} million"
    digits = len(str(value))
    step = 10 ** max(digits - 2, 0)
    return number(int(Decimal(value / step).quantize(Decimal("1"), rounding=ROUND_HALF_UP)) * step, lang)


def percent(value: float | Decimal | None, lang: str | None = None) -> str:
    """One decimal, rounded half up: ``12,5%`` in Indonesian, ``12.5%`` in English."""
    amount = _decimal(value)
    if amount is None:
        return "—" if value in (None, "") else str(value)
    rounded = amount.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0,0%"
    text = f"{rounded:.1f}"
    return (text.replace(".", ",") if _is_indonesian(lang) else text) + "%"


def date_long(value: dt.date | dt.datetime | None, lang: str | None = None) -> str:
    """``4 September 2018`` (Indonesian month names in Indonesian, English ones in English)."""
    if value is None or value == "":
        return "—"
    if not isinstance(value, dt.date):
        return str(value)
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    months = MONTHS_ID if _is_indonesian(lang) else MONTHS_EN
    return f"{value.day} {months[value.month - 1]} {value.year}"


def minutes(value: dt.timedelta | None) -> int:
    """Whole minutes of a duration, rounded up: a wait of 14 min 30 s is announced as 15 minutes."""
    if not isinstance(value, dt.timedelta):
        return 0
    seconds = max(int(value.total_seconds()), 0)
    return -(-seconds // 60)


def datetime_long(value: dt.datetime | None, lang: str | None = None) -> str:
    """``4 September 2018 09.30`` (Indonesian writes the time with a dot) / ``4 September 2018 09:30``."""
    if value is None or value == "":
        return "—"
    if not isinstance(value, dt.datetime):
        return date_long(value, lang)
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    sep = "." if _is_indonesian(lang) else ":"
    return f"{date_long(local, lang)} {local.hour:02d}{sep}{local.minute:02d}"


def day_name(value: dt.date | dt.datetime | None, lang: str | None = None) -> str:
    """``Jumat`` for 31 August 2018 in Indonesian, ``Friday`` in English (letters name the weekday)."""
    if not isinstance(value, dt.date):
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return (DAYS_ID if _is_indonesian(lang) else DAYS_EN)[value.weekday()]


def phone(value: str | None) -> str:
    """``+6281238451120`` -> ``0812-3845-1120``: an Indonesian number as people read and dial it."""
    text = (value or "").strip()
    if not text:
        return ""
    digits = "".join(ch for ch in text if ch.isdigit())
    if text.startswith("+62") or digits.startswith("62"):
        digits = "0" + digits[2:]
    if len(digits) < 8:
        return text
    head, rest = digits[:4], digits[4:]
    groups = [rest[i : i + 4] for i in range(0, len(rest), 4)]
    return "-".join([head, *groups])
