"""Sign in and out, password change and reset by e-mail, Argon2 hashes, and login throttling."""

from __future__ import annotations

import importlib
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD, login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
NEW_PASSWORD = "lontar-besang-semarapura"


def sign_in(client: Client, username: str, password: str, **extra):
    return client.post(reverse("accounts:login"), {"username": username, "password": password, **extra})


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def test_passwords_are_stored_as_argon2_hashes_with_the_projects_own_parameters(settings, klungkung):
    # The other tests hash with cheaper Argon2 parameters; this one uses the project's configuration.
    settings.PASSWORD_HASHERS = importlib.import_module("config.settings").PASSWORD_HASHERS
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    user = UserFactory(username="argon", office=klungkung)
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=102400,t=2,p=8$")
    assert PASSWORD not in user.password
    assert user.check_password(PASSWORD)
    assert sign_in(Client(), "argon", PASSWORD).status_code == 302


def test_fixture_users_are_stored_as_argon2_too(officer):
    officer.refresh_from_db()
    assert officer.password.startswith("argon2$argon2id$")


def test_an_older_pbkdf2_hash_still_signs_in_and_is_upgraded_to_argon2(officer):
    from django.contrib.auth.hashers import make_password

    officer.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    officer.save()
    client = Client()
    assert sign_in(client, officer.username, PASSWORD).status_code == 302
    officer.refresh_from_db()
    assert officer.password.startswith("argon2")


def test_signing_in_with_the_right_password_opens_the_home_page(officer):
    client = Client()
    response = sign_in(client, officer.username, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert signed_in_user_id(client) == str(officer.pk)


def test_a_wrong_password_keeps_the_user_out_and_says_so(officer):
    client = Client()
    client.cookies["tunas_language"] = "en"
    response = sign_in(client, officer.username, "wrong-password")
    assert response.status_code == 200
    assert signed_in_user_id(client) is None
    assert "The username or password is not correct" in response.content.decode()


def test_an_inactive_user_cannot_sign_in(officer):
    officer.is_active = False
    officer.save()
    client = Client()
    assert sign_in(client, officer.username, PASSWORD).status_code == 200
    assert signed_in_user_id(client) is None


def test_signing_in_returns_to_the_page_asked_for(officer):
    client = Client()
    wanted = reverse("programs:list")
    response = client.get(wanted)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    response = sign_in(client, officer.username, PASSWORD, next=wanted)
    assert response["Location"] == wanted


def test_signing_in_never_redirects_to_another_site(officer):
    response = sign_in(Client(), officer.username, PASSWORD, next="https://evil.example/steal")
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_signing_out_ends_the_session_and_needs_a_post(officer):
    client = login(officer)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert signed_in_user_id(client) == str(officer.pk)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert signed_in_user_id(client) is None
    assert client.get(reverse("core:home")).status_code == 302


def test_changing_the_password_replaces_the_old_one(officer):
    client = login(officer)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_changed")
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)
    assert not officer.check_password(PASSWORD)
    assert officer.password.startswith("argon2")
    # The session that changed the password stays signed in.
    assert client.get(reverse("core:home")).status_code == 200


def test_changing_the_password_needs_the_old_one(officer):
    client = login(officer)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert 'id="id_old_password-error"' in response.content.decode()
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)


def test_a_short_or_common_new_password_is_refused(officer):
    client = login(officer)
    for weak in ["short1", "password123", "1234567890"]:
        response = client.post(
            reverse("accounts:password_change"),
            {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
        )
        assert response.status_code == 200, weak
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)


def test_the_password_change_page_needs_a_signed_in_user():
    response = Client().get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def _reset_link_from(message) -> str:
    match = re.search(r"https?://[^/\s]+(/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def test_a_forgotten_password_is_reset_through_the_link_in_the_e_mail(officer):
    officer.email = "sukerti@klungkungkab.go.id"
    officer.save()
    client = Client()
    response = client.post(reverse("accounts:password_reset"), {"email": "Sukerti@KlungkungKab.go.id"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_sent")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sukerti@klungkungkab.go.id"]
    assert officer.username in message.body

    link = _reset_link_from(message)
    response = client.get(link)
    # Django moves the token out of the address into the session before showing the form.
    assert response.status_code == 302
    form_url = response["Location"]
    response = client.get(form_url)
    assert response.status_code == 200
    assert response.context["validlink"] is True

    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)
    assert officer.password.startswith("argon2")
    assert sign_in(Client(), officer.username, NEW_PASSWORD).status_code == 302

    # The link works once.
    reused = Client().get(link, follow=True)
    assert reused.context["validlink"] is False


def test_a_reset_for_an_unknown_address_sends_nothing_and_looks_the_same(officer):
    response = Client().post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_sent")
    assert mail.outbox == []


def test_a_new_user_without_a_password_chooses_one_through_the_reset_link(admin_user):
    # The user page says a new user sets a first password through "Forgot your password?".
    client = login(admin_user)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "baru",
            "first_name": "Ni Kadek",
            "email": "kadek@example.org",
            "roles": ["officer"],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    new_user = User.objects.get(username="baru")
    assert not new_user.has_usable_password()

    anonymous = Client()
    anonymous.post(reverse("accounts:password_reset"), {"email": "kadek@example.org"})
    assert len(mail.outbox) == 1
    form_url = anonymous.get(_reset_link_from(mail.outbox[0]))["Location"]
    anonymous.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    new_user.refresh_from_db()
    assert new_user.check_password(NEW_PASSWORD)


def test_an_inactive_user_gets_no_reset_e_mail():
    UserFactory(username="gone", email="gone@example.org", is_active=False)
    Client().post(reverse("accounts:password_reset"), {"email": "gone@example.org"})
    assert mail.outbox == []


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(settings, officer):
    settings.AXES_ENABLED = True
    client = Client()
    for _ in range(5):
        assert signed_in_user_id(client) is None
        sign_in(client, officer.username, "wrong-password")
    response = sign_in(client, officer.username, PASSWORD)
    assert response.status_code == 429
    assert "accounts/locked.html" in [t.name for t in response.templates]
    assert signed_in_user_id(client) is None


@pytest.mark.parametrize(
    ("hours", "said"), [(0.25, "15 minutes"), (0.5, "30 minutes"), (1 / 60, "1 minute.")]
)
def test_the_lockout_page_names_the_configured_waiting_time(settings, officer, hours, said):
    settings.AXES_ENABLED = True
    settings.AXES_COOLOFF_TIME = hours
    client = Client()
    client.cookies["tunas_language"] = "en"
    for _ in range(5):
        sign_in(client, officer.username, "wrong-password")
    response = sign_in(client, officer.username, PASSWORD)
    assert response.status_code == 429
    assert f"Sign-in for this account is locked for {said}" in response.content.decode()


def test_four_wrong_passwords_do_not_lock_the_account(settings, officer):
    settings.AXES_ENABLED = True
    client = Client()
    for _ in range(4):
        sign_in(client, officer.username, "wrong-password")
    assert sign_in(client, officer.username, PASSWORD).status_code == 302
    assert signed_in_user_id(client) == str(officer.pk)


def test_a_lockout_concerns_one_username_not_the_whole_office(settings, officer, verifier):
    settings.AXES_ENABLED = True
    client = Client()
    for _ in range(5):
        sign_in(client, officer.username, "wrong-password")
    assert sign_in(client, officer.username, PASSWORD).status_code == 429
    assert sign_in(Client(), verifier.username, PASSWORD).status_code == 302
