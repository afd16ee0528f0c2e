"""The eligibility and duplicate rules of DOMAIN.md, one engine for forms, the import and the API.

A check looks at one candidate against a programme. What it needs from the database (who is already in the
programme, who got aid recently, who looks like a duplicate, how full each group is) is read up front by
``EligibilityContext`` in a handful of queries for a whole batch, so a 10,000-row import costs the same few
queries as a single form.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from tunas.core.errors import Problem, message_for
from tunas.core.formatting import date_long
from tunas.programs.models import Stage

from . import rules
from .extensions import aid_dates
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
    sex: str = ""
    employment: str = ""


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


_REGISTRATION_FIELDS = (
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
    "group__name",
    "group_id",
)


@dataclass(frozen=True)
class _Registration:
    nik: str
    program_id: int
    code: str
    aid_date: dt.date | None
    verification: str
    group_status: str
    office_id: int
    short_name: str
    office_name: str
    year: int
    status: str
    group_name: str
    group_id: int


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class EligibilityContext:
    """Everything the rules need about the people of one batch, read in a bounded number of queries."""

    def __init__(self, program, candidates: Iterable[Candidate], *, exclude_membership_id: int | None = None):
        self.program = program
        self.today = timezone.localdate()
        # DOMAIN.md: age on the registration closing day; aid looked back from this programme's aid date.
        self.reference_date = rules.age_reference_date(program, today=self.today)
        self.aid_reference_date = rules.aid_reference_date(program, today=self.today)
        self.lookback_start = add_months(self.aid_reference_date, -program.aid_lookback_months)
        candidates = list(candidates)
        niks = sorted({c.nik for c in candidates if c.nik})
        self.in_program: set[str] = set()
        # The group each of those holds their place in, named in the refusal.
        self.group_in_program: dict[str, str] = {}
        self.recent_aid: dict[str, str] = {}
        self.enrolled_elsewhere: dict[str, str] = {}
        for chunk in _chunks(niks):
            others = Membership.objects.filter(person__nik__in=chunk)
            if exclude_membership_id is not None:
                others = others.exclude(pk=exclude_membership_id)
            rows = [_Registration(*row) for row in others.values_list(*_REGISTRATION_FIELDS)]
            handed_over = aid_dates(group_ids={r.group_id for r in rows if r.program_id != program.pk})
            for r in rows:
                if r.group_id in handed_over:
                    # Aid received on the day it was handed over, not on the day it was planned.
                    r = dataclasses.replace(r, aid_date=handed_over[r.group_id])
                self._note(program, r)
        # Possible duplicates: another NIK with the same normalised name and birth date, or the same phone.
        self.people_by_name: dict[tuple[str, dt.date], set[str]] = defaultdict(set)
        wanted = {(name_key(c.full_name), c.birth_date) for c in candidates if c.full_name and c.birth_date}
        for chunk in _chunks(sorted({key for key, _birth in wanted})):
            # Common names are shared by thousands: the (name, birth date) index is read for the chunk's
            # names and birth dates only, and of that small superset only a candidate's own pair stays.
            keys = set(chunk)
            births = sorted({birth for key, birth in wanted if key in keys})
            people = Person.objects.filter(name_key__in=chunk, birth_date__in=births).values_list(
                "nik", "name_key", "birth_date"
            )
            for nik, key, birth in people:
                if (key, birth) in wanted:
                    self.people_by_name[(key, birth)].add(nik)
        self.people_by_phone: dict[str, set[str]] = defaultdict(set)
        phones = sorted({c.phone for c in candidates if c.phone})
        for chunk in _chunks(phones):
            registrations = Membership.objects.filter(phone__in=chunk).values_list("person__nik", "phone")
            for nik, phone in registrations:
                self.people_by_phone[phone].add(nik)

        self.group_sizes: dict[int, int] = {}
        self.group_villages: dict[int, str] = {}
        # Each group's members not rejected, as kept on the group (registry.counts): no count of rows.
        for pk, village_id, n in program.groups.exclude(status=GroupStatus.DISSOLVED).values_list(
            "pk", "village_id", "member_count"
        ):
            self.group_sizes[pk] = n
            self.group_villages[pk] = village_id
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

    def _note(self, program, r: _Registration) -> None:
        """What another registration of a candidate means for this programme (DOMAIN.md)."""
        is_open = rules.registration_is_open(verification=r.verification, group_status=r.group_status)
        if r.program_id == program.pk:
            # A rejection or a dissolved group frees the person's place in this programme.
            if is_open:
                self.in_program.add(r.nik)
                self.group_in_program[r.nik] = r.group_name
            return
        where = _where(program, r.code, r.office_id, r.short_name, r.office_name, r.year, r.status)
        if rules.aid_received(
            verification=r.verification, group_status=r.group_status, aid_date=r.aid_date, today=self.today
        ):
            if r.aid_date is not None and self.lookback_start <= r.aid_date <= self.aid_reference_date:
                self.recent_aid[r.nik] = where
        elif is_open and (r.aid_date is None or r.aid_date > self.today):
            # One programme at a time: the other one's aid is still to come.
            self.enrolled_elsewhere[r.nik] = where

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

    age = age_on(candidate.birth_date, context.reference_date) if candidate.birth_date else None
    if age is not None and (age < program.min_age or (program.max_age is not None and age > program.max_age)):
        limits = (
            f"{program.min_age}–{program.max_age}" if program.max_age is not None else f"≥ {program.min_age}"
        )
        error(
            "age_out_of_range",
            "birth_date",
            _("Age %(age)s on %(day)s; this programme accepts %(limits)s years.")
            % {"age": age, "day": date_long(context.reference_date), "limits": limits},
        )

    allowed = context.categories_allowed
    if not candidate.categories or not allowed.intersection(candidate.categories):
        error("category_missing", "categories")
    for code_, message in rules.implausible_categories(candidate.categories, age=age, sex=candidate.sex):
        warnings.append(Problem(code=code_, message=message, field="categories"))

    if candidate.employment and rules.employment_is_excluded(candidate.employment):
        error("employment_excluded", "employment_before")

    if (
        program.domicile_in_jurisdiction
        and candidate.village_code
        and context.jurisdiction_prefix
        and not candidate.village_code.startswith(context.jurisdiction_prefix)
    ):
        error("domicile_outside", "village")

    if candidate.nik in context.in_program:
        group_name = context.group_in_program.get(candidate.nik, "")
        detail = _("(group %(group)s)") % {"group": group_name} if group_name else ""
        error("duplicate_in_program", "nik", f"{message_for('duplicate_in_program')} {detail}".strip())
    elif candidate.nik in context.recent_aid:
        error(
            "recent_aid",
            "nik",
            f"{message_for('recent_aid')} ({context.recent_aid[candidate.nik]})",
        )
    elif candidate.nik in context.enrolled_elsewhere:
        error(
            "enrolled_elsewhere",
            "nik",
            f"{message_for('enrolled_elsewhere')} ({context.enrolled_elsewhere[candidate.nik]})",
        )

    group_village = context.group_villages.get(candidate.group_id) if candidate.group_id else None
    if (
        candidate.village_code
        and group_village
        and not rules.same_district(candidate.village_code, group_village)
    ):
        warnings.append(Problem(code="village_far", message=message_for("village_far"), field="village"))

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
