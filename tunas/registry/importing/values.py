"""Pure parsers of cell values: text, dates (with Indonesian month names), sex, village codes and choices.

Nothing here reads the database. A parser takes the cell as read and as text, the column's allowed values
(when it has any) and a list on which it notes what is wrong; it returns the value to use.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from tunas.core.choices import TARGET_CATEGORY_ID_LABELS, TargetCategory
from tunas.core.errors import message_for
from tunas.core.formatting import MONTHS_EN, MONTHS_ID
from tunas.core.nik import length_detail, normalize_nik
from tunas.regions.services import split_hamlet_name

from ..models import Disability, Education, Employment, Role
from ..rules import kk_is_valid, normalize_kk, normalize_phone

# The words of the role column. They are the file format, so they stay Indonesian in every interface language.
ROLE_WORDS = {
    "Ketua": Role.CHAIR,
    "Sekretaris": Role.SECRETARY,
    "Bendahara": Role.TREASURER,
    "Anggota": Role.MEMBER,
}


@dataclass(frozen=True)
class Invalid:
    """What is wrong with a cell: its stable code, and a message when the code's sentence is not enough."""

    code: str
    message: str | None = None


# (cell as read, cell as text, the column's allowed values, problems found) -> the value to use.
Parser = Callable[[object, str, "Choices | None", list[Invalid]], Any]


def cell_text(value: object) -> str:
    """A cell as single-spaced text: whole numbers without ".0", dates as ISO dates, empty cells as ""."""
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return " ".join(str(value).split())


def word_key(text: str) -> str:
    """How names and choices are compared: lower case, single spaces, underscores read as spaces."""
    return " ".join(text.replace("_", " ").lower().split())


def with_detail(code: str, detail: str) -> str:
    """The code's sentence followed by what exactly is wrong."""
    return f"{message_for(code)} {detail}"


def not_accepted(value: str, allowed: str) -> Invalid:
    """A value outside a column's choices, named together with the values that are accepted."""
    detail = _("“%(value)s” is not accepted; use one of: %(allowed)s.") % {
        "value": value,
        "allowed": allowed,
    }
    return Invalid("value_invalid", with_detail("value_invalid", detail))


# --- choices ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choices:
    """The words a column accepts, any case: keys, labels in English and in the interface language, and the
    spellings offices use. ``items`` are (key, word) pairs: what the template's drop-down offers, and what an
    error message lists."""

    lookup: Mapping[str, str]
    items: tuple[tuple[str, str], ...]

    @property
    def words(self) -> list[str]:
        return [word for _key, word in self.items]

    @property
    def allowed(self) -> str:
        return ", ".join(self.words)

    def get(self, text: str) -> str | None:
        return self.lookup.get(word_key(text))


def choices_of(
    choices: Iterable[tuple[str, Any]],
    extra: Mapping[str, str] | None = None,
    items: Iterable[tuple[str, str]] | None = None,
) -> Choices:
    """Choices from a model's (key, label) pairs, with extra spellings; ``items`` default to the labels."""
    lookup: dict[str, str] = {}
    labels = []
    for key, label in choices:
        labels.append((key, str(label)))
        with translation.override("en"):
            english = str(label)
        for word in (key, str(label), english):
            lookup.setdefault(word_key(word), key)
    lookup.update(extra or {})
    return Choices(lookup=lookup, items=tuple(labels if items is None else items))


_SEX = {
    **dict.fromkeys(("l", "lk", "laki-laki", "laki laki", "lakilaki", "laki", "pria", "m", "male"), "M"),
    **dict.fromkeys(("p", "pr", "perempuan", "wanita", "f", "female"), "F"),
}


def sex_choices() -> Choices:
    return Choices(lookup=_SEX, items=(("M", "L"), ("F", "P")))


def category_choices() -> Choices:
    return choices_of(
        TargetCategory.choices,
        {word_key(label): key for key, label in TARGET_CATEGORY_ID_LABELS.items()},
        items=TARGET_CATEGORY_ID_LABELS.items(),
    )


def disability_choices() -> Choices:
    extra = {
        **dict.fromkeys(("-", "tidak", "tidak ada", "bukan", "none", "no", "non disabilitas"), ""),
        **dict.fromkeys(("daksa", "tuna daksa", "tunadaksa"), Disability.PHYSICAL),
        **dict.fromkeys(("grahita", "tuna grahita", "tunagrahita"), Disability.INTELLECTUAL),
        **dict.fromkeys(("netra", "tuna netra", "tunanetra"), Disability.VISUAL),
        **dict.fromkeys(("rungu", "tuna rungu", "tunarungu"), Disability.HEARING),
        **dict.fromkeys(("wicara", "tuna wicara", "tunawicara"), Disability.SPEECH),
    }
    return choices_of([(k, v) for k, v in Disability.choices if k], extra)


def employment_choices() -> Choices:
    return choices_of(
        Employment.choices,
        extra={
            word_key(w): key
            for w, key in [
                ("PNS", "asn"),
                ("ASN/PNS", "asn"),
                ("Pegawai negeri", "asn"),
                ("TNI", "tni"),
                ("Polri", "polri"),
                ("Polisi", "polri"),
                ("Karyawan", "formal"),
                ("Karyawan swasta", "formal"),
                ("Pegawai swasta", "formal"),
                ("Tidak bekerja", "tidak_bekerja"),
                ("Belum bekerja", "tidak_bekerja"),
                ("Buruh harian", "informal"),
                ("Wiraswasta", "usaha_sendiri"),
                ("Pensiunan", "pensiun"),
            ]
        },
    )


def education_choices() -> Choices:
    extra = {
        **dict.fromkeys(("smk", "sma/smk", "slta", "ma"), Education.SMA),
        **dict.fromkeys(("sltp", "mts"), Education.SMP),
        **dict.fromkeys(("mi", "tidak tamat sd"), Education.SD),
        **dict.fromkeys(("d1", "d2", "d3", "d4"), Education.DIPLOMA),
        **dict.fromkeys(("s3",), Education.S2),
    }
    return choices_of(Education.choices, extra)


def role_choices() -> Choices:
    return choices_of(
        Role.choices,
        {word_key(word): key for word, key in ROLE_WORDS.items()},
        items=[(key, word) for word, key in ROLE_WORDS.items()],
    )


# --- dates, sex, villages ---------------------------------------------------------------------------------

_MONTHS: dict[str, int] = {}
for _index, (_id, _en) in enumerate(zip(MONTHS_ID, MONTHS_EN, strict=True), start=1):
    for _name in (_id, _en, _id[:3], _en[:3]):
        _MONTHS[_name.lower()] = _index
_MONTHS.update({"agt": 8, "ags": 8, "sept": 9, "peb": 2, "pebruari": 2, "nop": 11, "nopember": 11, "okt": 10})

# A date, possibly followed by the midnight time a spreadsheet adds ("20-08-1985 00:00:00").
_DMY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ T][0-9:.]*)?")
_YMD = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T][0-9:.]*)?")
_D_MONTH_Y = re.compile(r"(\d{1,2})[\s\-/.]*([a-z]+)\.?[\s\-/.,]*(\d{4})")
_MONTH_D_Y = re.compile(r"([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})")


def parse_date(value: object) -> dt.date | None:
    """A birth date from a date cell, ``DD-MM-YYYY``, ``DD/MM/YYYY``, ``YYYY-MM-DD`` or with a month name
    (Indonesian or English, full or short: ``17 Agustus 1980``, ``7 Nov 1978``)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = " ".join(value.lower().split())
    day = month = year = None
    if m := _DMY.fullmatch(text):
        day, month, year = int(m[1]), int(m[2]), int(m[3])
    elif m := _YMD.fullmatch(text):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := _D_MONTH_Y.fullmatch(text):
        day, month, year = int(m[1]), _MONTHS.get(m[2]), int(m[3])
    elif m := _MONTH_D_Y.fullmatch(text):
        month, day, year = _MONTHS.get(m[1]), int(m[2]), int(m[3])
    if not (day and month and year) or year < 1900:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_sex(text: str) -> str | None:
    """``M`` or ``F`` from L/P, Laki-laki/Perempuan, M/F and their usual spellings, any case."""
    return _SEX.get(word_key(text))


_SCIENTIFIC = re.compile(r"\d(?:[.,]\d+)?e\+?\d+", re.IGNORECASE)
_VILLAGE_CODE = re.compile(r"(\d{2})[.\s-]?(\d{2})[.\s-]?(\d{2})[.\s-]?(\d{4})(?!\d)")
_VILLAGE_WORD = re.compile(r"^(desa|kelurahan|kel\.?|ds\.?)\s+", re.IGNORECASE)


def parse_village(value: object) -> tuple[str, str]:
    """``("code", "51.05.03.1008")`` for a code with or without dots (also at the start of a drop-down
    item "51.05.03.1008 Semarapura Kaja"), else ``("name", "semarapura kaja")``."""
    text = cell_text(value)
    if m := _VILLAGE_CODE.match(text):
        return "code", f"{m[1]}.{m[2]}.{m[3]}.{m[4]}"
    return "name", word_key(_VILLAGE_WORD.sub("", text))


def arrived_as_number(value: object, text: str) -> bool:
    """Spreadsheets keep 15 significant digits: a 16-digit number typed into a number cell may have lost its
    last one, and a CSV may hold it in scientific notation."""
    return isinstance(value, int | float) or bool(_SCIENTIFIC.fullmatch(text))


# --- the columns' parsers ---------------------------------------------------------------------------------


def nik_cell(value: object, text: str, allowed: Choices | None, problems: list[Invalid]) -> str:
    """The NIK as digits; its structure is checked with the programme's rules later."""
    if arrived_as_number(value, text):
        problems.append(Invalid("nik_format", message_for("nik_as_number")))
        return ""
    return normalize_nik(text)


def kk_cell(value: object, text: str, allowed: Choices | None, problems: list[Invalid]) -> str:
    if arrived_as_number(value, text):
        problems.append(
            Invalid(
                "kk_format",
                _(
                    "The KK number arrived as a number, so the spreadsheet may have cut its last digits. "
                    "Format the No KK column as text and type the number again."
                ),
            )
        )
        return ""
    kk = normalize_kk(text)
    if not kk_is_valid(kk):
        problems.append(Invalid("kk_format", message_for("kk_format", length_detail(kk))))
        return ""
    return kk


def date_cell(value: object, text: str, allowed: Choices | None, problems: list[Invalid]) -> dt.date | None:
    day = parse_date(value)
    if day is None:
        problems.append(Invalid("date_invalid"))
    return day


def phone_cell(value: object, text: str, allowed: Choices | None, problems: list[Invalid]) -> str:
    phone = normalize_phone(text)
    if not phone:
        problems.append(Invalid("phone_invalid"))
    return phone


def choice_cell(value: object, text: str, allowed: Choices | None, problems: list[Invalid]) -> str:
    """The key of one of the column's choices, or "" when the text is none of them."""
    assert allowed is not None, "a choice column declares its allowed values"
    found = allowed.get(text)
    if found is None:
        problems.append(not_accepted(text, allowed.allowed))
        return ""
    return found


def choice_list_cell(value: object, text: str, allowed: Choices | None, problems: list[Invalid]) -> list[str]:
    """The keys of several choices separated by commas or semicolons, each once, in the order written."""
    assert allowed is not None, "a choice column declares its allowed values"
    keys: list[str] = []
    for part in re.split(r"[;,]", text):
        if not part.strip():
            continue
        key = allowed.get(part)
        if key is None:
            problems.append(not_accepted(part.strip(), allowed.allowed))
        elif key not in keys:
            keys.append(key)
    return keys


def village_cell(
    value: object, text: str, allowed: Choices | None, problems: list[Invalid]
) -> tuple[str, str]:
    """("code", code) or ("name", name), looked up for the whole file later."""
    return parse_village(value)


def hamlet_cell(
    value: object, text: str, allowed: Choices | None, problems: list[Invalid]
) -> tuple[str, str]:
    """(kind, name): "Banjar Besang" is the banjar "Besang"; looked up within its village later."""
    return split_hamlet_name(text)


def name_cell(value: object, text: str, allowed: Choices | None, problems: list[Invalid]) -> str:
    """A name compared as names are (any case and spacing), looked up for the whole file later."""
    return word_key(text)
