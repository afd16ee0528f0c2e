"""Counts kept current on write: per programme and month, how many selected groups have their report.

The officer's home card "groups without last month's report" is, for each of the user's programmes in the
mentoring stage, its selected groups (the registry's kept ``ProgramSummary.groups_selected``) minus those
with a current report for last month (``ReportCount``), so it reads one row per programme however many
groups and reports there are. "Last month" is chosen when the card is read (``selectors.last_month``, in the
office's time zone), so nothing rolls over at a month boundary: the first of the month simply reads the
previous month's row, which the reports sent during that month have already filled.

Each write that can change a figure recounts it from the rows inside its own transaction (never ``+= 1``):
a new monthly report and a correction (a new version replaces the current one, so the group still counts
once) recount their programme and month. A programme's stage is read with the card, so moving a programme
in or out of mentoring needs no recount; assignments do not enter the figure. A group entering or leaving
selection (a verification decision, in the registry) is recounted by ``refresh_groups``. ``rebuild``
(``python manage.py rebuild_mentoring_counts``) recomputes every row in two statements, for data loaded
around the services.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count

from tunas.registry.models import Group
from tunas.registry.selectors import SELECTED_STATUSES

from .models import ProgressReport, ReportCount

CHUNK = 2000


@transaction.atomic
def refresh(*, program_id: int, months: Iterable[dt.date]) -> None:
    """Recounts, from the reports, the programme's selected groups with a current report for these months."""
    wanted = sorted(set(months))
    if not wanted:
        return
    ReportCount.objects.bulk_create(
        [ReportCount(program_id=program_id, month=month) for month in wanted], ignore_conflicts=True
    )
    # The rows are locked before counting: a report of another group for the same month, written at the
    # same moment, waits here and then counts this one too (each statement sees what committed meanwhile).
    kept = list(ReportCount.objects.select_for_update().filter(program_id=program_id, month__in=wanted))
    found = dict(
        ProgressReport.objects.filter(
            group__program_id=program_id,
            group__status__in=SELECTED_STATUSES,
            is_current=True,
            month__in=wanted,
        )
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    changed = []
    for row in kept:
        value = found.get(row.month, 0)
        if row.groups != value:
            row.groups = value
            changed.append(row)
    if changed:
        ReportCount.objects.bulk_update(changed, ["groups"])


@transaction.atomic
def refresh_groups(group_ids: Iterable[int]) -> None:
    """Recounts every programme and month these groups reported for (after they entered or left
    selection)."""
    ids = sorted(set(group_ids))
    months: dict[int, set[dt.date]] = {}
    for start in range(0, len(ids), CHUNK):
        rows = (
            ProgressReport.objects.filter(group_id__in=ids[start : start + CHUNK], is_current=True)
            .values_list("group__program_id", "month")
            .distinct()
        )
        for program_id, month in rows:
            months.setdefault(program_id, set()).add(month)
    for program_id in sorted(months):
        refresh(program_id=program_id, months=months[program_id])


def recount() -> dict[tuple[int, dt.date], int]:
    """Every programme and month with at least one selected group reported, counted from the reports."""
    rows = (
        ProgressReport.objects.filter(is_current=True, group__status__in=SELECTED_STATUSES)
        .values("group__program_id", "month")
        .annotate(n=Count("pk"))
        .values_list("group__program_id", "month", "n")
    )
    return {(program_id, month): n for program_id, month, n in rows}


def kept() -> dict[tuple[int, dt.date], int]:
    """The kept counts, in the shape of ``recount`` (rows counted down to zero left out)."""
    rows = ReportCount.objects.filter(groups__gt=0).values_list("program_id", "month", "groups")
    return {(program_id, month): n for program_id, month, n in rows}


def rebuild() -> int:
    """Recomputes every programme's monthly count from the reports in two set-based statements; returns
    the number of rows kept."""
    table = connection.ops.quote_name(ReportCount._meta.db_table)
    groups_column = connection.ops.quote_name("groups")
    report, group = ProgressReport._meta.db_table, Group._meta.db_table
    statuses = [str(s) for s in SELECTED_STATUSES]
    marks = ", ".join(["%s"] * len(statuses))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - table names, no input
        cursor.execute(
            f"""INSERT INTO {table} (program_id, month, {groups_column})
                SELECT g.program_id, r.month, COUNT(*)
                FROM {report} r JOIN {group} g ON g.id = r.group_id
                WHERE r.is_current = %s AND g.status IN ({marks})
                GROUP BY g.program_id, r.month""",  # noqa: S608 - table names and placeholders, no input
            [True, *statuses],
        )
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
        return cursor.fetchone()[0]
