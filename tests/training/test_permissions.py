# ruff: noqa: F811 - shared fixtures imported by name
"""The permission matrix of every training URL (the shared every-URL test, narrowed to this app's URLs so a
failure names the training page): each role, an anonymous visitor and an outsider from another regency."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import login
from tests.factories import UserFactory
from tests.test_every_url import (  # noqa: F401 - fixtures used by name
    RESTRICTED,
    ROLES,
    _gianyar_people,
    _secrets,
    group_rep,
    instructor,
    url_for,
    url_names,
    world,
)
from tunas.training.models import Attendance, Certificate, Training

pytestmark = pytest.mark.django_db


def training_urls(world) -> list[tuple[str, str]]:
    return [(n, url_for(n, world)) for n in url_names() if n.startswith("training:")]


OWN_OFFICE_PAGES = {
    "training:verify",
    "training:instructor_list",
    "training:instructor_create",
    "training:my_sessions",
}
READERS = {"admin_user", "officer", "verifier", "viewer"}
MANAGER_ONLY = {
    "training:create",
    "training:settings",
    "training:edit",
    "training:session_add",
    "training:session_edit",
    "training:costs",
    "training:sheet_pdf",
    "training:sheet_upload",
    "training:certificate_revoke",
    "training:instructor_edit",
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_exactly_the_training_pages_it_may(role, request, world):
    client = login(request.getfixturevalue(role))
    for name, url in training_urls(world):
        response = client.get(url)
        status = response.status_code
        assert status < 500, (name, status)
        if name in {"training:verify"}:
            assert status == 200
        elif name in MANAGER_ONLY:
            assert (status == 200) == (role in {"admin_user", "officer"}), (name, role, status)
        elif name in {"training:detail", "training:instructor_detail", "training:certificates_pdf"}:
            assert (status == 200) == (role in READERS), (name, role, status)
        elif name == "training:my_sessions":
            assert (status == 200) == (role == "instructor"), (name, role, status)
        if status == 200 and not response.get("Content-Type", "").startswith("application/pdf"):
            page = response.content.decode() if not response.streaming else ""
            for text in _gianyar_people(world):
                assert text not in page, (name, text)
            if role in RESTRICTED:
                for secret in _secrets(world):
                    assert secret not in page, (name, secret)


def test_an_anonymous_visitor_sees_only_the_public_check(world):
    client = Client()
    for name, url in training_urls(world):
        response = client.get(url)
        if name == "training:verify":
            assert response.status_code == 200
        else:
            assert response.status_code == 302 and response["Location"].startswith(
                reverse("accounts:login")
            ), name


def test_an_outsider_sees_and_changes_nothing_of_klungkungs_trainings(gianyar, world):
    outsider = UserFactory(username="admin.gianyar", office=gianyar, roles=["admin", "officer", "verifier"])
    client = login(outsider)
    before = (
        Training.objects.filter(program=world["program"]).values_list("version", "completed_at").first(),
        list(Certificate.objects.values_list("status", "revoke_reason")),
        Attendance.objects.count(),
    )
    for name, url in training_urls(world):
        if name in OWN_OFFICE_PAGES:
            continue  # the outsider's own office's lists and forms
        assert client.get(url).status_code in (403, 404, 405), name
        assert client.post(url, {"reason": "x", "title": "Diubah", "all_present": "1"}).status_code in (
            403,
            404,
            405,
        ), name
    after = (
        Training.objects.filter(program=world["program"]).values_list("version", "completed_at").first(),
        list(Certificate.objects.values_list("status", "revoke_reason")),
        Attendance.objects.count(),
    )
    assert after == before
