"""The monthly report counts kept on write (tunas.mentoring.counts) and the officer's home card that reads
them: equal to a recount from the rows after every service and after ``rebuild``, the same queries whatever
the number of groups, and the right month on either side of a month boundary."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import login
from tests.factories import UserFactory
from tunas.accounts.roles import Role
from tunas.mentoring import counts, selectors, services
from tunas.mentoring.models import Assignment, ReportCount
from tunas.programs.models import Stage
from tunas.programs.services import program_step_back
from tunas.registry import services as registry_services
from tunas.registry.models import GroupStatus

from .factories import mentoring_program, new_id, report_body, selected_group

pytestmark = pytest.mark.django_db

CARD = "mentoring_groups_missing"
WITA = dt.timezone(dt.timedelta(hours=8))


def at(monkeypatch, moment: dt.datetime) -> None:
    """Freezes the clock the card and the services read (the month is taken in the office's time zone)."""
    monkeypatch.setattr(timezone, "now", lambda: moment)


def on(monkeypatch, day: dt.date) -> None:
    at(monkeypatch, dt.datetime(day.year, day.month, day.day, 10, 0, tzinfo=WITA))


def card(user) -> int:
    cards = login(user).get(reverse("core:home")).context["stat_cards"]
    return next(c["data"]["count"] for c in cards if c["key"] == CARD)


def assert_kept_equals_recount() -> None:
    assert counts.kept() == counts.recount()


def assert_card_right(user, expected: int) -> None:
    """The card, read from the kept counts, says what counting the groups one by one says."""
    assert selectors.groups_missing_report(user=user).count() == expected
    assert card(user) == expected


def report(group, mentor, month: str, **extra):
    return services.report_receive(
        record_id=new_id(), body=report_body(group, month=month, **extra), by=mentor
    )


@pytest.fixture
def roomy(mprogram, officer):
    """A mentor of the programme may follow thirty groups."""
    services.settings_save(program=mprogram, max_groups=40, max_people=400, by=officer)
    return mprogram


def followed(program, mentor, officer, n: int, start: int = 0) -> list:
    groups = []
    for i in range(start, start + n):
        group = selected_group(program, name=f"Kelompok {i:02d}", members=1)
        services.assignment_create(group=group, mentor=mentor, starts_on=dt.date(2026, 3, 1), by=officer)
        groups.append(group)
    return groups


# After each service -----------------------------------------------------------------------------------------


def test_a_new_report_counts_its_group_for_its_month_only(monkeypatch, officer, mentor, mprogram, mgroup):
    on(monkeypatch, dt.date(2026, 4, 15))
    other = selected_group(mprogram, name="Tanpa Laporan")
    assert_card_right(officer, 2)
    report(mgroup, mentor, "2026-03")
    assert counts.kept() == {(mprogram.pk, dt.date(2026, 3, 1)): 1}
    assert_kept_equals_recount()
    assert_card_right(officer, 1)
    report(mgroup, mentor, "2026-02")  # an earlier month: last month's figure does not move
    assert_kept_equals_recount()
    assert_card_right(officer, 1)
    assert other.pk in set(selectors.groups_missing_report(user=officer).values_list("pk", flat=True))


def test_a_correction_or_a_resend_does_not_count_the_group_twice(monkeypatch, officer, mentor, mgroup):
    on(monkeypatch, dt.date(2026, 4, 15))
    first = report(mgroup, mentor, "2026-03").record
    body = report_body(mgroup, month="2026-03", turnover=5_000_000, replaces=str(first.pk))
    correction_id = new_id()
    services.report_receive(record_id=correction_id, body=body, by=mentor)
    services.report_receive(record_id=correction_id, body=body, by=mentor)  # the phone sends it again
    assert counts.kept() == {(mgroup.program_id, dt.date(2026, 3, 1)): 1}
    assert_kept_equals_recount()
    assert_card_right(officer, 0)


def test_assignments_leave_the_counts_and_the_card_as_they_are(
    monkeypatch, officer, mentor, mprogram, mgroup, klungkung
):
    on(monkeypatch, dt.date(2026, 4, 15))
    report(mgroup, mentor, "2026-03")
    second = selected_group(mprogram, name="Kedua")
    before = counts.kept()
    current = Assignment.objects.get(group=mgroup, ended_on__isnull=True)
    services.assignment_end(assignment=current, ended_on=dt.date(2026, 4, 1), by=officer)
    other_mentor = UserFactory(username="pendamping.dua", office=klungkung, roles=[str(Role.MENTOR)])
    services.assignment_create(group=mgroup, mentor=other_mentor, starts_on=dt.date(2026, 4, 2), by=officer)
    services.assignment_create(group=second, mentor=mentor, starts_on=dt.date(2026, 4, 2), by=officer)
    assert counts.kept() == before
    assert_kept_equals_recount()
    # The card counts selected groups, followed or not: the second group still owes March.
    assert_card_right(officer, 1)


def test_a_programme_entering_or_leaving_mentoring_changes_the_card_without_a_recount(
    monkeypatch, admin_user, mentor, mprogram, mgroup, klungkung
):
    on(monkeypatch, dt.date(2026, 4, 15))
    report(mgroup, mentor, "2026-03")
    selected_group(mprogram, name="Tanpa Laporan")
    later = mentoring_program(klungkung, code="KLK-EVA-2026")
    selected_group(later, name="Sudah Evaluasi")
    later.status = Stage.EVALUATION
    later.save()
    assert_card_right(admin_user, 1)

    program_step_back(
        program=later, by=admin_user, reason="Data pendampingan belum lengkap", expected_version=later.version
    )
    assert_kept_equals_recount()
    assert_card_right(admin_user, 2)

    mprogram.refresh_from_db()
    program_step_back(
        program=mprogram, by=admin_user, reason="Bantuan belum diserahkan", expected_version=mprogram.version
    )
    assert_kept_equals_recount()
    assert_card_right(admin_user, 1)


def test_a_group_rejected_after_it_reported_leaves_the_counts_in_the_decisions_transaction(
    monkeypatch, officer, mentor, mprogram
):
    on(monkeypatch, dt.date(2026, 4, 15))
    group = selected_group(mprogram, name="Baru Diverifikasi")
    group.status = GroupStatus.VERIFIED
    group.save()
    selected_group(mprogram, name="Tanpa Laporan")
    services.assignment_create(group=group, mentor=mentor, starts_on=dt.date(2026, 3, 1), by=officer)
    report(group, mentor, "2026-03")
    assert_card_right(officer, 1)

    registry_services.group_verify(group=group, approve=False, reason="Usaha fiktif", by=officer)
    assert counts.kept() == {}  # through the registry's selection listeners, with no call of our own
    assert_kept_equals_recount()
    assert_card_right(officer, 1)


def test_rebuild_recomputes_every_count_from_the_reports(monkeypatch, officer, mentor, roomy):
    on(monkeypatch, dt.date(2026, 5, 10))
    groups = followed(roomy, mentor, officer, 4)
    for group in groups[:3]:
        report(group, mentor, "2026-03")
    report(groups[0], mentor, "2026-04")
    expected = counts.kept()
    assert expected == {(roomy.pk, dt.date(2026, 3, 1)): 3, (roomy.pk, dt.date(2026, 4, 1)): 1}
    ReportCount.objects.all().delete()
    ReportCount.objects.create(program=roomy, month=dt.date(2026, 1, 1), groups=9)  # a stale row
    assert counts.rebuild() == 2
    assert counts.kept() == expected == counts.recount()
    ReportCount.objects.update(groups=0)
    call_command("rebuild_mentoring_counts", stdout=io.StringIO())
    assert counts.kept() == expected
    assert_card_right(officer, 3)


# The card ---------------------------------------------------------------------------------------------------


def test_the_card_reads_the_month_before_the_offices_today_across_a_month_boundary(
    monkeypatch, officer, mentor, mprogram, mgroup
):
    late = selected_group(mprogram, name="Lapor April")
    services.assignment_create(group=late, mentor=mentor, starts_on=dt.date(2026, 3, 1), by=officer)
    on(monkeypatch, dt.date(2026, 4, 20))
    report(mgroup, mentor, "2026-03")
    report(late, mentor, "2026-04")  # this month's, sent early
    # 30 April 23:30 in Bali: last month is March; mgroup reported it, the other did not.
    at(monkeypatch, dt.datetime(2026, 4, 30, 23, 30, tzinfo=WITA))
    assert_card_right(officer, 1)
    assert list(selectors.groups_missing_report(user=officer).values_list("pk", flat=True)) == [late.pk]
    # Half an hour later it is May in Bali (still 30 April in UTC): last month is April.
    at(monkeypatch, dt.datetime(2026, 4, 30, 16, 30, tzinfo=dt.UTC))
    assert selectors.last_month() == dt.date(2026, 4, 1)
    assert_card_right(officer, 1)
    assert list(selectors.groups_missing_report(user=officer).values_list("pk", flat=True)) == [mgroup.pk]
    # April's report for mgroup arrives in May: the card reads it at once.
    report(mgroup, mentor, "2026-04")
    assert_kept_equals_recount()
    assert_card_right(officer, 0)


def test_the_card_counts_only_the_users_jurisdiction(
    monkeypatch, officer, outsider, mentor, mgroup, bali_province
):
    on(monkeypatch, dt.date(2026, 4, 15))
    province_officer = UserFactory(username="operator.bali", office=bali_province, roles=[str(Role.OFFICER)])
    assert_card_right(officer, 1)
    assert_card_right(province_officer, 1)
    assert_card_right(outsider, 0)
    report(mgroup, mentor, "2026-03")
    assert_card_right(province_officer, 0)


def test_the_home_card_asks_the_same_queries_for_3_groups_as_for_30(monkeypatch, officer, mentor, roomy):
    on(monkeypatch, dt.date(2026, 4, 15))

    def home_queries() -> tuple[int, int]:
        client = login(officer)
        with CaptureQueriesContext(connection) as queries:
            cards = client.get(reverse("core:home")).context["stat_cards"]
        return len(queries), next(c["data"]["count"] for c in cards if c["key"] == CARD)

    for group in followed(roomy, mentor, officer, 3)[:2]:
        report(group, mentor, "2026-03")
    few, missing = home_queries()
    assert missing == 1
    for group in followed(roomy, mentor, officer, 27, start=3)[:20]:
        report(group, mentor, "2026-03")
    many, missing = home_queries()
    assert (many, missing) == (few, 8)


def test_the_overview_list_reads_only_as_many_programmes_as_fill_it(monkeypatch, officer, mentor, klungkung):
    on(monkeypatch, dt.date(2026, 4, 15))
    first = mentoring_program(klungkung, code="KLK-A-2026")
    second = mentoring_program(klungkung, code="KLK-B-2026")
    third = mentoring_program(klungkung, code="KLK-C-2026")
    for program in (first, second, third):
        for name in ("Satu", "Dua"):
            selected_group(program, name=f"{name} {program.code}", members=1)
    expected = list(selectors.groups_missing_report(user=officer)[:3])
    with CaptureQueriesContext(connection) as queries:
        shown = selectors.groups_missing_report_first(user=officer, limit=3)
    assert shown == expected
    assert len(queries) == 2
    assert selectors.groups_missing_report_first(user=officer, limit=50) == list(
        selectors.groups_missing_report(user=officer)
    )


def test_a_mentors_due_card_still_counts_their_own_groups(monkeypatch, mentor, mgroup, mprogram):
    on(monkeypatch, dt.date(2026, 4, 15))
    selected_group(mprogram, name="Bukan Kelompoknya")
    assert selectors.groups_missing_report_count(user=mentor) == 1
    report(mgroup, mentor, "2026-03")
    assert selectors.groups_missing_report_count(user=mentor) == 0


# At the same moment -----------------------------------------------------------------------------------------


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the in-memory SQLite test database locks whole tables across threads; SQLite serialises writers",
)
@pytest.mark.django_db(transaction=True)
def test_two_groups_reporting_the_same_month_at_once_are_both_counted(bali_regions, monkeypatch, klungkung):
    on(monkeypatch, dt.date(2026, 4, 15))
    officer = UserFactory(username="operator", office=klungkung, roles=[str(Role.OFFICER)])
    mentor = UserFactory(username="pendamping", office=klungkung, roles=[str(Role.MENTOR)])
    program = mentoring_program(klungkung)
    services.settings_save(program=program, max_groups=5, max_people=50, by=officer)
    first, second, earlier = followed(program, mentor, officer, 3)
    # The month's row exists already, so the second report finds it unlocked by any insert of the first.
    report(earlier, mentor, "2026-03")
    first_written, second_done = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def first_report() -> None:
        try:
            with transaction.atomic():
                report(first, mentor, "2026-03")
                first_written.set()
                # The second report is sent while this one is not yet committed.
                second_done.wait(timeout=2)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            failures.append(exc)
        finally:
            connection.close()

    def second_report() -> None:
        try:
            first_written.wait(timeout=30)
            report(second, mentor, "2026-03")
        except BaseException as exc:  # noqa: BLE001
            failures.append(exc)
        finally:
            second_done.set()
            connection.close()

    threads = [threading.Thread(target=first_report), threading.Thread(target=second_report)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures
    assert counts.kept() == {(program.pk, dt.date(2026, 3, 1)): 3}
    assert_kept_equals_recount()
