"""Assignments within capacity, what a mentor reads, photos without EXIF, the stage check, the dossier."""

from __future__ import annotations

import base64
import io
import json
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image

from tests.conftest import login
from tunas.mentoring import services
from tunas.mentoring.models import VisitPhoto
from tunas.registry.models import Membership

from .factories import assign, report_body, selected_group, visit_body

pytestmark = pytest.mark.django_db


def test_a_mentor_takes_no_more_groups_than_the_programme_allows(mprogram, mentor, officer):
    groups = [selected_group(mprogram, name=f"Kelompok {i}") for i in range(3)]
    assign(groups[0], mentor, officer)
    assign(groups[1], mentor, officer)
    with pytest.raises(ValidationError) as caught:
        assign(groups[2], mentor, officer)
    assert "mentor_over_capacity" in str(caught.value.error_dict["mentor"][0].code)
    services.settings_save(program=mprogram, max_groups=3, max_people=40, by=officer)
    assign(groups[2], mentor, officer)


def test_a_mentor_reads_their_group_and_members_masked_and_no_other_group(mprogram, mentor, mgroup):
    other = selected_group(mprogram, name="Bukan Binaan")
    client = login(mentor)
    member = Membership.objects.filter(group=mgroup).select_related("person").first()
    page = client.get(reverse("registry:group_detail", args=[mgroup.pk]))
    assert page.status_code == 200
    detail = client.get(reverse("registry:member_detail", args=[member.pk]))
    assert detail.status_code == 200
    assert member.person.nik not in detail.content.decode()
    assert client.get(reverse("registry:group_detail", args=[other.pk])).status_code == 404


def test_an_ended_assignment_closes_the_group_to_the_mentor(mentor, officer, mgroup):
    assignment = mgroup.mentor_assignments.get()
    services.assignment_end(assignment=assignment, ended_on=assignment.starts_on, by=officer)
    assert login(mentor).get(reverse("mentoring:group", args=[mgroup.pk])).status_code == 404


def test_a_photo_is_resized_and_loses_its_exif(mentor, mgroup):
    image = Image.new("RGB", (3000, 2000), "green")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    raw = io.BytesIO()
    image.save(raw, format="JPEG", exif=exif)
    data = "data:image/jpeg;base64," + base64.b64encode(raw.getvalue()).decode()
    response = login(mentor).post(
        reverse("mentoring:api_visit", args=[uuid.uuid4()]),
        json.dumps(visit_body(mgroup, photos=[data])),
        content_type="application/json",
    )
    assert response.status_code == 201
    photo = VisitPhoto.objects.get()
    with Image.open(photo.image.open("rb")) as kept:
        assert max(kept.size) <= 1280
        assert not kept.getexif()


def test_the_stage_check_names_groups_missing_a_month(mprogram, mgroup):
    from tunas.mentoring.contributions import _reports_missing

    assert any(mgroup.name in line for line in _reports_missing(mprogram))


def test_the_dossier_lists_visits_and_reports(mentor, mgroup, mprogram):
    from tunas.mentoring.dossier import progress_reports_dossier, visits_dossier

    services.visit_receive(record_id=uuid.uuid4(), body=visit_body(mgroup), by=mentor)
    services.report_receive(record_id=uuid.uuid4(), body=report_body(mgroup), by=mentor)
    visits = visits_dossier(mprogram)["groups"][0]["visits"]
    reports = progress_reports_dossier(mprogram)["groups"][0]["progress_reports"]
    assert visits[0]["date"] == "2026-03-10" and visits[0]["follow_ups"][0]["by"] == "Bendahara"
    assert reports[0] == {
        "month": "2026-03",
        "status": "active",
        "turnover": 4_000_000,
        "costs": 2_500_000,
        "profit": 1_500_000,
        "working_members": 2,
        "hired_workers": 0,
        "channels": ["direct", "whatsapp"],
    }


def test_mentors_are_reminded_by_email_once_a_month_where_the_programme_asks(
    mentor, officer, mprogram, mgroup, mailoutbox
):
    import datetime as dt

    from tunas.mentoring.reminders import send_reminders

    mentor.email = "pendamping@example.test"
    mentor.save()
    assert send_reminders(today=dt.date(2026, 5, 3)) == 0  # not asked for
    services.settings_save(program=mprogram, max_groups=2, max_people=40, email_reminders=True, by=officer)
    assert send_reminders(today=dt.date(2026, 5, 3)) == 1
    assert send_reminders(today=dt.date(2026, 5, 4)) == 0  # once a month
    assert mgroup.name in mailoutbox[0].body and mailoutbox[0].to == ["pendamping@example.test"]
