"""The mentoring app's reports: the recap per mentor and group, and the monthly figures per group."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Count, Max
from django.utils.translation import gettext_lazy as _lazy

from tunas.core.scoping import office_q
from tunas.programs.models import Program
from tunas.reports.generators import ReportGenerator
from tunas.reports.renderers import Column

from . import selectors
from .models import Assignment, BusinessStatus, FollowUp, ProgressReport, Visit


class _ProgramFilter(ReportGenerator):
    def is_available_to(self, user: Any) -> bool:
        return bool(user and user.is_authenticated and user.reads_jurisdiction)

    def filters(self, user: Any, data: Mapping[str, Any]) -> dict:
        code = (data.get("program") or "").strip() if hasattr(data, "get") else ""
        if code and not Program.objects.filter(office_q(user), code=code).exists():
            code = ""
        return {"program": code}


class MentoringRecapReport(_ProgramFilter):
    code = "mentoring_recap"
    title = _lazy("Mentoring recap")
    description = _lazy(
        "Per mentor and group: the assignment, visits, open and overdue follow-ups, last report."
    )
    order = 70

    def columns(self, user: Any) -> list[Column]:
        return [
            Column("program", _lazy("Programme"), width=16),
            Column("mentor", _lazy("Mentor"), width=24),
            Column("group", _lazy("Group"), width=28),
            Column("since", _lazy("From"), "date"),
            Column("until", _lazy("Until"), "date"),
            Column("visits", _lazy("Visits"), "int"),
            Column("last_visit", _lazy("Last visit"), "date"),
            Column("open", _lazy("Open follow-ups"), "int"),
            Column("reports", _lazy("Monthly reports"), "int"),
            Column("last_month", _lazy("Last month reported"), width=14),
        ]

    def rows(self, user: Any, filters: dict) -> Iterable[dict]:
        assignments = Assignment.objects.filter(selectors.reports_filter_q(user)).select_related(
            "program", "group", "mentor"
        )
        if filters.get("program"):
            assignments = assignments.filter(program__code=filters["program"])
        visible = assignments.values("group_id")
        visits = {
            r["group_id"]: r
            for r in Visit.objects.filter(is_current=True, group__in=visible)
            .values("group_id")
            .annotate(n=Count("id"), last=Max("visited_on"))
        }
        open_ = dict(
            FollowUp.objects.filter(done_on__isnull=True, visit__is_current=True, visit__group__in=visible)
            .values("visit__group_id")
            .annotate(n=Count("id"))
            .values_list("visit__group_id", "n")
        )
        months = {
            r["group_id"]: r
            for r in ProgressReport.objects.filter(is_current=True, group__in=visible)
            .values("group_id")
            .annotate(n=Count("id"), last=Max("month"))
        }
        for a in assignments.order_by("program__code", "mentor__first_name", "group__name", "starts_on"):
            v = visits.get(a.group_id, {})
            m = months.get(a.group_id, {})
            yield {
                "program": a.program.code,
                "mentor": a.mentor.get_full_name() or a.mentor.username,
                "group": a.group.name,
                "since": a.starts_on,
                "until": a.ended_on,
                "visits": v.get("n", 0),
                "last_visit": v.get("last"),
                "open": open_.get(a.group_id, 0),
                "reports": m.get("n", 0),
                "last_month": f"{m['last']:%Y-%m}" if m.get("last") else "",
            }


class MonthlyFiguresReport(_ProgramFilter):
    code = "mentoring_monthly_figures"
    title = _lazy("Monthly figures per group")
    description = _lazy(
        "Each group's monthly report (current version): status, turnover, costs, profit, workers."
    )
    order = 71

    def columns(self, user: Any) -> list[Column]:
        return [
            Column("program", _lazy("Programme"), width=16),
            Column("group", _lazy("Group"), width=28),
            Column("month", _lazy("Month"), width=10),
            Column("status", _lazy("Status"), width=12),
            Column("turnover", _lazy("Turnover"), "rupiah", width=16),
            Column("costs", _lazy("Costs"), "rupiah", width=16),
            Column("profit", _lazy("Profit"), "rupiah", width=16),
            Column("working", _lazy("Members working"), "int"),
            Column("hired_paid", _lazy("Hired, paid"), "int"),
            Column("hired_unpaid", _lazy("Hired, unpaid"), "int"),
            Column("capital", _lazy("Capital received"), "rupiah", width=16),
            Column("nib", _lazy("NIB"), width=6),
            Column("version", _lazy("Version"), "int"),
        ]

    def rows(self, user: Any, filters: dict) -> Iterable[dict]:
        qs = ProgressReport.objects.filter(selectors.reports_filter_q(user), is_current=True).select_related(
            "group__program"
        )
        if filters.get("program"):
            qs = qs.filter(group__program__code=filters["program"])
        labels = dict(BusinessStatus.choices)
        for r in qs.order_by("group__program__code", "group__name", "month").iterator(chunk_size=2000):
            yield {
                "program": r.group.program.code,
                "group": r.group.name,
                "month": f"{r.month:%Y-%m}",
                "status": str(labels.get(r.status, r.status)),
                "turnover": r.turnover,
                "costs": r.costs,
                "profit": r.profit,
                "working": r.working_members,
                "hired_paid": r.hired_paid,
                "hired_unpaid": r.hired_unpaid,
                "capital": r.capital_received,
                "nib": "✓" if r.nib_obtained else "",
                "version": r.version,
            }
