"""National ID (NIK) parsing and structural validation: pure, no database.

A NIK is ``PP KK CC DDMMYY SSSS``: province, regency and district where it was issued, birth date with 40
added to the day for women, and a serial. There is no check digit, so validation is structural only
(DOMAIN.md, "National ID (NIK) rules"). Error and warning codes are the stable ones of DESIGN.md.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

# The 38 provinces (Kemendagri 2025). The full region list lives in the database (the regions app);
# the province set is fixed by law and needed here without a database.
PROVINCE_CODES = frozenset(
    [
        "11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33",
        "34", "35", "36", "51", "52", "53", "61", "62", "63", "64", "65", "71", "72",
        "73", "74", "75", "76", "81", "82", "91", "92", "93", "94", "95", "96",
    ]
)  # fmt: skip

# What people and spreadsheets put inside a number: spaces (also no-break and zero-width ones), dots,
# hyphens and dashes, and the apostrophe Excel users type to keep a cell as text.
_SEPARATORS = re.compile(r"[\s.\-\u2010-\u2015\u2212\u200b-\u200d\u2060\ufeff]")
_LEADING_QUOTES = re.compile(r"^[\s'\u2018\u2019`\u00b4]+")
# Full-width digits (from Asian keyboards) and Arabic-Indic digits read as 0-9.
_DIGIT_FORMS = str.maketrans(
    "０１２３４５６７８９٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹",
    "0123456789" * 3,
)
_DIGITS16 = re.compile(r"[0-9]{16}")


@dataclass
class NikResult:
    input: str
    valid: bool = False
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sex: str | None = None  # "M" or "F"
    birth_date: dt.date | None = None
    region: str | None = None  # "PP.KK.CC"
    nik: str | None = None  # the 16 digits, when there are 16
    #: Which part of the NIK each error is about, for messages: code -> detail.
    details: dict[str, str] = field(default_factory=dict)

    def as_json(self) -> dict:
        data = asdict(self)
        data.pop("nik")
        data.pop("details")
        data["birth_date"] = self.birth_date.isoformat() if self.birth_date else None
        return data


def _today() -> dt.date:
    """Today in the offices' time zone (WITA), so a child born this morning is not "in the future"."""
    from django.conf import settings
    from django.utils import timezone

    if settings.configured and settings.USE_TZ:
        return timezone.localdate()
    return dt.date.today()


def normalize_nik(value: object) -> str:
    """The digits of a NIK (or KK) as typed: separators and a leading apostrophe removed, full-width and
    Arabic-Indic digits read as digits."""
    text = str(value if value is not None else "").translate(_DIGIT_FORMS)
    return _SEPARATORS.sub("", _LEADING_QUOTES.sub("", text)).strip()


def length_detail(digits: str) -> str:
    """What is wrong with a number that is not 16 digits: "letter" or "digits:<n>"."""
    if not digits.isdigit():
        return "letter"
    return f"digits:{len(digits)}"


def parse_nik(
    value: object,
    *,
    sex: str | None = None,
    birth_date: dt.date | None = None,
    today: dt.date | None = None,
    district_exists: Callable[[str], bool] | None = None,
) -> NikResult:
    """Checks a NIK by its structure; ``sex`` ("M"/"F") and ``birth_date`` are compared when given.

    ``district_exists`` answers whether a "PP.KK.CC" code is a known district; an unknown one is only a
    warning, since old codes survive region splits.
    """
    result = NikResult(input=str(value if value is not None else ""))
    digits = normalize_nik(value)
    if not _DIGITS16.fullmatch(digits):
        result.errors.append("nik_format")
        result.details["nik_format"] = length_detail(digits)
        return result
    result.nik = digits
    today = today or _today()

    pp, kk, cc = digits[0:2], digits[2:4], digits[4:6]
    day, month, yy, serial = int(digits[6:8]), int(digits[8:10]), int(digits[10:12]), digits[12:16]

    # Each part is checked on its own, so an operator sees every problem of a number at once.
    if pp not in PROVINCE_CODES:
        result.errors.append("nik_province")
    if kk == "00" or cc == "00":
        result.errors.append("nik_format")
        result.details["nik_format"] = "regency" if kk == "00" else "district"
    if not result.errors:
        result.region = f"{pp}.{kk}.{cc}"

    female = day > 40
    real_day = day - 40 if female else day
    century = 1900 if yy > today.year % 100 else 2000
    born: dt.date | None = None
    if 1 <= real_day <= 31 and (day <= 31 or 41 <= day <= 71):
        try:
            born = dt.date(century + yy, month, real_day)
        except ValueError:
            born = None
    if born is None:
        result.errors.append("nik_date")
        result.details["nik_date"] = "month" if not 1 <= month <= 12 else "day"
    elif born > today:
        result.errors.append("nik_future")
    else:
        result.birth_date = born
        result.sex = "F" if female else "M"

    if serial == "0000":
        result.errors.append("nik_serial")

    if result.sex and sex and sex != result.sex:
        result.errors.append("nik_sex_mismatch")
    if result.birth_date and birth_date and birth_date != result.birth_date:
        result.errors.append("nik_birthdate_mismatch")

    if result.region and district_exists is not None and not district_exists(result.region):
        result.warnings.append("nik_region_unknown")

    result.valid = not result.errors
    return result


def mask_nik(value: str | None) -> str:
    """``5105031234560001`` -> ``••••••••••••0001``: the last four digits only.

    The hidden twelve are the region and the birth date (+40 for women), which a page often shows beside
    the number: keeping any of them would let a reader rebuild the whole NIK.
    """
    digits = normalize_nik(value or "")
    if len(digits) <= 4:
        return "•" * len(digits)
    return "•" * (len(digits) - 4) + digits[-4:]
