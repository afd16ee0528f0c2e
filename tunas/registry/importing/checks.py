"""The programme's rules applied to every row in sheet order: the NIK, duplicates within the file, the single
roles of a group, and the one eligibility engine (tunas.registry.eligibility).

Rows are checked in sheet order because earlier rows count: a valid row takes its place in its group, its
role, and becomes a possible duplicate of later rows. Rows with errors take nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from tunas.core.nik import parse_nik
from tunas.regions.selectors import district_exists

from ..eligibility import EligibilityContext, check_candidate
from ..models import Role, name_key
from ..rules import SINGLE_ROLES, identity_differs
from ..services import nik_message
from .columns import HEADER_OF
from .lookups import identities, single_roles_taken
from .rows import Row
from .values import with_detail

if TYPE_CHECKING:
    from tunas.programs.models import Program

# (rows done, rows in all, phase: "checking" or "saving")
Progress = Callable[[int, int, str], None]
# The NIK codes that concern another column than the NIK's.
NIK_CODE_COLUMN = {"nik_sex_mismatch": "sex", "nik_birthdate_mismatch": "birth_date"}


class RowChecker:
    """Checks the rows of one file for one programme, remembering what the valid rows have taken."""

    def __init__(self, program: Program, rows: list[Row]):
        self.context = EligibilityContext(program, [r.data.candidate(r.group_id) for r in rows if r.data.nik])
        self.roles_taken = single_roles_taken(program)
        self.identities = identities([r.data.nik for r in rows if r.data.nik], office=program.office)
        self.first_row_of: dict[str, int] = {}
        self.today = timezone.localdate()

    def check(self, row: Row) -> bool:
        """Adds the row's errors and warnings; True when it has no error (then it takes its place)."""
        self._check_nik(row)
        self._check_identity(row)
        single_role = self._check_role(row)
        self._check_eligibility(row)
        if row.errors:
            return False
        self._accept(row, single_role)
        return True

    def _check_nik(self, row: Row) -> None:
        data = row.data
        if not data.nik:
            return
        result = parse_nik(
            data.nik,
            sex=data.sex or None,
            birth_date=data.birth_date,
            today=self.today,
            district_exists=district_exists,
        )
        for code in result.errors:
            column = HEADER_OF[NIK_CODE_COLUMN.get(code, "nik")]
            row.error(code, column, nik_message(code, result))
        for code in result.warnings:
            row.warn(code, HEADER_OF["nik"])
        earlier = self.first_row_of.setdefault(data.nik, row.number)
        if earlier != row.number:
            row.error(
                "duplicate_in_file",
                HEADER_OF["nik"],
                with_detail("duplicate_in_file", _("(row %(row)s)") % {"row": earlier}),
            )

    def _check_identity(self, row: Row) -> None:
        """A known NIK under another identity is corrected only by its owner office; others are refused
        without a word about the other record."""
        known = self.identities.get(row.data.nik)
        if known is None or row.errors:
            return
        person, may_correct = known
        data = row.data
        differs = identity_differs(
            person,
            full_name=data.full_name,
            sex=data.sex,
            birth_date=data.birth_date,
            birth_place=data.birth_place,
        )
        if differs and not may_correct:
            row.error("identity_mismatch", HEADER_OF["full_name"])

    def _check_role(self, row: Row) -> tuple[int, str] | None:
        """The (group, role) the row would take when its role is held once per group."""
        if row.role not in SINGLE_ROLES or not row.group_id:
            return None
        single_role = (row.group_id, row.role)
        if single_role in self.roles_taken:
            row.error(
                "value_invalid",
                HEADER_OF["role"],
                _("This group already has a %(role)s. Choose another role or change theirs first.")
                % {"role": Role(row.role).label.lower()},
            )
        return single_role

    def _check_eligibility(self, row: Row) -> None:
        candidate = row.data.candidate(row.group_id)
        candidate.village_code = row.data.village_id or None
        errors, warnings = check_candidate(candidate, self.context)
        nik_header = HEADER_OF["nik"]
        # A column with an error of its own already says what to correct there.
        failed_columns = {p.field for p in row.errors}
        for p in errors:
            column = HEADER_OF.get(p.field or "nik", nik_header)
            if column not in failed_columns:
                row.error(p.code, column, p.message)
        for p in warnings:
            row.warn(p.code, HEADER_OF.get(p.field or "nik", nik_header), p.message)

    def _accept(self, row: Row, single_role: tuple[int, str] | None) -> None:
        data = row.data
        if single_role:
            self.roles_taken.add(single_role)
        if row.group_id is not None:
            self.context.take_place(row.group_id)
        # Later rows of the same file are possible duplicates of this one too.
        if data.full_name and data.birth_date:
            self.context.people_by_name[(name_key(data.full_name), data.birth_date)].add(data.nik)
        if data.phone:
            self.context.people_by_phone[data.phone].add(data.nik)


def check_rows(
    program: Program, rows: list[Row], *, batch_size: int, progress: Progress | None = None
) -> list[Row]:
    """Applies the NIK rules and the one eligibility engine to every row in sheet order; returns the valid
    rows. Rows with errors take no place in a group."""
    checker = RowChecker(program, rows)
    valid: list[Row] = []
    for index, row in enumerate(rows, start=1):
        if checker.check(row):
            valid.append(row)
        if progress and index % batch_size == 0:
            progress(index, len(rows), "checking")
    if progress:
        progress(len(rows), len(rows), "checking")
    return valid
