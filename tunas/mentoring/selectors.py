"""Reads of the mentoring app, scoped to the user: a mentor reads the groups assigned now, the office's
staff read their jurisdiction (through the registry's scope)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from tunas.accounts.roles import Role
from tunas.core.scoping import office_q
from tunas.programs.models import Program, Stage
from tunas.registry.models import Group
from tunas.registry.selectors import JURISDICTION_READERS, SELECTED_STATUSES, registry_scope_q

from .models import Assignment, FollowUp, MemberFigure, ProgressReport, ReportCount, Visit


def is_mentor(user: Any) -> bool:
    return bool(user and user.is_authenticated and Role.MENTOR in user.roles)


def mentor_group_ids(user: Any) -> QuerySet | None:
    """The groups assigned to this mentor now, as a subquery; None for anyone who is not a mentor."""
    if not is_mentor(user):
        return None
    return Assignment.objects.filter(mentor=user, ended_on__isnull=True).values("group_id")


def may_read_mentoring(user: Any) -> bool:
    return bool(user and user.is_authenticated and (user.reads_jurisdiction or is_mentor(user)))


def may_manage(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.manages_programmes)


def may_write_for(user: Any, group: Group) -> bool:
    """Only the group's current mentor records its visits and reports, until the programme closes."""
    return (
        Assignment.objects.filter(mentor=user, group=group, ended_on__isnull=True)
        .exclude(program__status=Stage.CLOSED)
        .exists()
    )


def my_assignments(*, user: Any) -> list[Assignment]:
    """The mentor's current groups with their programme: one query."""
    if not is_mentor(user):
        return []
    return list(
        Assignment.objects.filter(mentor=user, ended_on__isnull=True)
        .select_related("group__program", "group__village", "group__hamlet")
        .order_by("group__name")
    )


def groups_readable(*, user: Any) -> QuerySet[Group]:
    """Groups the user reads: the jurisdiction's, or the mentor's assigned ones (registry scope)."""
    return Group.objects.filter(registry_scope_q(user))


def last_month(today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _report_exists(month: dt.date):
    return Exists(ProgressReport.objects.filter(group=OuterRef("pk"), month=month, is_current=True))


def groups_missing_report(*, user: Any, month: dt.date | None = None) -> QuerySet[Group]:
    """Mentored groups (their programme in the mentoring stage) the user reads that lack last month's
    report."""
    month = month or last_month()
    return (
        groups_readable(user=user)
        .filter(program__status=Stage.MENTORING, status__in=SELECTED_STATUSES)
        .annotate(has_report=_report_exists(month))
        .filter(has_report=False)
        .select_related("program")
        .order_by("program__code", "name")
    )


def _reads_jurisdiction(user: Any) -> bool:
    # The same test as the registry's scope: these users read groups by their programme's office.
    return bool(user and user.is_authenticated and user.has_role(*JURISDICTION_READERS))


def programs_missing_report(*, user: Any, month: dt.date | None = None) -> QuerySet:
    """The user's programmes in the mentoring stage, each with ``missing``: its selected groups without a
    current report for the month, from the kept counts (registry ``ProgramSummary`` and ``ReportCount``),
    one row per programme whatever the number of groups."""
    month = month or last_month()
    reported = ReportCount.objects.filter(program=OuterRef("pk"), month=month).values("groups")[:1]
    missing = Greatest(
        Coalesce(F("registry_summary__groups_selected"), 0) - Coalesce(Subquery(reported), 0),
        Value(0),
        output_field=IntegerField(),
    )
    return Program.objects.filter(office_q(user), status=Stage.MENTORING).annotate(missing=missing)


def groups_missing_report_count(*, user: Any, month: dt.date | None = None) -> int:
    """How many mentored groups the user reads lack the month's report: one query over the kept counts
    for the jurisdiction's readers, the mentor's own groups counted otherwise."""
    if not _reads_jurisdiction(user):
        return groups_missing_report(user=user, month=month).count()
    total = programs_missing_report(user=user, month=month).aggregate(n=Sum("missing"))["n"]
    return total or 0


def groups_missing_report_first(*, user: Any, month: dt.date | None = None, limit: int = 50) -> list[Group]:
    """The first ``limit`` groups (by programme code and name) lacking the month's report, reading only as
    many programmes as fill the list (chosen from the kept counts): two queries."""
    if not _reads_jurisdiction(user):
        return list(groups_missing_report(user=user, month=month)[:limit])
    chosen, found = [], 0
    for pk, missing in (
        programs_missing_report(user=user, month=month)
        .filter(missing__gt=0)
        .order_by("code", "pk")
        .values_list("pk", "missing")
    ):
        chosen.append(pk)
        found += missing
        if found >= limit:
            break
    if not chosen:
        return []
    return list(groups_missing_report(user=user, month=month).filter(program_id__in=chosen)[:limit])


def follow_ups_open(*, user: Any) -> QuerySet[FollowUp]:
    """Open follow-ups of current visits of the groups the user reads, soonest first (a closed programme's
    are history, not work)."""
    return (
        FollowUp.objects.filter(done_on__isnull=True, visit__is_current=True)
        .exclude(visit__group__program__status=Stage.CLOSED)
        .filter(visit__group__in=groups_readable(user=user).values("pk"))
        .select_related("visit__group")
        .order_by("due_on", "pk")
    )


def follow_ups_overdue(*, user: Any, today: dt.date | None = None) -> QuerySet[FollowUp]:
    return follow_ups_open(user=user).filter(due_on__lt=today or timezone.localdate())


def visits_visible(*, user: Any) -> QuerySet[Visit]:
    """Current visits of the groups the user reads."""
    return (
        Visit.objects.filter(is_current=True, group__in=groups_readable(user=user).values("pk"))
        .select_related("group", "mentor")
        .order_by("-visited_on", "id")
    )


def visits_per_mentor(*, user: Any) -> list[dict]:
    """Per mentor: visits recorded and groups followed now, over the groups the user reads: two queries."""
    visible = groups_readable(user=user).values("pk")
    rows = (
        Visit.objects.filter(is_current=True, group__in=visible)
        .values("mentor_id", "mentor__first_name", "mentor__last_name", "mentor__username")
        .annotate(visits=Count("id"), groups=Count("group", distinct=True))
        .order_by("mentor__first_name", "mentor__username")
    )
    return [
        {
            "mentor": " ".join(p for p in (r["mentor__first_name"], r["mentor__last_name"]) if p)
            or r["mentor__username"],
            "visits": r["visits"],
            "groups": r["groups"],
        }
        for r in rows
    ]


def group_get_for_mentoring(*, user: Any, pk: int) -> Group:
    """One group the user reads (Group.DoesNotExist otherwise)."""
    return groups_readable(user=user).select_related("program__office", "village", "hamlet").get(pk=pk)


def visit_get_visible(*, user: Any, pk: Any) -> Visit:
    return (
        Visit.objects.filter(group__in=groups_readable(user=user).values("pk"))
        .select_related("group__program", "mentor", "replaces")
        .prefetch_related("follow_ups", "photos")
        .get(pk=pk)
    )


def report_get_visible(*, user: Any, pk: Any) -> ProgressReport:
    return (
        ProgressReport.objects.filter(group__in=groups_readable(user=user).values("pk"))
        .select_related("group__program", "mentor")
        .get(pk=pk)
    )


def report_versions(*, report: ProgressReport) -> list[ProgressReport]:
    """Every version of a group's report for that month, newest first: one query."""
    return list(
        ProgressReport.objects.filter(group=report.group_id, month=report.month)
        .select_related("mentor")
        .order_by("-version")
    )


def group_visits(*, group: Group, limit: int | None = None, follow_ups: bool = True) -> list[Visit]:
    """The group's current visits, newest first, with their follow-ups when asked (two queries)."""
    qs = Visit.objects.filter(group=group, is_current=True).select_related("mentor")
    if follow_ups:
        qs = qs.prefetch_related("follow_ups")
    qs = qs.order_by("-visited_on", "-received_at")
    return list(qs[:limit] if limit else qs)


def group_reports(*, group: Group) -> list[ProgressReport]:
    """The group's current monthly figures, oldest month first."""
    return list(ProgressReport.objects.filter(group=group, is_current=True).order_by("month"))


def group_baseline(*, group: Group) -> dict:
    """What the group's verified members declared at registration, as group totals (one query): their
    monthly income before, how many there were, how many were not working. Totals only: a mentor does not
    see one person's income."""
    from django.db.models import Sum

    from tunas.registry.models import Employment, Membership, Verification

    row = Membership.objects.filter(group=group, verification=Verification.APPROVED).aggregate(
        income=Sum("income_before"),
        members=Count("pk"),
        not_working=Count("pk", filter=Q(employment_before=Employment.NONE)),
    )
    return {
        "income_before": row["income"] or 0,
        "members": row["members"],
        "not_working_before": row["not_working"],
    }


def group_head(*, group: Group) -> dict:
    """In one query: the group's current mentor (name, since when) and its members' declared monthly income
    before the programme (the registration baseline)."""
    from django.db.models import Subquery, Sum
    from django.db.models.functions import Coalesce

    from tunas.registry.models import Employment, Membership, Verification

    current = Assignment.objects.filter(group=OuterRef("pk"), ended_on__isnull=True)
    approved = Membership.objects.filter(group=OuterRef("pk"), verification=Verification.APPROVED)
    income = approved.values("group").annotate(total=Sum("income_before")).values("total")
    idle = (
        approved.filter(employment_before=Employment.NONE).values("group").annotate(n=Count("pk")).values("n")
    )
    row = (
        Group.objects.filter(pk=group.pk)
        .annotate(
            mentor_id=Subquery(current.values("mentor_id")[:1]),
            mentor_first=Subquery(current.values("mentor__first_name")[:1]),
            mentor_last=Subquery(current.values("mentor__last_name")[:1]),
            mentor_username=Subquery(current.values("mentor__username")[:1]),
            since=Subquery(current.values("starts_on")[:1]),
            income=Coalesce(Subquery(income), 0),
            idle=Coalesce(Subquery(idle), 0),
        )
        .values("mentor_id", "mentor_first", "mentor_last", "mentor_username", "since", "income", "idle")
        .get()
    )
    mentor = None
    if row["mentor_id"] is not None:
        name = " ".join(p for p in (row["mentor_first"], row["mentor_last"]) if p) or row["mentor_username"]
        mentor = {"mentor_id": row["mentor_id"], "mentor_name": name, "starts_on": row["since"]}
    return {"assignment": mentor, "income_before": row["income"], "not_working_before": row["idle"]}


def current_mentor(*, group: Group) -> Assignment | None:
    return Assignment.objects.filter(group=group, ended_on__isnull=True).select_related("mentor").first()


def program_assignments(*, program: Program) -> list[Assignment]:
    return list(
        Assignment.objects.filter(program=program)
        .select_related("group", "mentor")
        .order_by("group__name", "-starts_on")
    )


def mentors_of_office(*, program: Program) -> QuerySet:
    from tunas.accounts.models import User

    return (
        User.objects.filter(office=program.office, groups__name=Role.MENTOR, is_active=True)
        .order_by("first_name", "username")
        .distinct()
    )


def program_visible(*, user: Any, code: str) -> Program:
    return Program.objects.filter(office_q(user)).select_related("office").get(code=code)


def mentoring_months(program: Program, today: dt.date | None = None) -> list[dt.date]:
    """The months a selected group reports on: after the training's month up to the end of mentoring
    (never past last month)."""
    start = program.training_end or program.training_start
    if start is None:
        return []
    end = last_month(today)
    if program.mentoring_until and program.mentoring_until.replace(day=1) < end:
        end = program.mentoring_until.replace(day=1)
    months = []
    month = (start.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def groups_missing_months(program: Program) -> dict[str, list[dt.date]]:
    """Per selected group of the programme, the months of the mentoring period without a report: two
    queries."""
    months = mentoring_months(program)
    if not months:
        return {}
    groups = list(
        Group.objects.filter(program=program, status__in=SELECTED_STATUSES)
        .order_by("name")
        .values("pk", "name")
    )
    have: dict[int, set[dt.date]] = {}
    for group_id, month in ProgressReport.objects.filter(
        group__program=program, is_current=True, month__in=months
    ).values_list("group_id", "month"):
        have.setdefault(group_id, set()).add(month)
    missing = {}
    for g in groups:
        lacking = [m for m in months if m not in have.get(g["pk"], set())]
        if lacking:
            missing[g["name"]] = lacking
    return missing


def program_overview(*, program: Program) -> dict:
    """The programme tab's figures: groups with their mentor, visits, last report: four queries, reading
    one report per group (its latest month, by the group's index) rather than every month's."""
    newest = (
        ProgressReport.objects.filter(group=OuterRef("pk"), is_current=True)
        .order_by("-month")
        .values("pk")[:1]
    )
    groups = list(
        Group.objects.filter(program=program, status__in=SELECTED_STATUSES)
        .annotate(latest_report=Subquery(newest))
        .order_by("name")
    )
    mentors = {
        a.group_id: a
        for a in Assignment.objects.filter(program=program, ended_on__isnull=True).select_related("mentor")
    }
    visits = dict(
        Visit.objects.filter(group__program=program, is_current=True)
        .values("group_id")
        .annotate(n=Count("id"))
        .values_list("group_id", "n")
    )
    wanted = [g.latest_report for g in groups if g.latest_report is not None]  # type: ignore[attr-defined]
    latest: dict[int, ProgressReport] = {}
    if wanted:
        for r in ProgressReport.objects.filter(pk__in=wanted).defer("body"):
            latest[r.group_id] = r
    return {
        "rows": [
            {
                "group": g,
                "assignment": mentors.get(g.pk),
                "visits": visits.get(g.pk, 0),
                "latest": latest.get(g.pk),
            }
            for g in groups
        ],
        "unassigned": sum(1 for g in groups if g.pk not in mentors),
    }


def reports_filter_q(user: Any) -> Q:
    return Q(group__in=groups_readable(user=user).values("pk"))


def approved_members(*, group: Group) -> list:
    """The group's verified members by name (one query): who a monthly report may give a line for."""
    from tunas.registry.models import Membership, Verification

    return list(
        Membership.objects.filter(group=group, verification=Verification.APPROVED)
        .select_related("person")
        .order_by("person__full_name", "pk")
    )


def member_figures(*, report: ProgressReport) -> list[MemberFigure]:
    return list(
        report.member_figures.select_related("membership__person").order_by("membership__person__full_name")
    )
