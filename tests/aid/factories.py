"""Factories of the aid tests: a programme in its aid stage with a budget line, and selected groups."""

from __future__ import annotations

import datetime as dt

from tests.factories import GroupFactory, MembershipFactory, PersonFactory, ProgramFactory
from tunas.programs.models import AidForm, BudgetLine, Stage
from tunas.registry.models import GroupStatus, Role, Verification

HANDOVER_DAY = dt.date(2026, 11, 10)
BOUGHT_DAY = dt.date(2026, 11, 2)


def aid_program(office, *, code="KLK-AID-2026", aid_form=AidForm.GOODS, planned=40_000_000, **fields):
    values = {
        "office": office,
        "code": code,
        "fiscal_year": 2026,
        "status": Stage.AID,
        "aid_form": aid_form,
        "aid_per_group": 10_000_000,
        "budget_total": max(planned, 100_000_000),
        "aid_date": HANDOVER_DAY,
        **fields,
    }
    program = ProgramFactory(**values)
    BudgetLine.objects.create(
        program=program, name="Bantuan alat bantu produksi", planned=planned, position=0
    )
    return program


def selected_group(program, *, name=None, members=4, status=GroupStatus.TRAINED, **fields):
    """A group that passed the selection, with a chair, a treasurer and members, all verified."""
    kwargs = {"program": program, "status": status, **fields}
    if name:
        kwargs["name"] = name
    group = GroupFactory(**kwargs)
    roles = [Role.CHAIR, Role.TREASURER] + [Role.MEMBER] * max(0, members - 2)
    for i, role in enumerate(roles):
        MembershipFactory(
            group=group,
            program=program,
            role=role,
            verification=Verification.APPROVED,
            person=PersonFactory(full_name=f"{group.name} Anggota {i + 1}"),
        )
    return group
