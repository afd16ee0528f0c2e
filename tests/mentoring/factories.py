"""Mentoring test data: a programme in its mentoring stage, a selected group and its mentor."""

from __future__ import annotations

import datetime as dt
import uuid

from tests.factories import GroupFactory, MembershipFactory, ProgramFactory
from tunas.mentoring import services
from tunas.programs.models import Stage
from tunas.registry.models import GroupStatus, Verification


def mentoring_program(office, code="KLK-MNT-2026"):
    return ProgramFactory(
        office=office,
        code=code,
        status=Stage.MENTORING,
        training_start=dt.date(2026, 2, 2),
        training_end=dt.date(2026, 2, 4),
        mentoring_until=dt.date(2026, 8, 31),
    )


def selected_group(program, name="Lontar Besang", members=2, income=500_000, village_id="51.05.03.1008"):
    group = GroupFactory(program=program, name=name, status=GroupStatus.EQUIPPED, village_id=village_id)
    for _ in range(members):
        MembershipFactory(
            group=group, verification=Verification.APPROVED, income_before=income, village_id=village_id
        )
    group.refresh_from_db()
    return group


def assign(group, mentor, by=None):
    return services.assignment_create(group=group, mentor=mentor, starts_on=dt.date(2026, 3, 1), by=by)


def visit_body(group, **extra):
    body = {
        "group": group.pk,
        "visited_on": "2026-03-10",
        "met": "Ketua dan enam anggota",
        "activities": ["production", "bookkeeping"],
        "findings": "Pembukuan belum rapi",
        "follow_ups": [{"action": "Isi buku kas", "due_on": "2026-03-24", "responsible": "Bendahara"}],
    }
    body.update(extra)
    return body


def report_body(group, **extra):
    body = {
        "group": group.pk,
        "month": "2026-03",
        "status": "active",
        "turnover": 4_000_000,
        "costs": 2_500_000,
        "profit": 1_500_000,
        "working_members": 2,
        "channels": ["direct", "whatsapp"],
    }
    body.update(extra)
    return body


def new_id() -> uuid.UUID:
    return uuid.uuid4()
