"""Training fixtures: a selected group of three, a training of it over three days from today, an
instructor with an account."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import GroupFactory, MembershipFactory, PersonFactory
from tunas.programs.models import BudgetLine, Stage
from tunas.registry.models import GroupStatus, Verification
from tunas.training import services
from tunas.training.models import Session

from .factories import InstructorFactory


@pytest.fixture
def group(program):
    program.status = Stage.TRAINING
    program.save()
    group = GroupFactory(program=program, name="Lontar Besang", status=GroupStatus.VERIFIED)
    for name in ["Ni Wayan Sukasih", "I Made Artawan", "Ni Luh Ariani"]:
        MembershipFactory(
            group=group, person=PersonFactory(full_name=name), verification=Verification.APPROVED
        )
    return group


@pytest.fixture
def members(group):
    return list(group.memberships.select_related("person").order_by("person__full_name"))


@pytest.fixture
def start_day():
    return timezone.localdate()


@pytest.fixture
def training(group, officer, start_day):
    return services.training_create(
        program=group.program,
        groups=[group],
        data=services.TrainingData(
            title="Pelatihan Kerajinan Lontar",
            village_id=group.village_id,
            start_date=start_day,
            end_date=start_day + dt.timedelta(days=2),
            place="Balai Banjar Besang",
        ),
        by=officer,
    )


@pytest.fixture
def teacher(klungkung, instructor):
    return InstructorFactory(office=klungkung, user=instructor, name="I Ketut Sudana")


@pytest.fixture
def taught(training, teacher):
    """Every session of the training taught by the instructor with an account."""
    Session.objects.filter(training=training).update(instructor=teacher)
    return training


@pytest.fixture
def honorarium_line(program):
    return BudgetLine.objects.create(program=program, name="Honorarium instruktur", planned=5_000_000)


def mark_all(training, by, absent=(), today=None):
    """Marks every session: everyone present except the ``absent`` memberships."""
    for session in training.sessions.all():
        services.attendance_all_present(session=session, by=by, today=today or session.date)
        if absent:
            services.attendance_record(
                session=session,
                marks={m.pk: services.Mark("absent") for m in absent},
                by=by,
                today=today or session.date,
            )
