"""Shared fixtures: the region list loaded once, the two demo offices and one named user per role."""

from __future__ import annotations

import pytest
from django.test import Client

from tunas.accounts.models import Office
from tunas.accounts.roles import Role
from tunas.regions.models import Village
from tunas.regions.services import regions_load

from .browser.fixtures import chromium, page_factory  # noqa: F401 - one browser for the whole run
from .factories import OfficeFactory, ProgramFactory, UserFactory
from .quick_hashing import QUICK_HASHERS

PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Loads the whole Kemendagri list once for the session (bulk insert, a few seconds)."""
    with django_db_blocker.unblock():
        regions_load()


@pytest.fixture
def bali_regions(transactional_db):
    """Transactional tests flush every table after themselves; they reload the Bali regions they need."""
    if not Village.objects.filter(code="51.05.03.1008").exists():
        regions_load(within="51")


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    """Indonesian by default, no login lockouts between tests, Argon2 with cheap parameters, and private
    files (uploads, exports) in the test's own folder."""
    settings.LANGUAGE_CODE = "id"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.AXES_ENABLED = False
    settings.PASSWORD_HASHERS = QUICK_HASHERS


@pytest.fixture
def klungkung(db) -> Office:
    return OfficeFactory()


@pytest.fixture
def gianyar(db) -> Office:
    return OfficeFactory(
        name="Dinas Tenaga Kerja Kabupaten Gianyar", short_name="Disnaker Gianyar", region_code="51.04"
    )


@pytest.fixture
def bali_province(db) -> Office:
    return OfficeFactory(
        name="Dinas Tenaga Kerja Provinsi Bali",
        short_name="Disnaker Bali",
        level=Office.Level.PROVINCE,
        region_code="51",
    )


def _user(office, *roles, username):
    return UserFactory(username=username, office=office, roles=[str(r) for r in roles])


@pytest.fixture
def admin_user(klungkung):
    return _user(klungkung, Role.ADMIN, Role.OFFICER, username="admin")


@pytest.fixture
def officer(klungkung):
    return _user(klungkung, Role.OFFICER, username="operator")


@pytest.fixture
def verifier(klungkung):
    return _user(klungkung, Role.VERIFIER, username="verifikator")


@pytest.fixture
def mentor(klungkung):
    return _user(klungkung, Role.MENTOR, username="pendamping")


@pytest.fixture
def instructor(klungkung):
    return _user(klungkung, Role.INSTRUCTOR, username="instruktur")


@pytest.fixture
def viewer(klungkung):
    return _user(klungkung, Role.VIEWER, username="pimpinan")


@pytest.fixture
def outsider(gianyar):
    """A programme officer of another regency: must see nothing of Klungkung."""
    return _user(gianyar, Role.OFFICER, username="operator.gianyar")


@pytest.fixture
def program(klungkung):
    return ProgramFactory(office=klungkung, code="KLK-TST-2026")


def code_shown(code: str) -> str:
    """How a page shows an error's stable code: small, beside the sentence."""
    return f'<small class="error-code text-secondary">{code}</small>'


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def as_officer(officer) -> Client:
    return login(officer)


@pytest.fixture
def as_outsider(outsider) -> Client:
    return login(outsider)
