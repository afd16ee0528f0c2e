"""The demo's 2018 trainings: each group trained 4–6 September 2018 in its own hamlet by instructors of its
own village, a few absences, certificates for those who completed; loading twice changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from tunas.demo.foundation import load_foundation
from tunas.demo.registry import load_registry
from tunas.demo.training import load_training
from tunas.programs.models import Stage
from tunas.registry.models import GroupStatus
from tunas.training.models import Attendance, Certificate, Training, TrainingCost

pytestmark = pytest.mark.django_db


def test_the_2018_groups_are_trained_in_their_own_hamlet_and_certified_and_a_reload_changes_nothing():
    result = load_foundation()
    result.update(load_registry(result["programs"]))
    program = result["programs"]["KLK-TKM-2018"]
    program.status = Stage.TRAINING
    program.save()
    load_training(program, result)
    counts = (
        Training.objects.count(),
        Attendance.objects.count(),
        Certificate.objects.count(),
        TrainingCost.objects.count(),
    )
    trainings = list(Training.objects.filter(program=program).prefetch_related("groups"))
    assert len(trainings) == 4
    for t in trainings:
        group = t.groups.get()
        assert (t.start_date, t.end_date) == (dt.date(2018, 9, 4), dt.date(2018, 9, 6))
        assert t.hamlet_id == group.hamlet_id and t.village_id == group.village_id
        assert {s.instructor.village_id for s in t.sessions.select_related("instructor")} == {
            group.village_id
        }
        assert t.completed_at is not None
        assert group.status == GroupStatus.TRAINED
    assert Attendance.objects.exclude(status="present").exists()
    assert 0 < Certificate.objects.count() <= 80
    load_training(program, result)
    assert counts == (
        Training.objects.count(),
        Attendance.objects.count(),
        Certificate.objects.count(),
        TrainingCost.objects.count(),
    )
    from tunas.programs.lifecycle import missing_for_next_stage

    assert not [m for m in missing_for_next_stage(program) if "elatih" in m or "raining" in m]
