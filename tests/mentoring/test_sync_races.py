"""What the load benchmark found: a resend racing its first send, and the positions phones in Bali send."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.conftest import login
from tunas.mentoring import services
from tunas.mentoring.models import ProgressReport, Visit

from .factories import report_body, visit_body

pytestmark = pytest.mark.django_db


def post(client, name, pk, body):
    return client.post(reverse(name, args=[pk]), json.dumps(body), content_type="application/json")


def first_lookup_misses(monkeypatch):
    """The resend's first look for the stored record runs before the first send commits."""
    real = services._stored_answer
    calls = {"n": 0}

    def stored_answer(*args, **kwargs):
        calls["n"] += 1
        return None if calls["n"] == 1 else real(*args, **kwargs)

    monkeypatch.setattr(services, "_stored_answer", stored_answer)


@pytest.mark.parametrize(
    ("name", "body", "model"),
    [("mentoring:api_visit", visit_body, Visit), ("mentoring:api_report", report_body, ProgressReport)],
)
def test_a_resend_that_raced_its_first_send_answers_200_with_the_same_id(
    monkeypatch, mentor, mgroup, name, body, model
):
    client = login(mentor)
    pk = uuid.uuid4()
    assert post(client, name, pk, body(mgroup)).status_code == 201
    first_lookup_misses(monkeypatch)
    again = post(client, name, pk, body(mgroup))
    assert again.status_code == 200, again.content
    assert again.json()["id"] == str(pk) and model.objects.count() == 1


def test_a_changed_body_that_raced_answers_409_not_a_field_error(monkeypatch, mentor, mgroup):
    client = login(mentor)
    pk = uuid.uuid4()
    post(client, "mentoring:api_visit", pk, visit_body(mgroup))
    first_lookup_misses(monkeypatch)
    assert post(client, "mentoring:api_visit", pk, visit_body(mgroup, findings="Lain")).status_code == 409


def test_a_position_in_bali_is_kept_to_six_decimals(mentor, mgroup):
    pk = uuid.uuid4()
    body = visit_body(mgroup, latitude="-8.53", longitude="115.401234")
    assert post(login(mentor), "mentoring:api_visit", pk, body).status_code == 201
    visit = Visit.objects.get(pk=pk)
    assert (visit.latitude, visit.longitude) == (Decimal("-8.530000"), Decimal("115.401234"))


@pytest.mark.parametrize("latitude", ["abc", "NaN", "-91", "1e400"])
def test_a_position_that_is_no_position_is_refused_with_its_code_not_a_server_error(mentor, mgroup, latitude):
    body = visit_body(mgroup, latitude=latitude, longitude="115.4")
    response = post(login(mentor), "mentoring:api_visit", uuid.uuid4(), body)
    assert response.status_code == 400
    assert response.json()["fields"]["latitude"][0]["code"] == "location_invalid"
    assert not Visit.objects.exists()
