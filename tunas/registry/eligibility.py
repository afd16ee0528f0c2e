"""The eligibility and duplicate rules of DOMAIN.md, one engine for forms, the import and the API.

A check looks at one candidate against a programme. What it needs from the database (who is already in the
programme, who got aid recently, who looks like a duplicate, how full each group is) is read up front by
``EligibilityContext`` in a handful of queries for a whole batch, so a 10,000-row import costs the same few
queries as a single form.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from tunas.core.errors import Problem, message_for
from tunas.programs.models import Stage

from . import rules
from .models import GroupStatus, Membership, Person, Verification, name_key

CHUNK = 2000


def _where(program, code: str, office_id: int, short_name: str, name: str, year: int, status: str) -> str:
    """Another programme named for the reader: by code in their own office, else office, year and stage."""
    if office_id == program.office_id:
        return code
    return rules.foreign_registration(office=short_name or name, year=year, stage=str(Stage(status).label))


@dataclass
class Candidate:
    """What is known about a person applying to a programme (parsed and normalised already)."""

    nik: str
    full_name: str = ""
    birth_date: dt.date | None = None
    village_code: str | None = None
    categories: list[str] = field(default_factory=list)
    phone: str | None = None
    group_id: int | None = None


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class EligibilityContext:
    """Everything the rules need about the people of one batch, read in a bounded number of queries."""

    def __init__(self, program, candidates: Iterable[Candidate], *, exclude_membership_id: int | None = None):
        self.program = program
        self.reference_date = program.registration_start or timezone.localdate()
        candidates = list(candidates)
        niks = sorted({c.nik for c in candidates if c.nik})
        self.in_program: set[str] = set()
        self.recent_aid: dict[str, str] = {}
        lookback_start = add_months(self.reference_date, -program.aid_lookback_months)
        for chunk in _chunks(niks):
            others = Membership.objects.filter(person__nik__in=chunk)
            if exclude_membership_id is not None:
                others = others.exclude(pk=exclude_membership_id)
            rows = others.values_list(
                "person__nik",
                "program_id",
                "program__code",
                "program__aid_date",
                "verification",
                "group__status",
                "program__office_id",
                "program__office__short_name",
                "program__office__name",
                "program__fiscal_year",
                "program__status",
            )
            for (
                nik,
                program_id,
                code,
                aid_date,
                verification,
                group_status,
                office_id,
                short_name,
                office_name,
                year,
                status,
            ) in rows:
                if program_id == program.pk:
                    # A rejected membership still holds the person's one place in this programme.
                    self.in_program.add(nik)
                elif verification == Verification.REJECTED or group_status == GroupStatus.REJECTED:
                    # Rejected people and rejected groups never received the other programme's aid.
                    continue
                elif aid_date is not None and aid_date >= lookback_start:
                    # Aid within the look-back, or aid still to come in a programme running alongside.
                    self.recent_aid[nik] = _where(
                        program, code, office_id, short_name, office_name, year, status
                    )

        # Possible duplicates: another NIK with the same normalised name and birth date, or the same phone.
        self.people_by_name: dict[tuple[str, dt.date], set[str]] = defaultdict(set)
        wanted = {(name_key(c.full_name), c.birth_date) for c in candidates if c.full_name and c.birth_date}
        for chunk in _chunks(sorted({key for key, _birth in wanted})):
            # Common names are shared by thousands: rows stream past, and only a candidate's own date stays.
            people = Person.objects.filter(name_key__in=chunk).values_list("nik", "name_key", "birth_date")
            for nik, key, birth in people.iterator(chunk_size=CHUNK):
                if (key, birth) in wanted:
                    self.people_by_name[(key, birth)].add(nik)
        self.people_by_phone: dict[str, set[str]] = defaultdict(set)
        phones = sorted({c.phone for c in candidates if c.phone})
        for chunk in _chunks(phones):
            registrations = Membership.objects.filter(phone__in=chunk).values_list("person__nik", "phone")
            for nik, phone in registrations:
                self.people_by_phone[phone].add(nik)

        self.group_sizes: dict[int, int] = dict(
            program.groups.exclude(status=GroupStatus.DISSOLVED)
            .annotate(n=Count("memberships", filter=~Q(memberships__verification=Verification.REJECTED)))
            .values_list("pk", "n")
        )
        # The person being edited is not their own duplicate, even when the edit changes their NIK.
        self.own_nik: str | None = None
        if exclude_membership_id:
            own = (
                Membership.objects.filter(pk=exclude_membership_id)
                .values_list("group_id", "verification", "person__nik")
                .first()
            )
            if own:
                group_id, verification, self.own_nik = own
                if group_id in self.group_sizes and verification != Verification.REJECTED:
                    self.group_sizes[group_id] -= 1
        prefix = program.office.region_code
        self.jurisdiction_prefix = prefix + "." if prefix else ""
        # Read once: an import checks ten thousand candidates against the same programme.
        self.categories_allowed = set(program.categories_allowed)

    def take_place(self, group_id: int) -> None:
        """Counts a candidate accepted into a group (the import fills groups in sheet order)."""
        self.group_sizes[group_id] = self.group_sizes.get(group_id, 0) + 1


def check_candidate(candidate: Candidate, context: EligibilityContext) -> tuple[list[Problem], list[Problem]]:
    """The errors and warnings of one candidate, each with its DESIGN.md code and the field it concerns."""
    program = context.program
    errors: list[Problem] = []
    warnings: list[Problem] = []

    def error(code: str, field_name: str, message: str | None = None) -> None:
        errors.append(Problem(code=code, message=message or message_for(code), field=field_name))

    if candidate.birth_date:
        age = age_on(candidate.birth_date, context.reference_date)
        if age < program.min_age or (program.max_age is not None and age > program.max_age):
            limits = (
                f"{program.min_age}–{program.max_age}"
                if program.max_age is not None
                else f"≥ {program.min_age}"
            )
            error("age_out_of_range", "birth_date", f"{message_for('age_out_of_range')} ({age} / {limits})")

    allowed = context.categories_allowed
    if not candidate.categories or not allowed.intersection(candidate.categories):
        error("category_missing", "categories")

    if (
        program.domicile_in_jurisdiction
        and candidate.village_code
        and context.jurisdiction_prefix
        and not candidate.village_code.startswith(context.jurisdiction_prefix)
    ):
        error("domicile_outside", "village")

    if candidate.nik in context.in_program:
        error("duplicate_in_program", "nik")
    elif candidate.nik in context.recent_aid:
        error(
            "recent_aid",
            "nik",
            f"{message_for('recent_aid')} ({context.recent_aid[candidate.nik]})",
        )

    if (
        candidate.group_id is not None
        and context.group_sizes.get(candidate.group_id, 0) >= program.group_size_max
    ):
        error("group_full", "group")

    others = set()
    if candidate.full_name and candidate.birth_date:
        others |= context.people_by_name.get((name_key(candidate.full_name), candidate.birth_date), set())
    if candidate.phone:
        others |= context.people_by_phone.get(candidate.phone, set())
    others.discard(candidate.nik)
    others.discard(context.own_nik)
    if others:
        warnings.append(
            Problem(code="possible_duplicate", message=message_for("possible_duplicate"), field="nik")
        )
    return errors, warnings
