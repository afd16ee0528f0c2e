"""The training app's part of the programme dossier: each group's trainings and certificates."""

from __future__ import annotations

from collections import defaultdict

from tunas.registry.models import Group

from . import selectors
from .models import Certificate, Training


def _training_entry(training: Training, sessions: list, group_members: set[int], rows: list) -> dict:
    days = selectors.attendance_by_day(training=training, memberships=list(group_members))
    done = [r for r in rows if r.membership.pk in group_members and r.completed]
    return {
        "title": training.title,
        "start_date": training.start_date.isoformat(),
        "end_date": training.end_date.isoformat(),
        "venue": training.venue,
        "sessions": [
            {
                "date": s.date.isoformat(),
                "start": s.start.strftime("%H:%M"),
                "end": s.end.strftime("%H:%M"),
                "topic": s.topic,
                "instructor": s.instructor.name if s.instructor else None,
            }
            for s in sessions
        ],
        "attendance": [
            {"date": d.date.isoformat(), "present": d.present, "absent": d.absent, "excused": d.excused}
            for d in days
            if d.marked_sessions
        ],
        # Participants of the group who completed, once completion is decided; None before.
        "completed": len(done) if training.completed_at else None,
    }


def trainings_dossier(program) -> list[dict]:
    """Per group of the programme: ``{"group", "trainings": [...], "certificates": [...]}``."""
    groups = list(Group.objects.filter(program=program).order_by("name"))
    trainings = list(
        Training.objects.filter(program=program)
        .select_related("program", "village", "hamlet")
        .prefetch_related("groups", selectors.sessions_prefetch())
    )
    by_group: dict[int, list[dict]] = defaultdict(list)
    for training in trainings:
        rows = selectors.completion_rows(training=training)
        members_of: dict[int, set[int]] = defaultdict(set)
        for r in rows:
            members_of[r.membership.group_id].add(r.membership.pk)
        sessions = list(training.sessions.all())
        for group in training.groups.all():
            by_group[group.pk].append(_training_entry(training, sessions, members_of[group.pk], rows))
    certificates: dict[int, list[dict]] = defaultdict(list)
    for c in (
        Certificate.objects.filter(training__program=program)
        .select_related("membership")
        .order_by("sequence")
    ):
        certificates[c.membership.group_id].append(
            {"code": c.code, "member": c.name, "issued": c.issued_on.isoformat(), "status": c.status}
        )
    return [
        {"group": g.name, "trainings": by_group[g.pk], "certificates": certificates[g.pk]} for g in groups
    ]
