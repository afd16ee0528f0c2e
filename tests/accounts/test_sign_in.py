"""The sign-in page: Tunas's name (not the host), usernames in any case, a sentence without doubled words."""

from __future__ import annotations

import pytest
from django.conf import settings as project_settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.conftest import PASSWORD
from tests.factories import UserFactory
from tunas.accounts.backends import CaseInsensitiveModelBackend, axes_username
from tunas.accounts.forms import LoginForm, UserForm

pytestmark = pytest.mark.django_db

BACKENDS = ["axes.backends.AxesStandaloneBackend", "tunas.accounts.backends.CaseInsensitiveModelBackend"]


def sign_in(username: str, password: str, client: Client | None = None, **headers):
    client = client or Client()
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, **headers)


def signed_in(response) -> bool:
    return response.status_code == 302 and response.wsgi_request.user.is_authenticated


# The site's name ------------------------------------------------------------------------------------------


def test_the_login_page_carries_the_site_name_not_the_host(settings, klungkung):
    settings.TUNAS_SITE_NAME = "Tunas Klungkung"
    settings.ALLOWED_HOSTS = ["tunas.klungkungkab.go.id"]
    response = Client().get(reverse("accounts:login"), HTTP_HOST="tunas.klungkungkab.go.id")
    html = response.content.decode()
    assert response.context["site_name"] == "Tunas Klungkung"
    assert "<title>Masuk · Tunas Klungkung</title>" in html
    assert "<strong>Tunas Klungkung</strong>" in html  # the brand
    assert "tunas.klungkungkab.go.id" not in html


def test_the_login_heading_names_the_site(settings):
    settings.TUNAS_SITE_NAME = "Tunas"
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("accounts:login")).content.decode()
    assert '<h1 class="h4 mb-3">Sign in to Tunas</h1>' in html
    assert "testserver" not in html


# Usernames in any case --------------------------------------------------------------------------------------


def test_the_case_insensitive_backend_comes_after_axes_in_the_settings():
    assert project_settings.AUTHENTICATION_BACKENDS == BACKENDS
    assert project_settings.AXES_USERNAME_CALLABLE == "tunas.accounts.backends.axes_username"


@pytest.mark.parametrize("typed", ["operator", "Operator", "OPERATOR", " operator "])
def test_a_username_signs_in_in_any_case(officer, typed):
    response = sign_in(typed, PASSWORD)
    assert signed_in(response), typed
    assert response.wsgi_request.user == officer


def test_a_username_stored_with_capitals_signs_in_typed_in_lower_case(klungkung):
    user = UserFactory(username="Made.Suartana", office=klungkung)
    response = sign_in("made.suartana", PASSWORD)
    assert signed_in(response)
    assert response.wsgi_request.user == user


def test_the_password_stays_case_sensitive(officer):
    assert not signed_in(sign_in("operator", PASSWORD.upper()))


def test_an_unknown_username_signs_in_nobody(officer):
    assert not signed_in(sign_in("operator2", PASSWORD))


def test_two_old_accounts_differing_only_in_case_need_the_exact_spelling(klungkung):
    lower = UserFactory(username="ketut", office=klungkung)
    upper = UserFactory(username="Ketut", office=klungkung)
    backend = CaseInsensitiveModelBackend()
    assert backend.authenticate(None, username="ketut", password=PASSWORD) == lower
    assert backend.authenticate(None, username="Ketut", password=PASSWORD) == upper
    assert backend.authenticate(None, username="KETUT", password=PASSWORD) is None


def test_an_inactive_user_still_cannot_sign_in_in_any_case(officer):
    officer.is_active = False
    officer.save()
    assert not signed_in(sign_in("Operator", PASSWORD))


def test_the_user_form_refuses_a_username_that_differs_only_in_case(officer, klungkung):
    form = UserForm(
        data={"username": "OPERATOR", "first_name": "Ni Luh", "email": "x@example.org", "roles": ["officer"]}
    )
    assert not form.is_valid()
    assert form.errors.as_data()["username"][0].code == "value_invalid"
    # Editing the account itself keeps its own name.
    same = UserForm(
        data={"username": "Operator", "first_name": "Ni Luh", "email": "x@example.org", "roles": ["officer"]},
        instance=officer,
    )
    assert same.is_valid(), same.errors


def test_axes_counts_every_spelling_of_a_username_as_one(rf):
    assert axes_username(rf.post("/", {"username": "Operator"})) == "operator"
    assert axes_username(rf.get("/"), {"username": "OPERATOR"}) == "operator"
    assert axes_username(rf.get("/")) is None


def test_five_wrong_passwords_in_different_cases_lock_the_account(settings, officer):
    settings.AXES_ENABLED = True
    for typed in ["operator", "Operator", "OPERATOR", "oPerator"]:
        assert sign_in(typed, "wrong-password").status_code == 200
    assert sign_in("OpErAtOr", "wrong-password").status_code == 429
    assert sign_in("operator", PASSWORD).status_code == 429


# The message ------------------------------------------------------------------------------------------------


def test_a_wrong_password_says_so_in_one_plain_sentence(officer):
    response = sign_in("operator", "wrong-password")
    assert response.status_code == 200
    form = response.context["form"]
    message = form.non_field_errors()[0]
    assert form.non_field_errors().as_data()[0].code == "invalid_login"
    # Django's own sentence becomes "nama pengguna nama pengguna" in Indonesian and claims case matters.
    assert "nama pengguna nama pengguna" not in message.lower()
    assert message in response.content.decode()
    with translation.override("en"):
        english = str(LoginForm.error_messages["invalid_login"])
    assert english == (
        "The username or password is not correct. Check both and try again; the password is case-sensitive."
    )


def test_the_message_has_no_placeholder_left_in_either_language(officer):
    for language in ["id", "en"]:
        client = Client()
        client.cookies[project_settings.LANGUAGE_COOKIE_NAME] = language
        html = sign_in("operator", "wrong-password", client).content.decode()
        assert "%(" not in html, language
