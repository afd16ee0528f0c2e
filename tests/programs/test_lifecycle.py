"""A programme moves through its stages one at a time, once nothing is missing for the next one."""

from __future__ import annotations

import datetime as dt
import inspect

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from tests.conftest import login
from tests.factories import GroupFactory, MembershipFactory, ProgramFactory
from tunas.core.errors import ConflictError
from tunas.programs import lifecycle, services
from tunas.programs.models import STAGE_ORDER, BudgetLine, Program, Stage

from .helpers import english

pytestmark = pytest.mark.django_db


def missing(program: Program) -> list[str]:
    with translation.override("en"):
        return [str(m) for m in lifecycle.missing_for_next_stage(program)]


def test_the_stages_are_the_lifecycle_of_the_ministrys_guidelines_in_order():
    assert STAGE_ORDER == [
        "planning", "registration", "verification", "training", "aid", "mentoring", "evaluation", "closed",
    ]  # fmt: skip


def test_the_stepper_marks_stages_done_current_and_to_do(program):
    states = [(step.key, step.state) for step in lifecycle.stage_steps(program)]
    assert states[:3] == [("planning", "done"), ("registration", "current"), ("verification", "todo")]
    assert [state for _, state in states].count("current") == 1


@pytest.mark.parametrize(
    ("status", "following"), list(zip(STAGE_ORDER, [*STAGE_ORDER[1:], None], strict=True))
)
def test_the_next_stage_is_the_following_one(klungkung, status, following):
    assert lifecycle.next_stage(ProgramFactory(office=klungkung, status=status)) == following


def test_planning_needs_a_budget_its_lines_and_registration_dates(klungkung):
    program = ProgramFactory(
        office=klungkung,
        status=Stage.PLANNING,
        budget_total=0,
        registration_start=None,
        registration_end=None,
    )
    assert missing(program) == [
        "Enter the total budget.",
        "Add at least one budget line.",
        "Set the registration dates.",
    ]
    program.budget_total = 10_000_000
    BudgetLine.objects.create(program=program, name="Pelatihan", planned=5_000_000)
    program.registration_start, program.registration_end = dt.date(2027, 3, 1), dt.date(2027, 3, 31)
    assert missing(program) == []


def test_registration_needs_a_group_with_enough_members(klungkung):
    program = ProgramFactory(office=klungkung, status=Stage.REGISTRATION, group_size_min=2)
    assert missing(program) == ["Register at least one business group."]
    group = GroupFactory(program=program)
    MembershipFactory(group=group)
    assert missing(program) == ["1 group(s) have fewer than 2 members."]
    MembershipFactory(group=group)
    assert missing(program) == []


@pytest.mark.parametrize(
    ("status", "field", "sentence"),
    [
        (Stage.TRAINING, "training_start", "Set the training dates."),
        (Stage.AID, "aid_date", "Set the aid handover date."),
        (Stage.MENTORING, "mentoring_until", "Set the date mentoring runs until."),
        (Stage.EVALUATION, "evaluation_date", "Set the evaluation date."),
    ],
)
def test_later_stages_need_their_dates(klungkung, status, field, sentence):
    program = ProgramFactory(office=klungkung, status=status, **{field: None})
    assert missing(program) == [sentence]
    setattr(program, field, dt.date(2027, 5, 4))
    assert missing(program) == []


def _ready_planning(klungkung) -> Program:
    program = ProgramFactory(office=klungkung, status=Stage.PLANNING, registration_end=dt.date(2026, 11, 30))
    BudgetLine.objects.create(program=program, name="Pelatihan", planned=5_000_000)
    return program


def test_advancing_moves_one_stage_and_bumps_the_version(klungkung):
    program = _ready_planning(klungkung)
    services.program_advance(program=program, expected_version=1)
    program.refresh_from_db()
    assert (program.status, program.version) == (Stage.REGISTRATION, 2)


def test_advancing_is_refused_while_something_is_missing(klungkung):
    program = ProgramFactory(office=klungkung, status=Stage.PLANNING, registration_start=None)
    with pytest.raises(ValidationError) as error, translation.override("en"):
        services.program_advance(program=program, expected_version=1)
    assert "Add at least one budget line." in error.value.messages
    program.refresh_from_db()
    assert (program.status, program.version) == (Stage.PLANNING, 1)


def test_a_closed_programme_cannot_advance(klungkung):
    program = ProgramFactory(office=klungkung, status=Stage.CLOSED)
    with pytest.raises(ValidationError):
        services.program_advance(program=program, expected_version=1)
    program.refresh_from_db()
    assert program.status == Stage.CLOSED


def test_advancing_from_a_stale_page_is_refused(klungkung):
    program = _ready_planning(klungkung)
    Program.objects.filter(pk=program.pk).update(version=2, name="Changed meanwhile")
    with pytest.raises(ConflictError):
        services.program_advance(program=program, expected_version=1)
    program.refresh_from_db()
    assert (program.status, program.name) == (Stage.PLANNING, "Changed meanwhile")


def test_a_programme_with_its_dates_walks_from_training_to_closed(klungkung):
    program = ProgramFactory(
        office=klungkung,
        status=Stage.TRAINING,
        training_start=dt.date(2027, 2, 8),
        training_end=dt.date(2027, 2, 10),
        aid_date=dt.date(2027, 2, 10),
        mentoring_until=dt.date(2027, 8, 31),
        evaluation_date=dt.date(2029, 2, 10),
    )
    for expected in ["aid", "mentoring", "evaluation", "closed"]:
        services.program_advance(program=program, expected_version=program.version)
        program.refresh_from_db()
        assert program.status == expected
    assert program.version == 5


def test_the_advance_button_moves_the_programme_on(officer, klungkung):
    program = _ready_planning(klungkung)
    client = english(login(officer))
    response = client.post(reverse("programs:advance", args=[program.code]), {"version": 1}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("programs:detail", args=[program.code])
    program.refresh_from_db()
    assert program.status == Stage.REGISTRATION
    assert "The programme moved to the stage “Registration”." in response.content.decode()


def test_the_advance_button_says_what_is_missing_and_changes_nothing(officer, klungkung):
    program = ProgramFactory(office=klungkung, status=Stage.PLANNING, registration_start=None)
    response = english(login(officer)).post(
        reverse("programs:advance", args=[program.code]), {"version": 1}, follow=True
    )
    assert "Add at least one budget line." in response.content.decode()
    program.refresh_from_db()
    assert (program.status, program.version) == (Stage.PLANNING, 1)


@pytest.mark.parametrize("version", ["", "abc", "1.5"])
def test_a_garbled_version_is_refused_as_stale_not_a_server_error(officer, klungkung, version):
    program = _ready_planning(klungkung)
    response = login(officer).post(reverse("programs:advance", args=[program.code]), {"version": version})
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.status == Stage.PLANNING


def test_the_advance_button_needs_a_post(officer, program):
    assert login(officer).get(reverse("programs:advance", args=[program.code])).status_code == 405


# What a stage change says, and an administrator's step back ------------------------------------------------


def test_every_stage_after_planning_says_in_one_sentence_what_moving_into_it_changes():
    assert set(lifecycle.STAGE_CHANGES) == set(STAGE_ORDER[1:])
    with translation.override("en"):
        sentences = {stage: str(text) for stage, text in lifecycle.STAGE_CHANGES.items()}
    assert (
        sentences[Stage.VERIFICATION]
        == "Registration closes and verification begins: the verifiers decide on every member."
    )
    assert all(s.endswith(".") and s.count(". ") == 0 for s in sentences.values())


def test_every_stage_before_closed_says_what_stepping_back_into_it_changes():
    assert set(lifecycle.STAGE_BACK_CHANGES) == set(STAGE_ORDER[:-1])


@pytest.mark.parametrize(("status", "before"), list(zip(STAGE_ORDER, [None, *STAGE_ORDER[:-1]], strict=True)))
def test_the_previous_stage_is_the_one_before(klungkung, status, before):
    assert lifecycle.previous_stage(ProgramFactory(office=klungkung, status=status)) == before


def test_the_step_back_service_takes_keyword_arguments_only():
    parameters = inspect.signature(services.program_step_back).parameters.values()
    assert [p.name for p in parameters] == ["program", "by", "reason", "expected_version"]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in parameters)


def test_an_administrator_steps_back_one_stage_and_the_reason_is_kept_in_the_history(admin_user, klungkung):
    program = ProgramFactory(office=klungkung, status=Stage.VERIFICATION)
    services.program_step_back(
        program=program, by=admin_user, reason="  Dua kelompok   terlambat mendaftar ", expected_version=1
    )
    program.refresh_from_db()
    assert (program.status, program.version) == (Stage.REGISTRATION, 2)
    last = program.history.latest()
    assert last.status == Stage.REGISTRATION
    assert last.history_change_reason == "Dua kelompok terlambat mendaftar"
    assert last.history_user == admin_user


def test_a_closed_programme_steps_back_to_evaluation(admin_user, klungkung):
    program = ProgramFactory(office=klungkung, status=Stage.CLOSED)
    services.program_step_back(
        program=program, by=admin_user, reason="Laporan t+2 belum lengkap", expected_version=1
    )
    program.refresh_from_db()
    assert program.status == Stage.EVALUATION


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_step_back_without_a_reason_is_refused_with_the_code_required(admin_user, klungkung, reason):
    program = ProgramFactory(office=klungkung, status=Stage.VERIFICATION)
    with pytest.raises(ValidationError) as error:
        services.program_step_back(program=program, by=admin_user, reason=reason, expected_version=1)
    assert [e.code for e in error.value.error_dict["reason"]] == ["required"]
    program.refresh_from_db()
    assert (program.status, program.version) == (Stage.VERIFICATION, 1)
    assert program.history.count() == 1


def test_a_reason_longer_than_the_history_keeps_is_refused(admin_user, klungkung):
    program = ProgramFactory(office=klungkung, status=Stage.VERIFICATION)
    with pytest.raises(ValidationError) as error:
        services.program_step_back(program=program, by=admin_user, reason="x" * 101, expected_version=1)
    assert [e.code for e in error.value.error_dict["reason"]] == ["value_invalid"]
    program.refresh_from_db()
    assert program.status == Stage.VERIFICATION


@pytest.mark.parametrize("who", ["officer", "verifier", "viewer", "mentor"])
def test_only_an_administrator_may_step_back(request, klungkung, who):
    program = ProgramFactory(office=klungkung, status=Stage.VERIFICATION)
    with pytest.raises(PermissionDenied):
        services.program_step_back(
            program=program, by=request.getfixturevalue(who), reason="Salah tekan", expected_version=1
        )
    program.refresh_from_db()
    assert (program.status, program.version) == (Stage.VERIFICATION, 1)


def test_planning_has_no_stage_to_step_back_to(admin_user, klungkung):
    program = ProgramFactory(office=klungkung, status=Stage.PLANNING)
    with pytest.raises(ValidationError) as error, translation.override("en"):
        services.program_step_back(program=program, by=admin_user, reason="Salah tekan", expected_version=1)
    assert "there is no stage before it" in error.value.messages[0]
    program.refresh_from_db()
    assert (program.status, program.version) == (Stage.PLANNING, 1)


def test_a_step_back_from_a_stale_page_is_refused(admin_user, klungkung):
    program = ProgramFactory(office=klungkung, status=Stage.VERIFICATION)
    Program.objects.filter(pk=program.pk).update(version=2, status=Stage.TRAINING)
    with pytest.raises(ConflictError):
        services.program_step_back(program=program, by=admin_user, reason="Salah tekan", expected_version=1)
    program.refresh_from_db()
    assert program.status == Stage.TRAINING


def test_stepping_back_then_advancing_again_returns_to_the_same_stage(admin_user, klungkung):
    program = ProgramFactory(
        office=klungkung,
        status=Stage.AID,
        training_start=dt.date(2027, 2, 8),
        training_end=dt.date(2027, 2, 10),
        aid_date=dt.date(2027, 2, 10),
    )
    services.program_step_back(program=program, by=admin_user, reason="Tanggal salah", expected_version=1)
    program.refresh_from_db()
    assert program.status == Stage.TRAINING
    services.program_advance(program=program, expected_version=program.version)
    program.refresh_from_db()
    assert (program.status, program.version) == (Stage.AID, 3)
