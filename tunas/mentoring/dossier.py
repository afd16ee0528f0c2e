"""The mentoring app's part of the programme dossier: each group's visits and monthly progress reports
(current versions; no personal numbers)."""

from __future__ import annotations

from tunas.programs.models import Program
from tunas.registry.models import Group

from .models import FollowUp, ProgressReport, Visit


def _mentor_name(user) -> str:
    return user.get_full_name() or user.username


def visits_dossier(program: Program) -> dict:
    """``{"groups": [{"name", "visits": [{"date", "mentor", "activities", "findings", "follow_ups"}]}]}``:
    three queries whatever the size."""
    groups = list(Group.objects.filter(program=program).order_by("name").values("pk", "name"))
    follow_ups: dict = {}
    for f in FollowUp.objects.filter(visit__group__program=program, visit__is_current=True).order_by(
        "due_on", "pk"
    ):
        follow_ups.setdefault(f.visit_id, []).append(
            {"action": f.action, "due": f.due_on.isoformat(), "by": f.responsible, "done": bool(f.done_on)}
        )
    visits: dict = {}
    for v in (
        Visit.objects.filter(group__program=program, is_current=True)
        .select_related("mentor")
        .order_by("visited_on", "received_at")
    ):
        visits.setdefault(v.group_id, []).append(
            {
                "date": v.visited_on.isoformat(),
                "mentor": _mentor_name(v.mentor),
                "activities": list(v.activities),
                "findings": v.findings,
                "follow_ups": follow_ups.get(v.pk, []),
            }
        )
    return {"groups": [{"name": g["name"], "visits": visits.get(g["pk"], [])} for g in groups]}


def progress_reports_dossier(program: Program) -> dict:
    """``{"groups": [{"name", "progress_reports": [{"month": "YYYY-MM", "status", "turnover", "costs",
    "profit", "working_members", "hired_workers", "channels"}]}]}``: two queries."""
    groups = list(Group.objects.filter(program=program).order_by("name").values("pk", "name"))
    rows: dict = {}
    for r in ProgressReport.objects.filter(group__program=program, is_current=True).order_by("month"):
        rows.setdefault(r.group_id, []).append(
            {
                "month": f"{r.month:%Y-%m}",
                "status": r.status,
                "turnover": r.turnover,
                "costs": r.costs,
                "profit": r.profit,
                "working_members": r.working_members,
                "hired_workers": r.hired_workers,
                "channels": list(r.channels),
            }
        )
    return {"groups": [{"name": g["name"], "progress_reports": rows.get(g["pk"], [])} for g in groups]}
