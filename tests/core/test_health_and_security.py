"""/healthz for load balancers, security headers on every page, CSRF on every form."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.db import OperationalError, connections
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD, login
from tests.factories import ProgramFactory
from tunas.programs.models import BudgetLine, Stage

pytestmark = pytest.mark.django_db


def test_healthz_answers_200_when_the_database_answers():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response.headers["Cache-Control"]


def test_healthz_answers_503_when_the_database_does_not():
    # The one failure injected by hand: a database that refuses connections cannot be had otherwise.
    with mock.patch.object(connections["default"], "cursor", side_effect=OperationalError("server closed")):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_healthz_needs_no_sign_in():
    response = Client().get("/healthz", follow=False)
    assert response.status_code == 200


PAGES = [
    ("accounts:login", None),
    ("accounts:password_reset", None),
    ("core:home", "officer"),
    ("programs:list", "officer"),
    ("programs:create", "officer"),
    ("regions:browser", "officer"),
    ("accounts:user_list", "admin_user"),
]


@pytest.mark.parametrize(("url_name", "who"), PAGES)
def test_pages_carry_the_security_headers(request, url_name, who):
    client = login(request.getfixturevalue(who)) if who else Client()
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Permissions-Policy" in response.headers


def test_pages_have_no_inline_scripts_the_policy_would_block(officer, program):
    for url in [
        reverse("core:home"),
        reverse("programs:detail", args=[program.code]),
        reverse("programs:create"),
    ]:
        html = login(officer).get(url).content.decode()
        assert "<script>" not in html
        assert " onclick=" not in html and " onchange=" not in html


def test_sign_in_without_a_csrf_token_is_refused(officer):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": officer.username, "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_sign_in_with_the_csrf_token_of_the_form_succeeds(officer):
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("accounts:login"))
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("accounts:login"),
        {"username": officer.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(officer.pk)


def test_a_signed_in_post_without_a_csrf_token_changes_nothing(officer, klungkung):
    # A planning programme with nothing missing, so the same post with a token would move it on.
    program = ProgramFactory(office=klungkung, status=Stage.PLANNING, registration_end=dt.date(2026, 11, 30))
    BudgetLine.objects.create(program=program, name="Pelatihan", planned=50_000_000)
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    url = reverse("programs:advance", args=[program.code])

    response = client.post(url, {"version": program.version})
    assert response.status_code == 403
    program.refresh_from_db()
    assert (program.status, program.version) == (Stage.PLANNING, 1)

    client.get(reverse("programs:detail", args=[program.code]))
    response = client.post(url, {"version": 1, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.status == Stage.REGISTRATION
