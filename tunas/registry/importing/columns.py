"""The participant file's columns, declared once.

This list drives everything that knows about columns: reading the header row (headers and aliases), the
checks of every cell (required, length, allowed values, parser), the downloadable template (order, widths,
number formats, drop-down lists, the note on each header) and the problems workbook. The headers are the
file format, so they stay Indonesian in every interface language.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import values
from .values import Choices, Parser

# Where a column's drop-down list in the template comes from: its allowed values, those of them the
# programme allows, the villages of the programme's jurisdiction, or the programme's open groups.
Dropdown = Literal["allowed", "programme_allowed", "villages", "groups"]
DATE_FORMAT = "DD-MM-YYYY"
# Text, so that a spreadsheet keeps all 16 digits and the leading 0 of phone numbers.
TEXT_FORMAT = "@"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    note: str | Promise
    aliases: tuple[str, ...] = ()
    required: bool = False
    max_length: int | None = None
    # None: the cell's text is the value.
    parser: Parser | None = None
    allowed: Callable[[], Choices] | None = None
    # Several allowed values may be written in one cell, separated by commas or semicolons.
    several: bool = False
    width: int = 16
    number_format: str = ""
    dropdown: Dropdown | None = None
    # The drop-down refuses other values (instead of warning about them).
    strict: bool = False
    # The value is the person's attribute of the same name; when the column is optional and the cell empty,
    # a person already registered keeps what is on record.
    person_field: bool = False


COLUMNS = (
    Column(
        "nik",
        "NIK",
        _("16 digits, as on the ID card. The column is formatted as text: keep it so."),
        aliases=("no nik", "nomor nik", "nik ktp"),
        required=True,
        parser=values.nik_cell,
        width=20,
        number_format=TEXT_FORMAT,
        person_field=True,
    ),
    Column(
        "kk",
        "No KK",
        _("16 digits of the family card (optional)."),
        aliases=("nomor kk", "kk", "no kk", "no kartu keluarga"),
        parser=values.kk_cell,
        width=20,
        number_format=TEXT_FORMAT,
        person_field=True,
    ),
    Column(
        "full_name",
        "Nama",
        _("Full name as on the ID card."),
        aliases=("nama lengkap", "nama peserta"),
        required=True,
        max_length=150,
        width=28,
        person_field=True,
    ),
    Column(
        "sex",
        "Jenis Kelamin",
        _("L (male) or P (female)."),
        aliases=("l/p", "jk", "jenis kelamin (l/p)", "kelamin"),
        required=True,
        parser=values.choice_cell,
        allowed=values.sex_choices,
        dropdown="allowed",
        strict=True,
        person_field=True,
    ),
    Column(
        "birth_place",
        "Tempat Lahir",
        _("Place of birth (optional)."),
        max_length=100,
        person_field=True,
    ),
    Column(
        "birth_date",
        "Tanggal Lahir",
        _("For example 17-08-1980, 17/08/1980, 1980-08-17 or 17 Agustus 1980."),
        aliases=("tgl lahir", "tanggal lahir (dd-mm-yyyy)"),
        required=True,
        parser=values.date_cell,
        number_format=DATE_FORMAT,
        person_field=True,
    ),
    Column(
        "street",
        "Alamat",
        _("Street address (optional)."),
        max_length=200,
        width=30,
        person_field=True,
    ),
    Column(
        "village",
        "Kode Desa",
        _("The village code (5105031008 or 51.05.03.1008), a line of the list, or the village name."),
        aliases=("desa", "kode desa/kelurahan", "desa/kelurahan", "desa/kel", "kelurahan", "kode wilayah"),
        required=True,
        parser=values.village_cell,
        width=34,
        dropdown="villages",
    ),
    Column(
        "hamlet",
        "Banjar/Dusun",
        _("Banjar or dusun (optional). A new name is added to the village's list."),
        aliases=("banjar", "dusun"),
        max_length=100,
        parser=values.hamlet_cell,
    ),
    Column(
        "phone",
        "No HP",
        _("For example 0812 3456 7890 (optional)."),
        aliases=("nomor hp", "no hp/wa", "no wa", "telepon", "hp/wa", "hp", "no telp", "no telepon"),
        parser=values.phone_cell,
        number_format=TEXT_FORMAT,
        person_field=True,
    ),
    Column(
        "categories",
        "Kategori",
        _("One or more target categories from the list, separated by commas."),
        # An empty cell is category_missing, as in the form: the eligibility rules say so, once.
        parser=values.choice_list_cell,
        allowed=values.category_choices,
        several=True,
        width=30,
        dropdown="programme_allowed",
        person_field=True,
    ),
    Column(
        "disability",
        "Disabilitas",
        _("Empty when the person has no disability."),
        parser=values.choice_cell,
        allowed=values.disability_choices,
        dropdown="allowed",
        person_field=True,
    ),
    Column(
        "employment_before",
        "Pekerjaan",
        _(
            "Work before the programme. Civil servants (ASN/PNS), TNI, Polri and formal employees "
            "cannot take part."
        ),
        aliases=("pekerjaan sebelumnya", "status pekerjaan", "pekerjaan saat ini"),
        parser=values.choice_cell,
        allowed=values.employment_choices,
        dropdown="allowed",
        width=22,
    ),
    Column(
        "education",
        "Pendidikan",
        _("Highest education completed (optional)."),
        parser=values.choice_cell,
        allowed=values.education_choices,
        dropdown="allowed",
        person_field=True,
    ),
    Column(
        "group",
        "Kelompok",
        _("The name of a group already registered in the programme."),
        aliases=("nama kelompok",),
        required=True,
        parser=values.name_cell,
        width=26,
        dropdown="groups",
    ),
    Column(
        "role",
        "Peran",
        _("Ketua, Sekretaris, Bendahara or Anggota; empty means Anggota."),
        parser=values.choice_cell,
        allowed=values.role_choices,
        dropdown="allowed",
        strict=True,
    ),
)
# "Tempat, Tanggal Lahir" as one cell ("Klungkung, 12-03-1975"), as many office lists have it: split into
# the two columns above before any check (rows.split_birth).
BIRTH_PLACE_AND_DATE = Column(
    "birth_place_date",
    "Tempat, Tanggal Lahir",
    _("Place and date of birth in one cell, for example Klungkung, 12-03-1975."),
    aliases=("tempat/tanggal lahir", "tempat tgl lahir", "ttl", "tempat, tgl lahir"),
)
# What a file may have: the template's columns, and the combined one (read, never offered).
READ_COLUMNS = (*COLUMNS, BIRTH_PLACE_AND_DATE)
HEADERS = tuple(c.header for c in COLUMNS)
HEADER_OF = {c.key: c.header for c in COLUMNS}
COLUMN_OF = {c.key: c for c in COLUMNS}


def header_key(text: object) -> str:
    """A header as compared: any case, without ".", "*" or ":", single spaces, no spaces around "/"."""
    words = re.sub(r"[.*:]", " ", str(text or "")).lower()
    return re.sub(r"\s*/\s*", "/", " ".join(words.split()))


_HEADER_LOOKUP = {header_key(c.header): c.key for c in READ_COLUMNS} | {
    header_key(alias): c.key for c in READ_COLUMNS for alias in c.aliases
}


def missing_headers(columns: Mapping[str, int]) -> list[str]:
    """The required columns a header row lacks; the combined place-and-date column stands for both."""
    combined = BIRTH_PLACE_AND_DATE.key in columns
    return [
        c.header
        for c in COLUMNS
        if c.required and c.key not in columns and not (combined and c.key in ("birth_date", "birth_place"))
    ]


def map_headers(cells: Iterable[object]) -> dict[str, int]:
    """Column key -> cell index; header order is free, case and punctuation are ignored."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = _HEADER_LOOKUP.get(header_key(cell))
        if key and key not in found:
            found[key] = index
    return found
