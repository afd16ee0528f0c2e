"""Real-browser tests: Playwright drives Debian's Chromium against the live test server.

The ``chromium`` and ``page_factory`` fixtures live in ``tests/browser/fixtures.py`` and are registered once
by ``tests/conftest.py``, so every app's browser tests share one Playwright: never import them into a module.

Chromium is found at $TUNAS_CHROMIUM (default /usr/bin/chromium). Without it the tests are skipped, unless
TUNAS_REQUIRE_BROWSER=1 (CI), where a missing browser is a failure. Screenshots land in test-artifacts/.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.factories import OfficeFactory, ProgramFactory, UserFactory
from tunas.accounts.roles import Role

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("TUNAS_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "correct-horse-battery"
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 860}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto(page.base + "/akun/masuk/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.fixture
def klungkung_world(bali_regions):
    """An office with an officer and a programme, created inside the transactional test database."""
    office = OfficeFactory()
    gianyar = OfficeFactory(name="Dinas Tenaga Kerja Kabupaten Gianyar", region_code="51.04")
    officer = UserFactory(username="operator", office=office, roles=[Role.OFFICER, Role.ADMIN])
    outsider = UserFactory(username="operator.gianyar", office=gianyar, roles=[Role.OFFICER])
    program = ProgramFactory(
        office=office, code="KLK-TKM-2026", name="Wirausaha Baru 2026", group_size_min=1, group_size_max=10
    )
    return {"office": office, "officer": officer, "outsider": outsider, "program": program}
