"""The mentoring pages: who opens what, bounded queries on the lists, the group page's card, the reports."""

from __future__ import annotations

import io
import json
import uuid

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import login
from tunas.mentoring import services
from tunas.mentoring.models import Assignment, ProgressReport

from .factories import report_body, selected_group, visit_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(mentor, mgroup):
    visit = services.visit_receive(record_id=uuid.uuid4(), body=visit_body(mgroup), by=mentor).record
    report = services.report_receive(record_id=uuid.uuid4(), body=report_body(mgroup), by=mentor).record
    return visit, report


def test_the_mentor_home_shows_their_groups_with_the_two_big_buttons(mentor, mgroup):
    page = login(mentor).get(reverse("core:home")).content.decode()
    assert mgroup.name in page
    assert reverse("mentoring:visit_form", args=[mgroup.pk]) in page
    assert reverse("mentoring:report_form", args=[mgroup.pk]) in page


def test_the_group_page_card_shows_the_mentor_the_figures_and_the_baseline(officer, mentor, mgroup, records):
    from tunas.registry.models import Employment, Membership

    Membership.objects.filter(pk=Membership.objects.filter(group=mgroup).first().pk).update(
        employment_before=Employment.NONE
    )
    response = login(officer).get(reverse("registry:group_detail", args=[mgroup.pk]))
    page = response.content.decode()
    section = dict((entry.key, data) for entry, data in response.context["sections"])["mentoring"]
    assert section["baseline"] == {"income_before": 1_000_000, "members": 2, "not_working_before": 1}
    assert 'id="section-mentoring"' in page
    assert mentor.get_full_name() in page
    assert "Rp 4.000.000" in page  # the month's turnover
    assert "Rp 1.000.000" in page  # two members declared Rp 500.000 each at registration
    assert 'data-figures="group-figures"' in page


@pytest.mark.parametrize(
    "name", ["mentoring:group", "mentoring:visit_form", "mentoring:report_form", "mentoring:overview"]
)
def test_an_outsider_from_another_regency_opens_no_mentoring_page_of_klungkung(outsider, mgroup, name):
    args = [] if name == "mentoring:overview" else [mgroup.pk]
    response = login(outsider).get(reverse(name, args=args))
    if name == "mentoring:overview":
        assert mgroup.name not in response.content.decode()
    else:
        assert response.status_code in (403, 404)


def test_an_outsider_cannot_read_a_visit_or_a_report(outsider, records):
    visit, report = records
    client = login(outsider)
    assert client.get(reverse("mentoring:visit_detail", args=[visit.pk])).status_code == 404
    assert client.get(reverse("mentoring:report_detail", args=[report.pk])).status_code == 404


def test_an_officer_reads_the_visit_but_only_the_mentor_writes_for_the_group(officer, mgroup):
    assert login(officer).get(reverse("mentoring:visit_form", args=[mgroup.pk])).status_code == 403


def test_a_viewer_cannot_assign_mentors(viewer, mprogram, mgroup, mentor):
    other = selected_group(mprogram, name="Lain")
    response = login(viewer).post(
        reverse("mentoring:assignments", args=[mprogram.code]),
        {"group": other.pk, "mentor": mentor.pk, "starts_on": "2026-03-01"},
    )
    assert response.status_code == 403
    assert not Assignment.objects.filter(group=other).exists()


def test_an_officer_assigns_a_mentor_and_the_capacity_message_shows_beside_the_field(
    officer, mprogram, mentor, mgroup
):
    client = login(officer)
    second = selected_group(mprogram, name="Kedua")
    third = selected_group(mprogram, name="Ketiga")
    url = reverse("mentoring:assignments", args=[mprogram.code])
    assert (
        client.post(url, {"group": second.pk, "mentor": mentor.pk, "starts_on": "2026-03-01"}).status_code
        == 302
    )
    response = client.post(url, {"group": third.pk, "mentor": mentor.pk, "starts_on": "2026-03-01"})
    assert response.status_code == 200
    assert "mentor_over_capacity" in [e.code for e in response.context["form"].errors.as_data()["mentor"]]


@pytest.mark.parametrize("n", [2, 12])
def test_the_overview_asks_a_bounded_number_of_queries(
    officer, mentor, mprogram, n, django_assert_max_num_queries
):
    for i in range(n):
        group = selected_group(mprogram, name=f"Kelompok {i:02d}", members=1)
        Assignment.objects.create(program=mprogram, group=group, mentor=mentor, starts_on="2026-03-01")
        services.visit_receive(record_id=uuid.uuid4(), body=visit_body(group), by=mentor)
    for user in (officer, mentor):
        client = login(user)
        with django_assert_max_num_queries(16):
            assert client.get(reverse("mentoring:overview")).status_code == 200


@pytest.mark.parametrize("n", [2, 12])
def test_the_programme_tab_asks_a_bounded_number_of_queries(
    officer, mentor, mprogram, n, django_assert_max_num_queries
):
    for i in range(n):
        group = selected_group(mprogram, name=f"Kelompok {i:02d}", members=1)
        Assignment.objects.create(program=mprogram, group=group, mentor=mentor, starts_on="2026-03-01")
        services.report_receive(record_id=uuid.uuid4(), body=report_body(group), by=mentor)
    from tunas.mentoring.selectors import program_overview

    with django_assert_max_num_queries(4):
        rows = program_overview(program=mprogram)["rows"]
    assert len(rows) == n


def test_the_monthly_figures_report_is_a_real_workbook_of_the_current_versions(
    officer, mentor, mgroup, records
):
    _visit, report = records
    services.report_receive(
        record_id=uuid.uuid4(),
        body=report_body(mgroup, turnover=6_000_000, replaces=str(report.pk)),
        by=mentor,
    )
    response = login(officer).get(reverse("reports:download", args=["mentoring_monthly_figures", "xlsx"]))
    assert response.status_code == 200
    rows = list(
        load_workbook(
            io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
        ).active.iter_rows(values_only=True)
    )
    data = [r for r in rows if r and r[1] == mgroup.name]
    assert len(data) == 1 and data[0][4] == 6_000_000
    assert ProgressReport.objects.count() == 2


def test_a_follow_up_marked_done_leaves_the_overdue_list(mentor, mgroup, records):
    visit, _report = records
    follow_up = visit.follow_ups.get()
    client = login(mentor)
    assert follow_up.action in client.get(reverse("mentoring:overview")).content.decode()
    client.post(reverse("mentoring:follow_up_done", args=[follow_up.pk]))
    follow_up.refresh_from_db()
    assert follow_up.done_on is not None


def test_the_service_worker_is_served_with_a_scope_over_the_mentoring_pages(client):
    response = client.get(reverse("mentoring:service_worker"))
    assert response["Service-Worker-Allowed"] == reverse("mentoring:overview")
    body = response.content.decode()
    assert "modulePathPrefix" in body and "/static/vendor/workbox" in body
    assert "maxRetentionTime: 30 * 24 * 60" in body
    assert "https://" not in body and "http://" not in body  # nothing from another host


def test_the_manifest_makes_the_app_installable(client):
    data = client.get(reverse("mentoring:manifest")).json()
    assert data["display"] == "standalone" and data["start_url"] == reverse("mentoring:overview")
    assert {icon["sizes"] for icon in data["icons"]} >= {"192x192", "512x512"}


def test_the_recap_counts_visits_open_follow_ups_and_reports_per_mentor_and_group(
    officer, outsider, mentor, records
):
    from tunas.mentoring.reports import MentoringRecapReport

    recap = MentoringRecapReport()
    rows = list(recap.rows(officer, recap.filters(officer, {})))
    assert len(rows) == 1
    row = rows[0]
    assert (row["mentor"], row["visits"], row["open"], row["reports"], row["last_month"]) == (
        mentor.get_full_name(),
        1,
        1,
        1,
        "2026-03",
    )
    assert list(recap.rows(outsider, recap.filters(outsider, {}))) == []


def test_a_members_own_income_shows_to_the_officer_and_its_writer_but_not_to_a_viewer(
    officer, viewer, mentor, mgroup
):
    from tunas.registry.models import Membership

    member = Membership.objects.filter(group=mgroup).select_related("person").first()
    lines = [{"membership": member.pk, "status": "working", "income": "987654"}]
    report = services.report_receive(
        record_id=uuid.uuid4(), body=report_body(mgroup, members=lines), by=mentor
    ).record
    url = reverse("mentoring:report_detail", args=[report.pk])
    for user, shown in ((officer, True), (mentor, True), (viewer, False)):
        page = login(user).get(url).content.decode()
        assert member.person.full_name in page
        assert ("Rp 987.654" in page) is shown, user


def test_once_the_programme_closes_its_mentor_reads_but_writes_no_more(mentor, mprogram, mgroup):
    from tunas.programs.models import Stage

    mprogram.status = Stage.CLOSED
    mprogram.save(update_fields=["status"])
    client = login(mentor)
    assert client.get(reverse("mentoring:group", args=[mgroup.pk])).status_code == 200
    assert client.get(reverse("mentoring:visit_form", args=[mgroup.pk])).status_code == 403
    home = client.get(reverse("core:home")).content.decode()
    assert mgroup.name in home and reverse("mentoring:visit_form", args=[mgroup.pk]) not in home
    response = client.post(
        reverse("mentoring:api_visit", args=[uuid.uuid4()]),
        json.dumps(visit_body(mgroup)),
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["fields"]["group"][0]["code"] == "mentoring_closed"
