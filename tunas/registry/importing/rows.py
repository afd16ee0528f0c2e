"""One row of the file: what was read from it, and the errors and warnings found on the way.

Parsing needs no database: every cell is checked against its column (required, length, allowed values) and
turned into Python values; villages, hamlets and groups are looked up later for the whole file at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from django.utils.translation import gettext as _

from tunas.core.errors import Problem, message_for
from tunas.core.text import clean_text, has_direction_controls

from ..models import Role
from ..services import TEXT_FIELDS, PersonData
from .columns import BIRTH_PLACE_AND_DATE, COLUMNS, HEADER_OF, Column
from .values import Choices, Invalid, cell_text, with_detail


@dataclass(slots=True, eq=False)
class Row:
    """A data row, by its row number in the sheet."""

    number: int
    # Set once the cells are parsed.
    data: PersonData = field(init=False)
    # The optional person fields the row gives a value for; a known person keeps the others on record.
    given: set[str] = field(default_factory=set)
    village_kind: str = ""
    village_text: str = ""
    # ("", name) once parsed, (village code, name compared) once its village is known.
    hamlet_key: tuple[str, str] | None = None
    hamlet_kind: str = ""
    group_text: str = ""
    group_id: int | None = None
    group_name: str = ""  # as the programme's group is named, copied onto the new membership
    role: str = Role.MEMBER
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

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


# Columns whose cells are checked before parsing; optional person fields a known person keeps when empty.
_CHECKED = tuple(c for c in COLUMNS if c.required or c.max_length)
_OPTIONAL_PERSON_FIELDS = tuple(c.key for c in COLUMNS if c.person_field and not c.required)


def _check_presence_and_length(row: Row, column: Column, text: str) -> None:
    if column.required and not text:
        row.error("required", column.header)
    elif column.max_length and len(text) > column.max_length:
        detail = _("The text is too long: at most %(max)s characters.") % {"max": column.max_length}
        row.error("value_invalid", column.header, with_detail("value_invalid", detail))


def _parse_cells(
    row: Row, values: dict[str, object], text: dict[str, str], allowed: dict[str, Choices]
) -> dict[str, Any]:
    """The value of every filled cell, through its column's parser; a cell already too long is not parsed."""
    parsed: dict[str, Any] = {}
    problems: list[Invalid] = []
    for column in COLUMNS:
        if not text.get(column.key):
            continue
        if column.parser is None:
            parsed[column.key] = text[column.key]
            continue
        if column.max_length and row.errors and row.has_error_in(column.header):
            continue
        parser = column.parser
        parsed[column.key] = parser(values[column.key], text[column.key], allowed.get(column.key), problems)
        if problems:
            for problem in problems:
                row.error(problem.code, column.header, problem.message)
            problems.clear()
    return parsed


def split_birth(values: dict[str, object]) -> dict[str, object]:
    """ "Klungkung, 12-03-1975" in a combined column becomes the place and the date columns, unless those
    columns are there and filled."""
    combined = values.pop(BIRTH_PLACE_AND_DATE.key, None)
    text = cell_text(combined)
    if not text or values.get("birth_date") not in (None, ""):
        return values
    if isinstance(combined, dt.date | dt.datetime):
        return {**values, "birth_date": combined}
    place, _sep, day = text.rpartition(",")
    if not place:
        place, day = "", text
    return {**values, "birth_date": day.strip(), "birth_place": values.get("birth_place") or place.strip()}


def parse_row(number: int, values: dict[str, object], allowed: dict[str, Choices]) -> Row:
    """A row read into Python values, with every problem a cell has on its own."""
    values = split_birth(values)
    text = {key: cell_text(v) for key, v in values.items()}
    row = Row(number)
    for column in _CHECKED:
        _check_presence_and_length(row, column, text.get(column.key, ""))
    parsed = _parse_cells(row, values, text, allowed)
    _clean_texts(row, parsed)
    row.data = _person_data(parsed)
    row.given = {key for key in _OPTIONAL_PERSON_FIELDS if text.get(key)}
    row.village_kind, row.village_text = parsed.get("village", ("", ""))
    if "hamlet" in parsed:
        row.hamlet_kind, hamlet_name = parsed["hamlet"]
        row.hamlet_key = ("", hamlet_name)
    row.group_text = parsed.get("group", "")
    row.role = parsed.get("role") or Role.MEMBER
    return row


def _clean_texts(row: Row, parsed: dict[str, Any]) -> None:
    """Names and addresses as the form keeps them: one Unicode form, no invisible or direction characters."""
    for key in TEXT_FIELDS:
        value = parsed.get(key)
        if not isinstance(value, str):
            continue
        if has_direction_controls(value):
            row.error("text_control_characters", HEADER_OF[key])
            parsed.pop(key)
        else:
            parsed[key] = clean_text(value)


def _person_data(parsed: dict[str, Any]) -> PersonData:
    return PersonData(
        nik=parsed.get("nik", ""),
        full_name=parsed.get("full_name", ""),
        sex=parsed.get("sex", ""),
        # A row without a readable birth date carries an error and is never written.
        birth_date=cast(dt.date, parsed.get("birth_date")),
        village_id="",
        kk=parsed.get("kk", ""),
        birth_place=parsed.get("birth_place", ""),
        street=parsed.get("street", ""),
        phone=parsed.get("phone", ""),
        education=parsed.get("education", ""),
        disability=parsed.get("disability", ""),
        categories=parsed.get("categories", []),
        employment_before=parsed.get("employment_before", ""),
    )
