"""A programme's official documents: the number each is issued once, and the verification team who signs.

A document number comes from the office's pattern (``Office.document_number_pattern``) and its running
number for the year, one counter row per office and year. The row is locked (``select_for_update``) while a
number is drawn, so two prints at the same moment never share a number; the database's unique constraints
hold the rule even where locks are not taken (SQLite serialises writers instead).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import DocumentCounter, DocumentNumber, Program, TeamPosition, VerificationTeamMember

ROMAN_MONTHS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


def month_roman(day: dt.date) -> str:
    """The month as Indonesian letters number it: August is ``VIII``."""
    return ROMAN_MONTHS[day.month - 1]


def document_number_format(*, pattern: str, sequence: int, office_code: str, day: dt.date, program_code: str):
    """The office's pattern filled in: ``{seq}/BA-SELEKSI/{office_code}/{month_roman}/{year}``."""
    return pattern.format(
        seq=f"{sequence:03d}",
        office_code=office_code,
        month_roman=month_roman(day),
        year=str(day.year),
        program=program_code,
    )


def document_number_get(*, program: Program, kind: str) -> DocumentNumber | None:
    """The number already issued to this document of the programme, if any."""
    return DocumentNumber.objects.filter(program=program, kind=kind).first()


def document_number_issue(*, program: Program, kind: str, day: dt.date, by=None) -> DocumentNumber:
    """Issues the document's number once, from the office's running number of ``day``'s year.

    Printing again returns the number issued first (with the date it was issued for).
    """
    existing = document_number_get(program=program, kind=kind)
    if existing is not None:
        return existing
    try:
        return _issue(program=program, kind=kind, day=day, by=by)
    except IntegrityError:
        # Another print of the same document won the race between our look-up and our lock.
        issued = document_number_get(program=program, kind=kind)
        if issued is None:
            raise
        return issued


@transaction.atomic
def _issue(*, program: Program, kind: str, day: dt.date, by) -> DocumentNumber:
    office = program.office
    counter, _created = DocumentCounter.objects.select_for_update().get_or_create(
        office=office, year=day.year
    )
    # Under the lock: a print that waited for it may find the number the other one just issued.
    existing = document_number_get(program=program, kind=kind)
    if existing is not None:
        return existing
    counter.last += 1
    counter.save(update_fields=["last"])
    number = DocumentNumber(
        program=program,
        kind=kind,
        office=office,
        year=day.year,
        sequence=counter.last,
        number=document_number_format(
            pattern=office.document_number_pattern,
            sequence=counter.last,
            office_code=office.document_code,
            day=day,
            program_code=program.code,
        ),
        dated=day,
        issued_at=timezone.now(),
        issued_by=by if getattr(by, "pk", None) else None,
    )
    number.full_clean()
    number.save()
    return number


# The verification team --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamMemberData:
    name: str
    nip: str = ""
    position: str = TeamPosition.MEMBER


def verification_team_list(*, program: Program) -> list[VerificationTeamMember]:
    """The programme's verification team in signing order: one query."""
    return list(program.verification_team.order_by("order", "pk"))


@transaction.atomic
def verification_team_save(
    *, program: Program, members: Iterable[TeamMemberData]
) -> list[VerificationTeamMember]:
    """Replaces the programme's verification team; a team has at most one chair and one secretary."""
    rows = []
    for i, data in enumerate(m for m in members if m.name.strip()):
        row = VerificationTeamMember(
            program=program, name=data.name.strip(), nip=data.nip.strip(), position=data.position, order=i
        )
        row.full_clean(exclude=["program"])
        rows.append(row)
    too_many = {
        TeamPosition.CHAIR: _("A verification team has one chair; make the others members."),
        TeamPosition.SECRETARY: _("A verification team has one secretary; make the others members."),
    }
    for position, message in too_many.items():
        if sum(1 for r in rows if r.position == position) > 1:
            raise ValidationError(message, code="value_invalid")
    program.verification_team.all().delete()
    return VerificationTeamMember.objects.bulk_create(rows)
