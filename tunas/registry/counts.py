"""Counts kept current on write: each group's registrations and each programme's summary; and the copies a
registration keeps of its office, its person's name and its group's name (``LIST_KEYS``), which the lists
filter and sort on.

Lists, the verification queue, the home page and the programme tabs read these instead of counting rows or
sorting joined ones, so they cost the same for a regency's hundred people as for the ministry's million.
Every service that changes a registration, a decision, a group's status or name, or a person's sex or name
calls ``refresh`` inside its own transaction; the group's numbers and copies are taken again from its own
rows (twenty or so) and the programme's from its groups' numbers, so they never drift. ``rebuild_all`` and
``rebuild_list_keys`` (``python manage.py rebuild_counts``) recompute everything, for data loaded around
the services.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum

from tunas.core.choices import Sex

from .models import (
    COUNT_FIELDS,
    LIST_KEYS,
    Group,
    GroupStatus,
    Membership,
    Person,
    ProgramSummary,
    Verification,
)
from .rules import SELECTED_GROUP_STATUSES

CLOSED_GROUPS = (GroupStatus.DISSOLVED, GroupStatus.REJECTED)
QUEUE_GROUPS = (GroupStatus.FORMING, GroupStatus.VERIFIED)
CHUNK = 2000


def _open_warnings_q() -> Q:
    return ~Q(warnings=[]) & Q(warnings_resolved_by__isnull=True) & ~Q(verification=Verification.REJECTED)


def _group_counts(group_ids: list[int]) -> dict[int, dict[str, int]]:
    """Each group's counts from its registrations: one aggregate query."""
    active = ~Q(verification=Verification.REJECTED)
    rows = (
        Membership.objects.filter(group_id__in=group_ids)
        .values("group_id")
        .annotate(
            member_count=Count("pk", filter=active),
            pending_count=Count("pk", filter=Q(verification=Verification.PENDING)),
            approved_count=Count("pk", filter=Q(verification=Verification.APPROVED)),
            rejected_count=Count("pk", filter=Q(verification=Verification.REJECTED)),
            women_count=Count("pk", filter=active & Q(person__sex=Sex.FEMALE)),
            men_count=Count("pk", filter=active & Q(person__sex=Sex.MALE)),
            warning_count=Count("pk", filter=_open_warnings_q()),
            stale_copies=Count("pk", filter=_stale_copies_q()),
        )
    )
    found = {row.pop("group_id"): row for row in rows}
    empty = dict.fromkeys([*COUNT_FIELDS, "stale_copies"], 0)
    return {pk: found.get(pk, empty) for pk in group_ids}


def _stale_copies_q() -> Q:
    """Memberships whose copies (``LIST_KEYS``) differ from their programme's office, person's or group's
    name: counted with the groups' numbers, so that a recount finds them without a query of its own."""
    return (
        Q(office__isnull=True)
        | ~Q(office_id=F("program__office_id"))
        | ~Q(person_name=F("person__full_name"))
        | ~Q(group_name=F("group__name"))
    )


def refresh_list_keys(group_ids: list[int]) -> int:
    """Brings the copies on these groups' memberships (``LIST_KEYS``) up to their programme's office, their
    person's name and their group's name: one read, and a write of the rows that differ only. Returns their
    number."""
    rows = Membership.objects.filter(group_id__in=group_ids).values_list(
        "pk", *LIST_KEYS, "program__office_id", "person__full_name", "group__name"
    )
    stale = [
        Membership(pk=pk, office_id=office, person_name=person_name, group_name=group_name)
        for pk, *kept, office, person_name, group_name in rows
        if tuple(kept) != (office, person_name, group_name)
    ]
    # A plain UPDATE: the copies are not edits, so no version bump and no history row.
    Membership.objects.bulk_update(stale, ["office", "person_name", "group_name"], batch_size=500)
    return len(stale)


def refresh_groups(group_ids: Iterable[int]) -> set[int]:
    """Recounts these groups and brings their memberships' copies up to date; returns their programmes."""
    ids = sorted(set(group_ids))
    programs: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        counts = _group_counts(chunk)
        if stale := [pk for pk in chunk if counts[pk].pop("stale_copies", 0)]:
            refresh_list_keys(stale)
        groups = list(Group.objects.filter(pk__in=chunk).only("pk", "program_id", *COUNT_FIELDS))
        for g in groups:
            for name, value in counts[g.pk].items():
                setattr(g, name, value)
            programs.add(g.program_id)
        # A plain UPDATE: counts are not edits, so no version bump and no history row.
        Group.objects.bulk_update(groups, list(COUNT_FIELDS), batch_size=500)
    return programs


def refresh_programs(program_ids: Iterable[int]) -> None:
    """Recomputes these programmes' summaries from their groups' counts: one query each and an upsert."""
    from tunas.programs.models import Program

    for program in Program.objects.filter(pk__in=set(program_ids)).only("pk", "group_size_min"):
        groups = Group.objects.filter(program_id=program.pk)
        open_groups = groups.exclude(status__in=CLOSED_GROUPS)
        totals = open_groups.aggregate(
            groups=Count("pk"),
            groups_waiting=Count(
                "pk", filter=Q(status=GroupStatus.FORMING) & (Q(member_count__gt=0) | Q(rejected_count__gt=0))
            ),
            groups_selected=Count("pk", filter=Q(status__in=SELECTED_GROUP_STATUSES)),
            groups_undersized=Count("pk", filter=Q(member_count__lt=program.group_size_min)),
            members=Sum("member_count"),
            women=Sum("women_count"),
            men=Sum("men_count"),
            approved=Sum("approved_count"),
        )
        every = groups.aggregate(
            pending=Sum("pending_count"),
            pending_in_queue=Sum("pending_count", filter=Q(status__in=QUEUE_GROUPS)),
            rejected=Sum("rejected_count"),
            open_warnings=Sum("warning_count"),
        )
        values = {key: value or 0 for key, value in {**totals, **every}.items()}
        ProgramSummary.objects.update_or_create(program_id=program.pk, defaults=values)


def refresh(*, groups: Iterable[int] = (), programs: Iterable[int] = ()) -> None:
    """Recounts these groups and every programme they or ``programs`` belong to."""
    touched = refresh_groups(groups)
    refresh_programs(touched | set(programs))


def refresh_people(person_ids: Iterable[int]) -> None:
    """Recounts every group these people are registered in (a changed sex moves them between counts), and
    copies their names onto all their registrations."""
    ids = list(set(person_ids))
    groups: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        groups.update(
            Membership.objects.filter(person_id__in=ids[start : start + CHUNK]).values_list(
                "group_id", flat=True
            )
        )
    refresh(groups=groups)


def refresh_program_groups(program_id: int) -> None:
    """Recounts every group of one programme (after an import wrote many of them)."""
    refresh(
        groups=Group.objects.filter(program_id=program_id).values_list("pk", flat=True), programs=[program_id]
    )


def rebuild_all() -> int:
    """Recomputes every group's counts and every programme's summary in three set-based statements (seconds
    for a million registrations); returns the number of groups."""
    from django.utils import timezone

    from tunas.programs.models import Program

    group, member, person = Group._meta.db_table, Membership._meta.db_table, Person._meta.db_table
    summary, program = ProgramSummary._meta.db_table, Program._meta.db_table
    rejected, pending, approved = Verification.REJECTED, Verification.PENDING, Verification.APPROVED
    active = f"m.verification <> '{rejected}'"
    has_warnings = "CAST(m.warnings AS TEXT) <> '[]' AND m.warnings_resolved_by_id IS NULL"
    closed = ", ".join(f"'{s}'" for s in CLOSED_GROUPS)
    selected = ", ".join(f"'{s}'" for s in SELECTED_GROUP_STATUSES)
    queue = ", ".join(f"'{s}'" for s in QUEUE_GROUPS)
    is_open = f"g.status NOT IN ({closed})"
    zero = ", ".join(f"{name} = 0" for name in COUNT_FIELDS)
    assign = ", ".join(f"{name} = c.{name}" for name in COUNT_FIELDS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {group} SET {zero}")  # noqa: S608 - table names and constants, no input
        cursor.execute(
            f"""UPDATE {group} SET {assign} FROM (
                SELECT m.group_id,
                  SUM(CASE WHEN {active} THEN 1 ELSE 0 END) AS member_count,
                  SUM(CASE WHEN m.verification = '{pending}' THEN 1 ELSE 0 END) AS pending_count,
                  SUM(CASE WHEN m.verification = '{approved}' THEN 1 ELSE 0 END) AS approved_count,
                  SUM(CASE WHEN m.verification = '{rejected}' THEN 1 ELSE 0 END) AS rejected_count,
                  SUM(CASE WHEN {active} AND p.sex = '{Sex.FEMALE}' THEN 1 ELSE 0 END) AS women_count,
                  SUM(CASE WHEN {active} AND p.sex = '{Sex.MALE}' THEN 1 ELSE 0 END) AS men_count,
                  SUM(CASE WHEN {active} AND {has_warnings} THEN 1 ELSE 0 END) AS warning_count
                FROM {member} m JOIN {person} p ON p.id = m.person_id
                GROUP BY m.group_id
            ) c WHERE {group}.id = c.group_id"""  # noqa: S608 - table names and constants, no input
        )
        cursor.execute(f"DELETE FROM {summary}")  # noqa: S608
        cursor.execute(
            f"""INSERT INTO {summary} (program_id, groups, groups_waiting, groups_selected,
                  groups_undersized, members, women, men, pending, pending_in_queue, approved, rejected,
                  open_warnings, updated_at)
                SELECT g.program_id,
                  SUM(CASE WHEN {is_open} THEN 1 ELSE 0 END),
                  SUM(CASE WHEN g.status = '{GroupStatus.FORMING}'
                      AND (g.member_count > 0 OR g.rejected_count > 0) THEN 1 ELSE 0 END),
                  SUM(CASE WHEN g.status IN ({selected}) THEN 1 ELSE 0 END),
                  SUM(CASE WHEN {is_open} AND g.member_count < pr.group_size_min THEN 1 ELSE 0 END),
                  SUM(CASE WHEN {is_open} THEN g.member_count ELSE 0 END),
                  SUM(CASE WHEN {is_open} THEN g.women_count ELSE 0 END),
                  SUM(CASE WHEN {is_open} THEN g.men_count ELSE 0 END),
                  SUM(g.pending_count),
                  SUM(CASE WHEN g.status IN ({queue}) THEN g.pending_count ELSE 0 END),
                  SUM(CASE WHEN {is_open} THEN g.approved_count ELSE 0 END),
                  SUM(g.rejected_count),
                  SUM(g.warning_count),
                  %s
                FROM {group} g JOIN {program} pr ON pr.id = g.program_id
                GROUP BY g.program_id""",  # noqa: S608 - table names and constants, no input
            [timezone.now()],
        )
        cursor.execute(f"SELECT COUNT(*) FROM {group}")  # noqa: S608
        return cursor.fetchone()[0]


def rebuild_list_keys() -> int:
    """Copies every membership's office, person's name and group's name where they differ, in one set-based
    statement (seconds for a million registrations); returns the number of rows changed."""
    from tunas.programs.models import Program

    member, person, group = Membership._meta.db_table, Person._meta.db_table, Group._meta.db_table
    program = Program._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {member} AS m
                   SET office_id = pr.office_id, person_name = p.full_name, group_name = g.name
                  FROM {person} p, {group} g, {program} pr
                 WHERE p.id = m.person_id AND g.id = m.group_id AND pr.id = m.program_id
                   AND (m.office_id IS NULL OR m.office_id <> pr.office_id
                        OR m.person_name <> p.full_name OR m.group_name <> g.name)"""  # noqa: S608 - table names, no input
        )
        return cursor.rowcount
