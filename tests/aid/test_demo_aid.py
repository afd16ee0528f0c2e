"""The 2018 demo's aid: the four groups equipped on 4 September 2018, the aid line realised to the rupiah,
loaded any number of times without adding anything."""

from __future__ import annotations

import datetime as dt

import pytest

from tunas.aid.models import Allocation, Asset, Handover, Purchase
from tunas.demo.aid import load_aid
from tunas.demo.foundation import load_foundation
from tunas.demo.registry import load_registry
from tunas.programs.ledger import line_realisation
from tunas.programs.lifecycle import missing_for_next_stage
from tunas.programs.models import Program, Stage
from tunas.registry.models import GroupStatus

pytestmark = pytest.mark.django_db


def test_the_2018_groups_are_equipped_once_with_signed_records_and_the_aid_line_realised_exactly():
    result = load_foundation()
    result.update(load_registry(result["programs"]))
    Program.objects.filter(code="KLK-TKM-2018").update(status=Stage.AID)
    program = Program.objects.get(code="KLK-TKM-2018")
    load_aid(program, result)
    counts = (
        Purchase.objects.count(),
        Allocation.objects.count(),
        Handover.objects.count(),
        Asset.objects.count(),
    )
    load_aid(program, result)
    assert (
        Purchase.objects.count(),
        Allocation.objects.count(),
        Handover.objects.count(),
        Asset.objects.count(),
    ) == counts
    handovers = list(Handover.objects.filter(program=program))
    assert len(handovers) == 4
    assert {h.handed_on for h in handovers} == {dt.date(2018, 9, 4)}
    assert all(h.is_signed and "/BAST/DISPERINAKER/IX/2018" in h.number for h in handovers)
    assert set(program.groups.values_list("status", flat=True)) == {GroupStatus.EQUIPPED}
    aid_line = next(r for r in line_realisation(program=program) if r.name.startswith("Bantuan alat"))
    assert aid_line.spent == aid_line.planned == 100_000_000
    assert all(sum(i.total for i in h.items.all()) == 25_000_000 for h in handovers)
    assert not [m for m in missing_for_next_stage(program) if "serah" in m.lower() or "handover" in m.lower()]
