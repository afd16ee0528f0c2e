"""Spreadsheet import of programme participants: reading, parsing, checking and the bulk write.

One pass reads every row into Python values; the eligibility context is then built once for the whole file
(tunas.registry.eligibility), each row is checked in sheet order, and the valid rows are written with bulk
inserts, their django-simple-history rows beside them, in a single transaction. The number of queries grows
with the file size divided by the batch size, never with the number of rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import python_calamine
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from lokal import normalize_phone

from tunas.core.choices import TARGET_CATEGORY_ID_LABELS, TargetCategory
from tunas.core.errors import Problem, message_for
from tunas.core.formatting import MONTHS_EN, MONTHS_ID
from tunas.core.nik import normalize_nik, parse_nik
from tunas.regions.models import Hamlet, Village
from tunas.regions.selectors import district_exists, within_q
from tunas.regions.services import split_hamlet_name

from .eligibility import EligibilityContext, check_candidate
from .models import (
    Disability,
    Education,
    GroupStatus,
    Membership,
    Person,
    Role,
    Verification,
    name_key,
)
from .services import OPEN_STATUSES, SINGLE_ROLES, PersonData

# The columns simple-history adds to a copy of the tracked fields, in the order _write_history fills them.
HISTORY_FIELDS = ("history_date", "history_type", "history_user", "history_change_reason")
# Rows written per statement batch: large enough for few queries, small enough that a batch of people,
# memberships and their history stays a few megabytes.
BATCH = 1000
SPREADSHEET_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".ods")
EXTENSIONS = (*SPREADSHEET_EXTENSIONS, ".csv")
HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    max_length: int | None = None


# The template's words. They are the file format, so they stay Indonesian in every interface language.
COLUMNS = (
    Column("nik", "NIK", required=True),
    Column("kk", "No KK"),
    Column("full_name", "Nama", required=True, max_length=150),
    Column("sex", "Jenis Kelamin", required=True),
    Column("birth_place", "Tempat Lahir", max_length=100),
    Column("birth_date", "Tanggal Lahir", required=True),
    Column("street", "Alamat", max_length=200),
    Column("village", "Kode Desa", required=True),
    Column("hamlet", "Banjar/Dusun", max_length=100),
    Column("phone", "No HP"),
    Column("categories", "Kategori", required=True),
    Column("disability", "Disabilitas"),
    Column("education", "Pendidikan"),
    Column("group", "Kelompok", required=True),
    Column("role", "Peran"),
)
HEADERS = tuple(c.header for c in COLUMNS)
HEADER_OF = {c.key: c.header for c in COLUMNS}

ROLE_WORDS = {
    "Ketua": Role.CHAIR,
    "Sekretaris": Role.SECRETARY,
    "Bendahara": Role.TREASURER,
    "Anggota": Role.MEMBER,
}


class ImportFileError(Exception):
    """The file cannot be read as a participant list: not a spreadsheet, no header, or missing columns."""


@dataclass
class ImportReport:
    rows: int = 0
    valid: int = 0
    created: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "rows": self.rows,
            "valid": self.valid,
            "created": self.created,
            "errors": [p.as_dict() for p in self.errors],
            "warnings": [p.as_dict() for p in self.warnings],
        }


Progress = Callable[[int, int, str], None]


# ---------------------------------------------------------------------------------------------------------
# Reading


def _header_key(text: object) -> str:
    words = re.sub(r"[.*:]", " ", str(text or "")).lower()
    return re.sub(r"\s*/\s*", "/", " ".join(words.split()))


_ALIASES = {
    "nomor kk": "kk",
    "no kk": "kk",
    "kk": "kk",
    "nama lengkap": "full_name",
    "nomor hp": "phone",
    "no hp/wa": "phone",
    "no wa": "phone",
    "telepon": "phone",
    "banjar": "hamlet",
    "dusun": "hamlet",
    "tgl lahir": "birth_date",
    "desa": "village",
    "kode desa/kelurahan": "village",
    "desa/kelurahan": "village",
    "nama kelompok": "group",
}
_HEADER_LOOKUP = {_header_key(c.header): c.key for c in COLUMNS} | _ALIASES


def map_headers(cells: Iterable[object]) -> dict[str, int]:
    """Column key -> cell index; header order is free, case and punctuation are ignored."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = _HEADER_LOOKUP.get(_header_key(cell))
        if key and key not in found:
            found[key] = index
    return found


@dataclass
class Table:
    columns: dict[str, int]
    rows: Iterator[tuple[int, list]]
    size: int


def read_table(source, filename: str = "") -> Table:
    """Opens an uploaded file and finds the participant sheet and its header row.

    ``source`` is a path or a binary file object; ``filename`` gives the type when ``source`` has no name.
    Raises ImportFileError with a sentence the user can act on.
    """
    name = filename or str(getattr(source, "name", source))
    suffix = Path(name).suffix.lower()
    if suffix and suffix not in EXTENSIONS:
        raise ImportFileError(
            _("Files of type %(type)s cannot be imported. Use the template (.xlsx), or .xls, .ods or .csv.")
            % {"type": suffix}
        )
    if suffix == ".csv":
        grid, lines = _csv_rows(source)
        return _table_from(grid, size=lines)
    try:
        workbook = python_calamine.CalamineWorkbook.from_object(source)
        sheets = [
            workbook.get_sheet_by_name(meta.name)
            for meta in workbook.sheets_metadata
            if meta.typ == python_calamine.SheetTypeEnum.WorkSheet
            and meta.visible == python_calamine.SheetVisibleEnum.Visible
        ]
    except (python_calamine.CalamineError, OSError, ValueError) as exc:
        raise ImportFileError(
            _(
                "The file cannot be read as a spreadsheet. Open it in a spreadsheet program, save it as "
                ".xlsx and try again."
            )
        ) from exc
    for sheet in sheets:
        try:
            table = _table_from(sheet.iter_rows(), size=sheet.end[0] + 1 if sheet.end else 0)
        except ImportFileError:
            if sheet is sheets[-1]:
                raise
            continue
        return table
    raise ImportFileError(_("The file has no worksheet with data. Use the template."))


def _csv_rows(source) -> tuple[Iterator[list], int]:
    raw = Path(source).read_bytes() if isinstance(source, str | Path) else source.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves CSV in the ANSI code page unless told otherwise.
        text = raw.decode("cp1252", errors="replace")
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), text.count("\n")


def _table_from(rows: Iterable[list], *, size: int) -> Table:
    iterator = iter(rows)
    for number, cells in enumerate(iterator, start=1):
        columns = map_headers(cells)
        if "nik" in columns and ("full_name" in columns or len(columns) >= 3):
            missing = [c.header for c in COLUMNS if c.required and c.key not in columns]
            if missing:
                raise ImportFileError(
                    _(
                        "The file lacks these columns: %(columns)s. "
                        "Use the template, or add the columns with these headers."
                    )
                    % {"columns": ", ".join(missing)}
                )
            header_row = number
            return Table(
                columns=columns,
                rows=((n, cells) for n, cells in enumerate(iterator, start=header_row + 1)),
                size=max(0, size - header_row),
            )
        if number >= HEADER_SEARCH_ROWS:
            break
    raise ImportFileError(
        _(
            "No header row with the template's columns (NIK, Nama, …) was found at the top of the sheet. "
            "Use the template."
        )
    )


def data_rows(table: Table) -> Iterator[tuple[int, dict[str, object]]]:
    """(row number, {column key: cell}) of every row below the header with something in a known column."""
    for number, cells in table.rows:
        values = {key: (cells[i] if i < len(cells) else "") for key, i in table.columns.items()}
        if any(v is not None and v != "" for v in values.values()):
            yield number, values


# ---------------------------------------------------------------------------------------------------------
# Values


def cell_text(value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return " ".join(str(value).split())


def _word(text: str) -> str:
    return " ".join(text.replace("_", " ").lower().split())


_MONTHS: dict[str, int] = {}
for _index, (_id, _en) in enumerate(zip(MONTHS_ID, MONTHS_EN, strict=True), start=1):
    for _name in (_id, _en, _id[:3], _en[:3]):
        _MONTHS[_name.lower()] = _index
_MONTHS.update({"agt": 8, "ags": 8, "sept": 9, "peb": 2, "pebruari": 2, "nop": 11, "nopember": 11, "okt": 10})

_DMY = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
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


_SEX = {
    **dict.fromkeys(("l", "lk", "laki-laki", "laki laki", "lakilaki", "laki", "pria", "m", "male"), "M"),
    **dict.fromkeys(("p", "pr", "perempuan", "wanita", "f", "female"), "F"),
}


def parse_sex(text: str) -> str | None:
    return _SEX.get(_word(text))


_SCIENTIFIC = re.compile(r"\d(?:[.,]\d+)?e\+?\d+", re.IGNORECASE)
_VILLAGE_CODE = re.compile(r"(\d{2})\.?(\d{2})\.?(\d{2})\.?(\d{4})(?!\d)")
_VILLAGE_WORD = re.compile(r"^(desa|kelurahan|kel\.?|ds\.?)\s+", re.IGNORECASE)


def parse_village(value: object) -> tuple[str, str]:
    """``("code", "51.05.03.1008")`` for a code with or without dots (also at the start of a drop-down
    item "51.05.03.1008 Semarapura Kaja"), else ``("name", "semarapura kaja")``."""
    text = cell_text(value)
    if m := _VILLAGE_CODE.match(text):
        return "code", f"{m[1]}.{m[2]}.{m[3]}.{m[4]}"
    return "name", _word(_VILLAGE_WORD.sub("", text))


class _Choices:
    """Keys and labels (in English and in the interface language) of a set of choices, any case."""

    def __init__(self, choices, extra: dict[str, str] | None = None, allowed: Iterable[str] = ()):
        self.lookup: dict[str, str] = {}
        labels = []
        for key, label in choices:
            labels.append(str(label))
            with translation.override("en"):
                english = str(label)
            for word in (key, str(label), english):
                self.lookup.setdefault(_word(word), key)
        self.lookup.update(extra or {})
        self.allowed = ", ".join(allowed or labels)

    def get(self, text: str) -> str | None:
        return self.lookup.get(_word(text))


def _category_choices() -> _Choices:
    return _Choices(
        TargetCategory.choices,
        {_word(label): key for key, label in TARGET_CATEGORY_ID_LABELS.items()},
        allowed=TARGET_CATEGORY_ID_LABELS.values(),
    )


def _disability_choices() -> _Choices:
    extra = {
        **dict.fromkeys(("-", "tidak", "tidak ada", "bukan", "none", "no", "non disabilitas"), ""),
        **dict.fromkeys(("daksa", "tuna daksa", "tunadaksa"), Disability.PHYSICAL),
        **dict.fromkeys(("grahita", "tuna grahita", "tunagrahita"), Disability.INTELLECTUAL),
        **dict.fromkeys(("netra", "tuna netra", "tunanetra"), Disability.VISUAL),
        **dict.fromkeys(("rungu", "tuna rungu", "tunarungu"), Disability.HEARING),
        **dict.fromkeys(("wicara", "tuna wicara", "tunawicara"), Disability.SPEECH),
    }
    return _Choices([(k, v) for k, v in Disability.choices if k], extra)


def _education_choices() -> _Choices:
    extra = {
        **dict.fromkeys(("smk", "sma/smk", "slta", "ma"), Education.SMA),
        **dict.fromkeys(("sltp", "mts"), Education.SMP),
        **dict.fromkeys(("mi", "tidak tamat sd"), Education.SD),
        **dict.fromkeys(("d1", "d2", "d3", "d4"), Education.DIPLOMA),
        **dict.fromkeys(("s3",), Education.S2),
    }
    return _Choices(Education.choices, extra)


def _role_choices() -> _Choices:
    return _Choices(Role.choices, {_word(word): key for word, key in ROLE_WORDS.items()}, allowed=ROLE_WORDS)


# ---------------------------------------------------------------------------------------------------------
# The engine


class _Row:
    __slots__ = (
        "number",
        "data",
        "given",
        "village_kind",
        "village_text",
        "hamlet_key",
        "hamlet_kind",
        "group_text",
        "group_id",
        "role",
        "errors",
        "warnings",
    )

    def __init__(self, number: int):
        self.number = number
        self.given: set[str] = set()
        self.village_kind = self.village_text = self.group_text = ""
        self.hamlet_key: tuple[str, str] | None = None
        self.hamlet_kind = ""
        self.group_id: int | None = None
        self.role = Role.MEMBER
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    def error(self, code: str, column: str, message: str | None = None) -> None:
        self.errors.append(
            Problem(code=code, message=message or message_for(code), field=column, row=self.number)
        )

    def warn(self, code: str, column: str, message: str | None = None) -> None:
        self.warnings.append(
            Problem(code=code, message=message or message_for(code), field=column, row=self.number)
        )

    def has_error_in(self, column: str) -> bool:
        return any(p.field == column for p in self.errors)


def _with_detail(code: str, detail: str) -> str:
    return f"{message_for(code)} {detail}"


class Importer:
    """Checks (and optionally writes) the rows of one file for one programme."""

    def __init__(self, program, *, by=None, batch_size: int = BATCH):
        self.program = program
        self.by = by
        self.batch_size = batch_size
        self.categories = _category_choices()
        self.disabilities = _disability_choices()
        self.educations = _education_choices()
        self.roles = _role_choices()
        self.new_hamlets: dict[tuple[str, str], tuple[str, str]] = {}

    # -- parsing, no database ------------------------------------------------------------------------------

    def parse(self, number: int, values: dict[str, object]) -> _Row:
        row = _Row(number)
        text = {key: cell_text(v) for key, v in values.items()}
        for column in COLUMNS:
            if column.required and not text.get(column.key):
                row.error("required", column.header)
            elif column.max_length and len(text.get(column.key, "")) > column.max_length:
                row.error(
                    "value_invalid",
                    column.header,
                    _with_detail(
                        "value_invalid",
                        _("The text is too long: at most %(max)s characters.") % {"max": column.max_length},
                    ),
                )

        nik = self._parse_nik(row, values.get("nik"), text.get("nik", ""))
        kk = self._parse_kk(row, values.get("kk"), text.get("kk", ""))
        sex = None
        if text.get("sex"):
            sex = parse_sex(text["sex"])
            if sex is None:
                self._invalid(row, "sex", text["sex"], "L, P")
        birth_date = None
        if text.get("birth_date"):
            birth_date = parse_date(values["birth_date"])
            if birth_date is None:
                row.error("date_invalid", HEADER_OF["birth_date"])
        phone = ""
        if text.get("phone"):
            phone = normalize_phone(text["phone"]) or ""
            if not phone or len(phone) > 16:
                row.error("phone_invalid", HEADER_OF["phone"])
                phone = ""
        categories = []
        if text.get("categories"):
            for part in re.split(r"[;,]", text["categories"]):
                if not part.strip():
                    continue
                key = self.categories.get(part)
                if key is None:
                    self._invalid(row, "categories", part.strip(), self.categories.allowed)
                elif key not in categories:
                    categories.append(key)
        disability = self._choice(row, "disability", text, self.disabilities)
        education = self._choice(row, "education", text, self.educations)
        if text.get("role"):
            role = self.roles.get(text["role"])
            if role is None:
                self._invalid(row, "role", text["role"], ", ".join(ROLE_WORDS))
            else:
                row.role = role
        if text.get("village"):
            row.village_kind, row.village_text = parse_village(values["village"])
        if text.get("hamlet") and not row.has_error_in(HEADER_OF["hamlet"]):
            row.hamlet_kind, hamlet_name = split_hamlet_name(text["hamlet"])
            row.hamlet_key = ("", hamlet_name)
        row.group_text = _word(text.get("group", ""))

        for key in ("kk", "birth_place", "street", "phone", "education"):
            if text.get(key):
                row.given.add(key)
        if text.get("disability"):
            row.given.add("disability")
        row.data = PersonData(
            nik=nik,
            full_name=text.get("full_name", ""),
            sex=sex or "",
            birth_date=birth_date,
            village_id="",
            kk=kk,
            birth_place=text.get("birth_place", ""),
            street=text.get("street", ""),
            phone=phone,
            education=education,
            disability=disability,
            categories=categories,
        )
        return row

    def _invalid(self, row: _Row, key: str, value: str, allowed: str) -> None:
        row.error(
            "value_invalid",
            HEADER_OF[key],
            _with_detail(
                "value_invalid",
                _("“%(value)s” is not accepted; use one of: %(allowed)s.")
                % {"value": value, "allowed": allowed},
            ),
        )

    def _choice(self, row: _Row, key: str, text: dict, choices: _Choices) -> str:
        if not text.get(key):
            return ""
        found = choices.get(text[key])
        if found is None:
            self._invalid(row, key, text[key], choices.allowed)
            return ""
        return found

    def _parse_nik(self, row: _Row, value: object, text: str) -> str:
        if not text:
            return ""
        header = HEADER_OF["nik"]
        # Spreadsheets keep 15 significant digits: a NIK typed into a number cell may have lost its last one.
        if isinstance(value, int | float) or _SCIENTIFIC.fullmatch(text):
            row.error("nik_format", header, message_for("nik_as_number"))
            return ""
        return normalize_nik(text)

    def _parse_kk(self, row: _Row, value: object, text: str) -> str:
        if not text:
            return ""
        header = HEADER_OF["kk"]
        if isinstance(value, int | float) or _SCIENTIFIC.fullmatch(text):
            row.error(
                "nik_format",
                header,
                _(
                    "The KK number arrived as a number, so the spreadsheet may have cut its last digits. "
                    "Format the No KK column as text and type the number again."
                ),
            )
            return ""
        digits = normalize_nik(text)
        if not re.fullmatch(r"[0-9]{16}", digits):
            row.error(
                "nik_format",
                header,
                _(
                    "The family card number (KK) must be exactly 16 digits. "
                    "Check the number on the family card."
                ),
            )
            return ""
        return digits

    # -- lookups, a few queries for the whole file ---------------------------------------------------------

    def resolve(self, rows: list[_Row], *, dry_run: bool) -> None:
        """Villages, hamlets and groups of every row, read in a bounded number of queries."""
        prefix = self.program.office.region_code
        codes = sorted({r.village_text for r in rows if r.village_kind == "code"})
        known_codes: set[str] = set()
        for chunk in _chunks(codes, 2000):
            known_codes.update(Village.objects.filter(code__in=chunk).values_list("code", flat=True))
        names = sorted({r.village_text for r in rows if r.village_kind == "name" and r.village_text})
        codes_by_name: dict[str, list[str]] = {}
        for chunk in _chunks(names, 2000):
            for lname, code in (
                Village.objects.filter(within_q(prefix))
                .annotate(lname=Lower("name"))
                .filter(lname__in=chunk)
                .values_list("lname", "code")
            ):
                codes_by_name.setdefault(_word(lname), []).append(code)

        village_header = HEADER_OF["village"]
        for row in rows:
            if not row.village_kind:
                continue
            if row.village_kind == "code":
                if row.village_text in known_codes:
                    row.data.village_id = row.village_text
                else:
                    row.error("village_unknown", village_header)
                continue
            found = codes_by_name.get(row.village_text, [])
            if len(found) == 1:
                row.data.village_id = found[0]
            elif found:
                row.error(
                    "village_unknown",
                    village_header,
                    _(
                        "More than one village in the jurisdiction has this name. "
                        "Use the village code instead."
                    ),
                )
            else:
                row.error("village_unknown", village_header)

        villages = sorted({r.data.village_id for r in rows if r.hamlet_key and r.data.village_id})
        hamlets: dict[tuple[str, str], int] = {}
        for chunk in _chunks(villages, 2000):
            for village_id, hname, pk in Hamlet.objects.filter(village_id__in=chunk).values_list(
                "village_id", "name", "pk"
            ):
                hamlets[(village_id, _word(hname))] = pk
        hamlet_header = HEADER_OF["hamlet"]
        for row in rows:
            if not row.hamlet_key:
                continue
            if not row.data.village_id:
                row.hamlet_key = None
                continue
            hamlet_name = row.hamlet_key[1]
            key = (row.data.village_id, _word(hamlet_name))
            row.hamlet_key = key
            if key in hamlets:
                row.data.hamlet_id = hamlets[key]
            elif key not in self.new_hamlets:
                self.new_hamlets[key] = (row.hamlet_kind, hamlet_name)
                row.warn(
                    "hamlet_new",
                    hamlet_header,
                    _(
                        "This hamlet is not in the village's list yet; "
                        "it will be added when the rows are imported."
                    )
                    if dry_run
                    else message_for("hamlet_new"),
                )

        groups = {
            _word(name): (pk, status, label)
            for pk, name, status, label in (
                (pk, name, status, GroupStatus(status).label)
                for pk, name, status in self.program.groups.exclude(status=GroupStatus.DISSOLVED).values_list(
                    "pk", "name", "status"
                )
            )
        }
        group_header = HEADER_OF["group"]
        for row in rows:
            if not row.group_text:
                continue
            found = groups.get(row.group_text)
            if found is None:
                row.error("group_unknown", group_header)
            elif found[1] not in OPEN_STATUSES:
                row.error(
                    "value_invalid",
                    group_header,
                    _("The group is %(status)s; its members can no longer change.") % {"status": found[2]},
                )
            else:
                row.group_id = found[0]

    # -- rules ---------------------------------------------------------------------------------------------

    def check(self, rows: list[_Row], progress: Progress | None = None) -> list[_Row]:
        """Applies the NIK rules and the one eligibility engine to every row in sheet order; returns the valid
        rows. Rows with errors take no place in a group."""
        context = EligibilityContext(self.program, [r.data.candidate(r.group_id) for r in rows if r.data.nik])
        roles_taken = set(
            Membership.objects.filter(program=self.program, role__in=SINGLE_ROLES)
            .exclude(verification=Verification.REJECTED)
            .values_list("group_id", "role")
        )
        first_row_of: dict[str, int] = {}
        valid: list[_Row] = []
        nik_header = HEADER_OF["nik"]
        today = timezone.localdate()
        for index, row in enumerate(rows, start=1):
            data = row.data
            if data.nik:
                result = parse_nik(
                    data.nik,
                    sex=data.sex or None,
                    birth_date=data.birth_date,
                    today=today,
                    district_exists=district_exists,
                )
                for code in result.errors:
                    column = HEADER_OF[
                        {"nik_sex_mismatch": "sex", "nik_birthdate_mismatch": "birth_date"}.get(code, "nik")
                    ]
                    row.error(code, column, message_for(code, result.details.get(code)))
                for code in result.warnings:
                    row.warn(code, nik_header)
                earlier = first_row_of.setdefault(data.nik, row.number)
                if earlier != row.number:
                    row.error(
                        "duplicate_in_file",
                        nik_header,
                        _with_detail("duplicate_in_file", _("(row %(row)s)") % {"row": earlier}),
                    )
            single_role = (row.group_id, row.role) if row.role in SINGLE_ROLES and row.group_id else None
            if single_role in roles_taken:
                row.error(
                    "value_invalid",
                    HEADER_OF["role"],
                    _("This group already has a %(role)s. Choose another role or change theirs first.")
                    % {"role": Role(row.role).label.lower()},
                )
            candidate = data.candidate(row.group_id)
            candidate.village_code = data.village_id or None
            errors, warnings = check_candidate(candidate, context)
            failed_columns = {p.field for p in row.errors}
            for p in errors:
                column = HEADER_OF.get(p.field or "nik", nik_header)
                if column not in failed_columns:
                    row.error(p.code, column, p.message)
            for p in warnings:
                row.warn(p.code, HEADER_OF.get(p.field or "nik", nik_header), p.message)
            if not row.errors:
                valid.append(row)
                if single_role:
                    roles_taken.add(single_role)
                if row.group_id is not None:
                    context.take_place(row.group_id)
                # Later rows of the same file are possible duplicates of this one too.
                if data.full_name and data.birth_date:
                    context.people_by_name[(name_key(data.full_name), data.birth_date)].add(data.nik)
                if data.phone:
                    context.people_by_phone[data.phone].add(data.nik)
            if progress and index % self.batch_size == 0:
                progress(index, len(rows), "checking")
        if progress:
            progress(len(rows), len(rows), "checking")
        return valid

    # -- writing -------------------------------------------------------------------------------------------

    UPDATABLE = (
        "kk",
        "full_name",
        "name_key",
        "sex",
        "birth_place",
        "birth_date",
        "village_id",
        "hamlet_id",
        "street",
        "phone",
        "education",
        "disability",
        "categories",
    )

    def write(self, rows: list[_Row], *, reason: str, progress: Progress | None = None) -> int:
        """Creates people (or updates those already known by NIK) and memberships, with their history, in one
        transaction: all valid rows or none."""
        created = 0
        with _full_sqlite_batches(), transaction.atomic():
            self._create_hamlets(rows)
            for chunk in _chunks(rows, self.batch_size):
                created += self._write_chunk(chunk, reason)
                if progress:
                    progress(created, len(rows), "saving")
        return created

    def _create_hamlets(self, rows: list[_Row]) -> None:
        if not self.new_hamlets:
            return
        Hamlet.objects.bulk_create(
            [
                Hamlet(village_id=village_id, name=name, kind=kind, created_by=self.by)
                for (village_id, _key), (kind, name) in self.new_hamlets.items()
            ],
            ignore_conflicts=True,
        )
        villages = sorted({village_id for village_id, _key in self.new_hamlets})
        ids = {
            (village_id, _word(name)): pk
            for village_id, name, pk in Hamlet.objects.filter(village_id__in=villages).values_list(
                "village_id", "name", "pk"
            )
        }
        for row in rows:
            if row.hamlet_key and row.data.hamlet_id is None:
                row.data.hamlet_id = ids[row.hamlet_key]

    def _write_chunk(self, rows: list[_Row], reason: str) -> int:
        existing = {
            p.nik: p for p in Person.objects.select_for_update().filter(nik__in=[r.data.nik for r in rows])
        }
        now = timezone.now()
        new_people: list[Person] = []
        changed: list[Person] = []
        person_of: dict[int, Person] = {}
        for row in rows:
            data = row.data
            person = existing.get(data.nik)
            if person is None:
                person = Person(
                    nik=data.nik,
                    kk=data.kk,
                    full_name=data.full_name,
                    name_key=name_key(data.full_name),
                    sex=data.sex,
                    birth_place=data.birth_place,
                    birth_date=data.birth_date,
                    village_id=data.village_id,
                    hamlet_id=data.hamlet_id,
                    street=data.street,
                    phone=data.phone,
                    education=data.education,
                    disability=data.disability,
                    categories=data.categories,
                    created_by=self.by,
                )
                new_people.append(person)
            elif self._update(person, row):
                person.updated_at = now
                person.version += 1
                changed.append(person)
            person_of[row.number] = person
        history = {"by": self.by, "reason": reason, "when": now, "batch_size": self.batch_size}
        if new_people:
            Person.objects.bulk_create(new_people, batch_size=self.batch_size)
            if new_people[0].pk is None:
                ids = dict(
                    Person.objects.filter(nik__in=[p.nik for p in new_people]).values_list("nik", "pk")
                )
                for person in new_people:
                    person.pk = ids[person.nik]
            _write_history(Person, [p.pk for p in new_people], history_type="+", **history)
        if changed:
            _bulk_update(changed, [*self.UPDATABLE, "updated_at", "version"], batch_size=self.batch_size)
            _write_history(Person, [p.pk for p in changed], history_type="~", **history)
        memberships = [
            Membership(
                program=self.program,
                group_id=row.group_id,
                person=person_of[row.number],
                role=row.role,
                warnings=[
                    {"code": w.code, "message": w.message} for w in row.warnings if w.code != "hamlet_new"
                ],
            )
            for row in rows
        ]
        Membership.objects.bulk_create(memberships, batch_size=self.batch_size)
        if memberships[0].pk is None:
            ids = dict(
                Membership.objects.filter(
                    program=self.program, person__in=[m.person for m in memberships]
                ).values_list("person_id", "pk")
            )
            for membership in memberships:
                membership.pk = ids[membership.person.pk]
        _write_history(Membership, [m.pk for m in memberships], history_type="+", **history)
        return len(memberships)

    def _update(self, person: Person, row: _Row) -> bool:
        """Brings a known person's record up to the row; empty optional cells keep what is on record."""
        data = row.data
        values = {
            "full_name": data.full_name,
            "name_key": name_key(data.full_name),
            "sex": data.sex,
            "birth_date": data.birth_date,
            "village_id": data.village_id,
            "categories": data.categories,
        }
        if data.hamlet_id:
            values["hamlet_id"] = data.hamlet_id
        for key in row.given:
            values[key] = getattr(data, key)
        changed = False
        for name, value in values.items():
            if getattr(person, name) != value:
                setattr(person, name, value)
                changed = True
        return changed


def _write_history(
    model, ids: list[int], *, history_type: str, by, reason: str, when, batch_size: int
) -> None:
    """Adds the django-simple-history rows of rows just written, with one ``INSERT … SELECT`` per batch.

    The rows are those simple-history's bulk_history_create writes (its tracked fields, the date, "+" or "~",
    the user, the reason), into its own tables. Its bulk helpers build a historical instance per row and send
    every value through the ORM a second time: measured on 10,000 rows, that was 40 % of the whole import,
    while the database copies the rows it has just written in a small fraction of the time.
    """
    if not ids or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history = model.history.model
    connection = connections[model._default_manager.db]
    qn = connection.ops.quote_name
    tracked = history.tracked_fields
    extra = [history._meta.get_field(name) for name in HISTORY_FIELDS]
    targets = ", ".join(qn(f.column) for f in [*(history._meta.get_field(f.name) for f in tracked), *extra])
    sources = ", ".join(qn(f.column) for f in tracked)
    constants = [
        extra[0].get_db_prep_save(when, connection),
        history_type,
        by.pk if by is not None else None,
        reason,
    ]
    pk = qn(model._meta.pk.column)
    # Table and column names come from the models' metadata; every value travels as a parameter.
    with connection.cursor() as cursor:
        for chunk in _chunks(ids, batch_size):
            cursor.execute(
                f"INSERT INTO {qn(history._meta.db_table)} ({targets}) "  # noqa: S608
                f"SELECT {sources}, %s, %s, %s, %s FROM {qn(model._meta.db_table)} "
                f"WHERE {pk} IN ({', '.join(['%s'] * len(chunk))})",
                [*constants, *chunk],
            )


def _bulk_update(objs: list, fields: list[str], *, batch_size: int) -> None:
    """Writes ``fields`` of saved rows with one ``UPDATE … FROM (VALUES …)`` statement per batch.

    Django's bulk_update builds a CASE with one branch per row for every field: compiling it for a few hundred
    people costs more than inserting thousands, and the database then scans the branches for every row.
    PostgreSQL and SQLite 3.33+ join a list of values instead; other databases keep Django's way.
    """
    model = type(objs[0])
    # The wrapper itself, not django.db.connection: every attribute read through that proxy costs a
    # context-local lookup, and the values below make tens of thousands of them.
    connection = connections[model._default_manager.db]
    postgres = connection.vendor == "postgresql"
    if not postgres and not (connection.vendor == "sqlite" and sqlite3.sqlite_version_info >= (3, 33)):
        model._default_manager.bulk_update(objs, fields, batch_size=batch_size)
        return
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    pk = model._meta.pk
    columns = [pk, *(model._meta.get_field(name) for name in fields)]
    if postgres:
        # Casts give the VALUES columns their types even where the first row holds a NULL.
        placeholders = "(" + ", ".join(f"CAST(%s AS {f.db_type(connection)})" for f in columns) + ")"
        names = ", ".join(qn(f.column) for f in columns)
        assignments = ", ".join(f"{qn(f.column)} = v.{qn(f.column)}" for f in columns[1:])
        template = (
            f"UPDATE {table} SET {assignments} FROM (VALUES {{rows}}) AS v ({names}) "  # noqa: S608
            f"WHERE {table}.{qn(pk.column)} = v.{qn(pk.column)}"
        )
    else:
        placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
        assignments = ", ".join(f"{qn(f.column)} = v.column{i}" for i, f in enumerate(columns[1:], start=2))
        template = (
            f"UPDATE {table} SET {assignments} FROM (VALUES {{rows}}) AS v "  # noqa: S608
            f"WHERE {table}.{qn(pk.column)} = v.column1"
        )
        batch_size = min(batch_size, connection.features.max_query_params // len(columns))
    # Table and column names come from the model's metadata; every value travels as a parameter.
    with connection.cursor() as cursor:
        for chunk in _chunks(objs, batch_size):
            params = [
                f.get_db_prep_save(getattr(obj, f.attname), connection) for obj in chunk for f in columns
            ]
            cursor.execute(template.format(rows=", ".join([placeholders] * len(chunk))), params)


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


@contextmanager
def _full_sqlite_batches():
    """Lets bulk inserts on SQLite use as many variables per statement as the library allows.

    Django 5.2 assumes SQLite's historical limit of 999 variables, which caps a batch of people at about
    40 rows; SQLite since 3.32 allows 32,766, so the same import needs some 30 times fewer statements.
    """
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    features = connection.features
    had_own = "max_query_params" in vars(features)
    previous = features.max_query_params
    features.max_query_params = max(previous or 0, limit)
    try:
        yield
    finally:
        if had_own:
            features.max_query_params = previous
        else:
            del features.max_query_params


def _parse_all(importer: Importer, source, filename: str) -> list[_Row]:
    # The sheet lives only as long as this call: its cells are native memory as large as the parsed rows.
    table = source if isinstance(source, Table) else read_table(source, filename)
    return [importer.parse(number, values) for number, values in data_rows(table)]


def import_participants(
    *,
    program,
    source,
    filename: str = "",
    dry_run: bool = False,
    by=None,
    progress: Progress | None = None,
    batch_size: int = BATCH,
) -> ImportReport:
    """Checks every row of a participant spreadsheet and, unless ``dry_run``, imports the valid ones.

    ``source`` is a path, a binary file object or a Table already opened with ``read_table``.

    Rows with errors are skipped and reported; the valid rows are committed in one transaction (all or none).
    A person already known by NIK is reused and their data updated; a new hamlet is added to its village
    (not on a dry run). Raises ImportFileError when the file cannot be read at all.
    """
    importer = Importer(program, by=by, batch_size=batch_size)
    rows = _parse_all(importer, source, filename)
    importer.resolve(rows, dry_run=dry_run)
    valid = importer.check(rows, progress)
    report = ImportReport(rows=len(rows), valid=len(valid))
    for row in rows:
        report.errors.extend(row.errors)
        report.warnings.extend(row.warnings)
    if not dry_run and valid:
        name = Path(filename or str(getattr(source, "name", source))).name
        reason = (_("Spreadsheet import: %(file)s") % {"file": name})[:100]
        report.created = importer.write(valid, reason=reason, progress=progress)
    return report
