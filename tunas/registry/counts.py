"""Counts kept current on write: each group's registrations and each programme's summary.

Lists, the verification queue, the home page and the programme tabs read these instead of counting rows,
so they cost the same for a regency's hundred people as for the ministry's million. Every service that
changes a registration, a decision, a group's status or a person's sex calls ``refresh`` inside its own
transaction; the group's numbers are recounted from its own rows (twenty or so) and the programme's from
its groups' numbers, so they never drift. ``rebuild_all`` (``python manage.py rebuild_counts``) recomputes
everything, for data loaded around the services.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, Q, Sum

from tunas.core.choices import Sex

from .models import COUNT_FIELDS, Group, GroupStatus, Membership, ProgramSummary, Verification
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
        )
    )
    found = {row.pop("group_id"): row for row in rows}
    empty = dict.fromkeys(COUNT_FIELDS, 0)
    return {pk: found.get(pk, empty) for pk in group_ids}


def refresh_groups(group_ids: Iterable[int]) -> set[int]:
    """Recounts these groups; returns their programmes."""
    ids = sorted(set(group_ids))
    programs: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        counts = _group_counts(chunk)
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
    """Recounts every group these people are registered in (a changed sex moves them between counts)."""
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
    """Recomputes every group's counts and every programme's summary; returns the groups counted."""
    from tunas.programs.models import Program

    total = 0
    for program_id in Program.objects.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            ids = list(Group.objects.filter(program_id=program_id).values_list("pk", flat=True))
            refresh_groups(ids)
            refresh_programs([program_id])
            total += len(ids)
    return total
