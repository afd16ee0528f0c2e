"""Indonesian is the default and complete; English on request; a language switcher on every page."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.conftest import login

SOURCES = ["manage.py", "config", "tunas", "templates", "locale"]


def _copy_sources(target: Path) -> None:
    base = Path(settings.BASE_DIR)
    for name in SOURCES:
        source = base / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
        else:
            shutil.copy2(source, target / name)


def test_every_message_has_an_indonesian_translation(tmp_path):
    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext's xgettext is not installed (apt-get install gettext); CI installs it")
    _copy_sources(tmp_path)
    # The copy's own config and tunas come first on the path, so makemessages writes into the copy's
    # locale/ and never into the working tree.
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "id", "--no-obsolete"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr

    with open(tmp_path / "locale" / "id" / "LC_MESSAGES" / "django.po", "rb") as po:
        catalog = read_po(po, locale="id")
    messages = [m for m in catalog if m.id]
    assert len(messages) > 100, "makemessages found almost nothing: it did not read the sources"

    missing = []
    for message in messages:
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        msgid = message.id[0] if isinstance(message.id, tuple | list) else message.id
        if message.fuzzy:
            missing.append(f"(fuzzy) {msgid}")
        elif not all(s and s.strip() for s in strings):
            missing.append(msgid)
    assert not missing, f"{len(missing)} message(s) lack an Indonesian translation:\n" + "\n".join(
        f"  - {msgid!r}" for msgid in missing
    )


@pytest.mark.django_db
def test_pages_are_indonesian_by_default():
    html = Client().get(reverse("accounts:login")).content.decode()
    assert '<html lang="id">' in html
    assert "Masuk ke Tunas" in html
    assert "Sign in to Tunas" not in html


@pytest.mark.django_db
def test_pages_are_english_when_the_language_cookie_says_en():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="en">' in html
    assert "Sign in to Tunas" in html
    assert "Masuk ke Tunas" not in html


@pytest.mark.django_db
def test_an_english_browser_still_gets_indonesian_until_the_user_switches():
    # Office laptops often run an English system; Tunas follows the user's choice, not the browser's.
    response = Client().get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="id">' in response.content.decode()


@pytest.mark.django_db
def test_an_unknown_language_in_the_cookie_falls_back_to_indonesian():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert '<html lang="id">' in client.get(reverse("accounts:login")).content.decode()


def test_the_language_cookie_is_tunas_language_and_indonesian_is_the_default():
    assert settings.LANGUAGE_COOKIE_NAME == "tunas_language"
    assert settings.LANGUAGE_CODE == "id"
    assert [code for code, _ in settings.LANGUAGES] == ["id", "en"]


@pytest.mark.django_db
def test_the_switcher_stores_the_choice_in_the_language_cookie_and_returns_to_the_page():
    client = Client()
    login_url = reverse("accounts:login")
    response = client.post(reverse("set_language"), {"language": "en", "next": login_url})
    assert response.status_code == 302
    assert response["Location"] == login_url
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Sign in to Tunas" in client.get(login_url).content.decode()


@pytest.mark.django_db
def test_switching_back_to_indonesian_replaces_the_english_choice():
    client = Client()
    login_url = reverse("accounts:login")
    client.post(reverse("set_language"), {"language": "en", "next": login_url})
    response = client.post(reverse("set_language"), {"language": "id", "next": login_url})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "id"
    assert '<html lang="id">' in client.get(login_url).content.decode()


@pytest.mark.django_db
def test_the_switcher_does_not_redirect_to_another_site():
    response = Client().post(reverse("set_language"), {"language": "en", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


SWITCHER_PAGES = [
    ("accounts:login", None, None),
    ("accounts:password_reset", None, None),
    ("accounts:password_reset_sent", None, None),
    ("accounts:password_change", "officer", None),
    ("core:home", "officer", None),
    ("programs:list", "officer", None),
    ("programs:create", "officer", None),
    ("programs:detail", "officer", "program"),
    ("programs:edit", "officer", "program"),
    ("regions:browser", "officer", None),
    ("accounts:user_list", "admin_user", None),
    ("accounts:user_create", "admin_user", None),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url_name", "who", "arg"), SWITCHER_PAGES)
def test_every_page_has_a_language_switcher(request, url_name, who, arg):
    client = login(request.getfixturevalue(who)) if who else Client()
    args = [request.getfixturevalue(arg).code] if arg else []
    response = client.get(reverse(url_name, args=args))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'action="{reverse("set_language")}" method="post"' in html
    assert 'name="language"' in html
    assert '<option value="id"' in html and '<option value="en"' in html
    assert 'name="csrfmiddlewaretoken"' in html
