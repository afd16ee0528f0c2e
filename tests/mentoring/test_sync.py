"""Records sent from phones are stored exactly once, whatever the resends; a changed resend is a conflict."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import login
from tests.factories import UserFactory
from tunas.mentoring.models import FollowUp, ProgressReport, Visit

from .factories import assign, report_body, selected_group, visit_body

pytestmark = pytest.mark.django_db


def post(client, name, pk, body):
    return client.post(reverse(name, args=[pk]), json.dumps(body), content_type="application/json")


def test_two_sends_of_the_same_visit_store_one_row_and_answer_the_same(mentor, mgroup):
    client = login(mentor)
    pk = uuid.uuid4()
    first = post(client, "mentoring:api_visit", pk, visit_body(mgroup))
    second = post(client, "mentoring:api_visit", pk, visit_body(mgroup))
    assert first.status_code == 201 and second.status_code == 200
    assert first.json()["id"] == second.json()["id"] == str(pk)
    assert Visit.objects.count() == 1 and FollowUp.objects.count() == 1


def test_a_changed_resend_of_the_same_uuid_answers_409_with_both_versions(mentor, mgroup):
    client = login(mentor)
    pk = uuid.uuid4()
    post(client, "mentoring:api_visit", pk, visit_body(mgroup))
    response = post(client, "mentoring:api_visit", pk, visit_body(mgroup, findings="Lain"))
    assert response.status_code == 409
    data = response.json()
    assert data["stored"]["findings"] == "Pembukuan belum rapi" and data["sent"]["findings"] == "Lain"
    assert Visit.objects.count() == 1


def test_a_correction_of_a_report_is_a_new_version_and_the_old_one_is_kept(mentor, mgroup):
    client = login(mentor)
    first = uuid.uuid4()
    post(client, "mentoring:api_report", first, report_body(mgroup))
    fixed = post(
        client,
        "mentoring:api_report",
        uuid.uuid4(),
        report_body(mgroup, turnover=5_000_000, replaces=str(first)),
    )
    assert fixed.status_code == 201
    versions = list(
        ProgressReport.objects.order_by("version").values_list("version", "turnover", "is_current")
    )
    assert versions == [(1, 4_000_000, False), (2, 5_000_000, True)]


def test_a_second_report_for_the_same_month_is_refused_asking_for_an_edit(mentor, mgroup):
    client = login(mentor)
    post(client, "mentoring:api_report", uuid.uuid4(), report_body(mgroup))
    response = post(client, "mentoring:api_report", uuid.uuid4(), report_body(mgroup))
    assert response.status_code == 400
    assert response.json()["fields"]["month"][0]["code"] == "report_exists"


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"month": "2026-01"}, "month", "report_before_training"),
        ({"month": "2999-01"}, "month", "report_future"),
        ({"turnover": -5}, "turnover", "amount_negative"),
        ({"costs": 0, "profit": 9_000_000}, "profit", "profit_over_turnover"),
        ({"status": "paused"}, "status_reason", "reason_required"),
    ],
)
def test_bad_figures_are_refused_with_the_field_and_its_code(mentor, mgroup, change, field, code):
    response = post(login(mentor), "mentoring:api_report", uuid.uuid4(), report_body(mgroup, **change))
    assert response.status_code == 400
    assert response.json()["fields"][field][0]["code"] == code
    assert ProgressReport.objects.count() == 0


def test_a_mentor_writing_for_another_mentors_group_is_refused(mentor, klungkung, mprogram, officer, mgroup):
    other = UserFactory(username="pendamping.lain", office=klungkung, roles=["mentor"])
    theirs = selected_group(mprogram, name="Jajan Sengguan")
    assign(theirs, other, officer)
    response = post(login(mentor), "mentoring:api_visit", uuid.uuid4(), visit_body(theirs))
    assert response.status_code == 400
    assert response.json()["fields"]["group"][0]["code"] == "group_not_assigned"
    assert Visit.objects.count() == 0


def test_an_expired_sign_in_answers_401_as_json_and_stores_nothing(mgroup):
    response = post(Client(), "mentoring:api_visit", uuid.uuid4(), visit_body(mgroup))
    assert response.status_code == 401
    assert response.json()["error"] == "signed_out"
    assert Visit.objects.count() == 0


def test_a_send_without_csrf_token_is_refused(mentor, mgroup):
    client = Client(enforce_csrf_checks=True)
    client.force_login(mentor)
    response = post(client, "mentoring:api_visit", uuid.uuid4(), visit_body(mgroup))
    assert response.status_code == 403
    assert Visit.objects.count() == 0


def test_a_report_without_sales_channels_or_costs_is_accepted(mentor, mgroup):
    body = report_body(mgroup, channels=[], costs="", profit="", turnover="1000000")
    response = post(login(mentor), "mentoring:api_report", uuid.uuid4(), body)
    assert response.status_code == 201, response.json()
    assert ProgressReport.objects.get().profit == 1_000_000


def test_choosing_my_version_after_a_conflict_stores_it_as_a_correction_of_the_stored_one(mentor, mgroup):
    client = login(mentor)
    stored = uuid.uuid4()
    post(client, "mentoring:api_visit", stored, visit_body(mgroup))
    assert (
        post(client, "mentoring:api_visit", stored, visit_body(mgroup, findings="Versi saya")).status_code
        == 409
    )
    mine = post(
        client,
        "mentoring:api_visit",
        uuid.uuid4(),
        visit_body(mgroup, findings="Versi saya", replaces=str(stored)),
    )
    assert mine.status_code == 201
    current = Visit.objects.get(is_current=True)
    assert current.findings == "Versi saya" and current.replaces_id == stored
    # The overview and the dossier count the visit once.
    assert Visit.objects.filter(group=mgroup, is_current=True).count() == 1


def test_a_correction_of_a_version_already_corrected_is_refused_as_stale(mentor, mgroup):
    client = login(mentor)
    first = uuid.uuid4()
    post(client, "mentoring:api_report", first, report_body(mgroup))
    post(
        client,
        "mentoring:api_report",
        uuid.uuid4(),
        report_body(mgroup, turnover=5_000_000, replaces=str(first)),
    )
    late = post(
        client,
        "mentoring:api_report",
        uuid.uuid4(),
        report_body(mgroup, turnover=6_000_000, replaces=str(first)),
    )
    assert late.status_code == 400
    assert late.json()["fields"]["__all__"][0]["code"] == "record_stale"


def test_a_report_may_give_each_members_status_and_income_but_only_for_members_of_the_group(
    mentor, mgroup, mprogram
):
    from tunas.registry.models import Membership

    from .factories import selected_group as other_group

    mine = list(Membership.objects.filter(group=mgroup).values_list("pk", flat=True))
    stranger = Membership.objects.filter(group=other_group(mprogram, name="Lain")).first()
    client = login(mentor)
    lines = [
        {"membership": mine[0], "status": "working", "income": "750.000"},
        {"membership": mine[1], "status": ""},
    ]
    response = post(client, "mentoring:api_report", uuid.uuid4(), report_body(mgroup, members=lines))
    assert response.status_code == 201
    figure = ProgressReport.objects.get().member_figures.get()
    assert (figure.membership_id, figure.status, figure.income) == (mine[0], "working", 750_000)
    bad = [{"membership": stranger.pk, "status": "working"}]
    refused = post(
        client, "mentoring:api_report", uuid.uuid4(), report_body(mgroup, month="2026-04", members=bad)
    )
    assert refused.status_code == 400 and "members" in refused.json()["fields"]


def test_a_send_too_large_for_the_server_is_refused_beside_the_photos(mentor, mgroup, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = visit_body(mgroup, photos=["data:image/jpeg;base64," + "A" * 4000])
    response = post(login(mentor), "mentoring:api_visit", uuid.uuid4(), body)
    assert response.status_code == 400
    assert response.json()["fields"]["photos"][0]["code"] == "photo_invalid"
