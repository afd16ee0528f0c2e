"""The training's rules: timetable, attendance, completion, certificates and costs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import GroupFactory, MembershipFactory, ProgramFactory
from tunas.programs.models import Stage
from tunas.registry.models import GroupStatus, Verification
from tunas.training import selectors, services
from tunas.training.errors import CODE_ALPHABET
from tunas.training.models import Attendance, Certificate, CertificateStatus, Session, default_curriculum

from .conftest import mark_all
from .factories import InstructorFactory

pytestmark = pytest.mark.django_db


def codes(exc: ValidationError) -> set[str]:
    found = set()
    if hasattr(exc, "error_dict"):
        for errors in exc.error_dict.values():
            found |= {e.code for e in errors}
    else:
        found |= {e.code for e in exc.error_list}
    return found


def test_a_new_training_copies_the_curriculum_into_eight_lesson_hours_a_day(training):
    sessions = list(training.sessions.order_by("date", "start"))
    assert sum(s.lesson_hours for s in sessions) == sum(i["hours"] for i in default_curriculum())
    by_day: dict[dt.date, int] = {}
    for s in sessions:
        by_day[s.date] = by_day.get(s.date, 0) + s.lesson_hours
    assert list(by_day.values()) == [8, 8, 8]
    assert sessions[0].start == dt.time(8, 0)
    assert {s.topic for s in sessions} == {i["topic"] for i in default_curriculum()}
    # No session spans the break after the fourth lesson hour (11.00–12.00).
    assert all(not (s.start < dt.time(12, 0) and s.end > dt.time(11, 0)) for s in sessions)


def test_a_session_ending_before_it_starts_is_refused(training):
    session = Session(
        training=training, date=training.start_date, start=dt.time(15, 0), end=dt.time(14, 0), topic="x"
    )
    with pytest.raises(ValidationError) as exc:
        services.session_save(session=session)
    assert "session_time_order" in codes(exc.value)


def test_a_session_outside_the_training_days_is_refused(training):
    session = Session(
        training=training,
        date=training.end_date + dt.timedelta(days=1),
        start=dt.time(8, 0),
        end=dt.time(9, 30),
        topic="x",
    )
    with pytest.raises(ValidationError) as exc:
        services.session_save(session=session)
    assert "session_outside_training" in codes(exc.value)


def test_an_instructor_in_two_places_at_once_is_refused(training, program, klungkung, officer):
    teacher = InstructorFactory(office=klungkung)
    first = training.sessions.order_by("date", "start").first()
    first.instructor = teacher
    services.session_save(session=first, by=officer)
    other_group = GroupFactory(program=program, name="Jajan Sengguan", status=GroupStatus.VERIFIED)
    other = services.training_create(
        program=program,
        groups=[other_group],
        data=services.TrainingData(
            title="Pelatihan Jajan",
            village_id=other_group.village_id,
            start_date=first.date,
            end_date=first.date,
        ),
        by=officer,
    )
    clash = other.sessions.order_by("start").first()
    clash.instructor = teacher
    with pytest.raises(ValidationError) as exc:
        services.session_save(session=clash, by=officer)
    assert "instructor_busy" in codes(exc.value)
    assert "Pelatihan Kerajinan Lontar" in str(exc.value)


def test_a_group_cannot_be_in_two_trainings_of_the_programme(training, group, officer):
    with pytest.raises(ValidationError) as exc:
        services.training_create(
            program=group.program,
            groups=[group],
            data=services.TrainingData(
                title="Lagi",
                village_id=group.village_id,
                start_date=training.start_date,
                end_date=training.end_date,
            ),
            by=officer,
        )
    assert "group_in_training" in codes(exc.value)


def test_everyone_present_with_one_tap_then_exceptions(training, members, officer):
    session = training.sessions.first()
    services.attendance_all_present(session=session, by=officer)
    services.attendance_record(
        session=session,
        marks={
            members[0].pk: services.Mark("absent"),
            members[1].pk: services.Mark("excused", "Upacara di pura"),
        },
        by=officer,
    )
    statuses = dict(Attendance.objects.filter(session=session).values_list("membership_id", "status"))
    assert statuses == {members[0].pk: "absent", members[1].pk: "excused", members[2].pk: "present"}


def test_attendance_for_a_person_not_in_the_group_is_refused(training, program, officer):
    stranger = MembershipFactory(
        group=GroupFactory(program=program, name="Lain", status=GroupStatus.VERIFIED),
        verification=Verification.APPROVED,
    )
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(
            session=training.sessions.first(), marks={stranger.pk: services.Mark("present")}, by=officer
        )
    assert codes(exc.value) == {"attendance_not_member"}
    assert not Attendance.objects.exists()


def test_an_excused_absence_needs_its_reason(training, members, officer):
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(
            session=training.sessions.first(), marks={members[0].pk: services.Mark("excused")}, by=officer
        )
    assert codes(exc.value) == {"attendance_excuse_reason"}


def test_an_instructor_marks_only_their_own_sessions(taught, training, members, instructor, klungkung):
    session = training.sessions.first()
    services.attendance_all_present(session=session, by=instructor)
    assert Attendance.objects.filter(session=session).count() == 3
    someone_else = InstructorFactory(office=klungkung, name="Lain")
    Session.objects.filter(pk=session.pk).update(instructor=someone_else)
    with pytest.raises(PermissionDenied):
        services.attendance_all_present(session=session, by=instructor)


def test_a_late_edit_needs_a_reason_and_the_history_keeps_who_and_why(training, members, officer):
    session = training.sessions.first()
    services.attendance_all_present(session=session, by=officer)
    later = session.date + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.attendance_record(
            session=session, marks={members[0].pk: services.Mark("absent")}, by=officer, today=later
        )
    assert codes(exc.value) == {"attendance_late_reason"}
    services.attendance_record(
        session=session,
        marks={members[0].pk: services.Mark("absent")},
        by=officer,
        change_reason="Koreksi dari daftar hadir kertas",
        today=later,
    )
    row = Attendance.objects.get(session=session, membership=members[0])
    last = row.history.order_by("-history_date").first()
    assert (last.status, last.history_user, last.history_change_reason) == (
        "absent",
        officer,
        "Koreksi dari daftar hadir kertas",
    )
    assert row.history.count() == 2


def test_completion_follows_the_programmes_threshold_and_moves_the_groups_on(
    training, members, officer, group
):
    sessions = list(training.sessions.order_by("date", "start"))
    mark_all(training, officer)
    # One participant misses three of the sessions: below 80 %.
    for s in sessions[:3]:
        services.attendance_record(
            session=s, marks={members[0].pk: services.Mark("absent")}, by=officer, today=s.date
        )
    rows = services.training_complete(training=training, by=officer)
    completed = {r.membership.pk: r.completed for r in rows}
    assert completed == {
        members[0].pk: len(sessions) - 3 >= 0.8 * len(sessions),
        members[1].pk: True,
        members[2].pk: True,
    }
    group.refresh_from_db()
    assert group.status == GroupStatus.TRAINED


def test_completion_waits_until_every_session_is_marked(training, officer):
    services.attendance_all_present(session=training.sessions.first(), by=officer)
    with pytest.raises(ValidationError) as exc:
        services.training_complete(training=training, by=officer)
    assert codes(exc.value) == {"training_not_held"}


def test_certificates_go_to_those_who_completed_once_each(training, members, officer):
    sessions = list(training.sessions.all())
    mark_all(training, officer, absent=[members[0]])
    services.training_complete(training=training, by=officer)
    issued = services.certificates_issue(training=training, by=officer)
    assert {c.membership_id for c in issued} == {members[1].pk, members[2].pk}
    assert len(sessions) and all(c.lesson_hours == sum(s.lesson_hours for s in sessions) for c in issued)
    with pytest.raises(ValidationError) as exc:
        services.certificate_issue(training=training, membership=members[0], by=officer)
    assert codes(exc.value) == {"certificate_not_completed"}
    with pytest.raises(ValidationError) as exc:
        services.certificate_issue(training=training, membership=members[1], by=officer)
    assert codes(exc.value) == {"certificate_duplicate"}
    assert services.certificates_issue(training=training, by=officer) == []
    assert Certificate.objects.count() == 2


def test_certificate_codes_are_long_and_without_look_alikes_and_numbers_run_on(training, members, officer):
    mark_all(training, officer)
    services.training_complete(training=training, by=officer)
    issued = services.certificates_issue(training=training, by=officer)
    for c in issued:
        assert len(c.code) >= 10 and set(c.code) <= set(CODE_ALPHABET)
        assert not set(c.code) & set("0O1IL")
    assert [c.sequence for c in issued] == [1, 2, 3]
    assert issued[0].number.startswith("001/SERT-PELATIHAN/")


def test_a_certificate_keeps_the_name_as_it_was_at_issue(training, members, officer):
    mark_all(training, officer)
    services.training_complete(training=training, by=officer)
    cert = services.certificates_issue(training=training, by=officer)[0]
    person = cert.membership.person
    old = person.full_name
    person.full_name = "Nama Baru Sekali"
    person.save()
    cert.refresh_from_db()
    assert cert.name == old


def test_revoking_keeps_the_history_and_the_check_says_revoked(training, members, officer):
    mark_all(training, officer)
    services.training_complete(training=training, by=officer)
    cert = services.certificates_issue(training=training, by=officer)[0]
    services.certificate_revoke(
        certificate=cert, reason="Data peserta keliru", by=officer, day=dt.date(2026, 12, 1)
    )
    checked = services.certificate_check(code=cert.code)
    assert checked.status == CertificateStatus.REVOKED and checked.revoked_on == dt.date(2026, 12, 1)
    assert checked.check_count == 1
    assert list(cert.history.order_by("history_date").values_list("status", flat=True)) == [
        "valid",
        "revoked",
    ]


def test_a_check_of_an_unknown_or_malformed_code_finds_nothing():
    assert services.certificate_check(code="ABCDEFGHJKMN") is None
    assert services.certificate_check(code="<script>") is None
    assert services.certificate_check(code="") is None


def test_honoraria_are_lesson_hours_times_rate_on_the_ledger(
    taught, training, officer, honorarium_line, teacher
):
    from tunas.programs.ledger import spending_list

    first = training.sessions.order_by("date", "start").first()
    services.attendance_all_present(session=first, by=officer)
    recorded = services.honoraria_record(
        training=training, budget_line=honorarium_line, spent_on=first.date, by=officer
    )
    assert [c.amount for c in recorded] == [first.lesson_hours * teacher.rate_per_hour]
    spending = list(spending_list(program=training.program))
    assert [(s.amount, s.source) for s in spending] == [
        (recorded[0].amount, f"training.honorarium:{first.pk}")
    ]
    # Recorded once: a second run finds nothing new to pay.
    assert (
        services.honoraria_record(
            training=training, budget_line=honorarium_line, spent_on=first.date, by=officer
        )
        == []
    )


def test_a_cost_past_the_budget_line_is_refused_and_leaves_nothing(training, officer, honorarium_line):
    with pytest.raises(ValidationError) as exc:
        services.cost_record(
            training=training,
            budget_line=honorarium_line,
            spent_on=training.start_date,
            amount=honorarium_line.planned + 1,
            description="Konsumsi",
            by=officer,
        )
    assert "budget_exceeded" in codes(exc.value)
    assert not training.costs.exists()


def test_the_stage_check_holds_the_programme_in_training_until_the_trainings_are_held(
    training, officer, program
):
    from tunas.programs.lifecycle import missing_for_next_stage

    assert any("Pelatihan Kerajinan Lontar" in m for m in missing_for_next_stage(program))
    mark_all(training, officer)
    assert any("Pelatihan Kerajinan Lontar" in m for m in missing_for_next_stage(program))
    services.training_complete(training=training, by=officer)
    assert not any("Pelatihan Kerajinan Lontar" in m for m in missing_for_next_stage(program))


def test_a_selected_group_without_training_blocks_the_move_to_aid(program, group):
    from tunas.programs.lifecycle import missing_for_next_stage

    assert program.status == Stage.TRAINING
    assert any(group.name in m for m in missing_for_next_stage(program))


def test_sheet_numbers_are_issued_once_per_day_from_the_office_counter(training):
    first = services.attendance_sheet_issue(training=training, date=training.start_date)
    again = services.attendance_sheet_issue(training=training, date=training.start_date)
    second = services.attendance_sheet_issue(training=training, date=training.end_date)
    assert first.number == again.number and first.number != second.number
    assert "/DH-PELATIHAN/" in first.number


def test_an_outsider_cannot_plan_a_training(program, outsider, group):
    with pytest.raises(PermissionDenied):
        services.training_create(
            program=program,
            groups=[group],
            data=services.TrainingData(
                title="x",
                village_id=group.village_id,
                start_date=dt.date(2026, 1, 1),
                end_date=dt.date(2026, 1, 1),
            ),
            by=ProgramFactory and outsider and None or outsider,
        )


def test_participants_leave_out_rejected_members(training, group):
    MembershipFactory(group=group, verification=Verification.REJECTED, holds_place=False)
    assert selectors.participants(training=training).count() == 3
