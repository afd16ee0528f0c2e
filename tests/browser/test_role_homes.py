"""Every role's first screen in a real browser, on a phone (360 px) and a laptop (1280 px).

Screenshots: test-artifacts/home-<role>-<width>.png. On the laptop the whole navigation stays on one row
with the language selector visible; on the phone the sticky bar at the top is one row and nothing is
wider than the screen.
"""

from __future__ import annotations

import pytest

from tests.factories import GroupFactory, MembershipFactory, PersonFactory, UserFactory
from tunas.accounts.roles import Role
from tunas.registry.models import Verification

from .conftest import ARTIFACTS, DESKTOP, PHONE, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = {
    "admin": ("admin", [Role.ADMIN, Role.OFFICER]),
    "officer": ("operator.klk", [Role.OFFICER]),
    "verifier": ("verifikator", [Role.VERIFIER]),
    "instructor": ("instruktur", [Role.INSTRUCTOR]),
    "mentor": ("pendamping", [Role.MENTOR]),
    "viewer": ("pimpinan", [Role.VIEWER]),
    "group_rep": ("ketua", [Role.GROUP_REP]),
}

# What each role's first screen must show (in Indonesian, the default language), by CSS selector.
EXPECTED = {
    "admin": "#home-headlines",
    "officer": "#home-headlines",
    "verifier": ".stat-card",
    "instructor": "#home-sessions_today",
    "mentor": "#home-mentor_groups",
    "viewer": "#home-headlines",
    "group_rep": "#home-group_rep_group",
}


@pytest.fixture
def role_world(klungkung_world):
    office, program = klungkung_world["office"], klungkung_world["program"]
    names = {
        "admin": ("Made", "Suartana"),
        "operator.klk": ("Ni Luh", "Sukerti"),
        "verifikator": ("I Gede", "Darmawan"),
        "instruktur": ("Ni Wayan", "Rusmini"),
        "pendamping": ("I Komang", "Arsana"),
        "pimpinan": ("I Nyoman", "Widiana"),
        "ketua": ("I Ketut", "Sudarsa"),
    }
    for username, roles in ROLES.values():
        first, last = names[username]
        UserFactory(username=username, first_name=first, last_name=last, office=office, roles=roles)
    for i in range(4):
        group = GroupFactory(program=program, name=f"Kelompok Lontar {i + 1}")
        for j in range(5):
            MembershipFactory(
                group=group,
                person=PersonFactory(sex="F" if j % 2 else "M"),
                verification=Verification.APPROVED if j < 3 else Verification.PENDING,
            )
    return klungkung_world


def _navbar_height(page) -> float:
    return page.evaluate("document.querySelector('nav.navbar').getBoundingClientRect().height")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
@pytest.mark.parametrize("role", list(ROLES))
def test_every_role_has_a_first_screen_that_fits(page_factory, role_world, role, viewport):
    page = page_factory(viewport)
    sign_in(page, ROLES[role][0])
    assert page.url.rstrip("/") == page.base
    assert page.locator(EXPECTED[role]).first.is_visible()
    # Taken before the layout checks, so that a failure can be looked at.
    screenshot(page, f"home-{role}-{viewport['width']}")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{role}: {overflow}px wider than the screen"
    if viewport is DESKTOP:
        # Brand, every entry, the language selector and the user menu on one row.
        assert page.locator("#language-select").is_visible()
        assert _navbar_height(page) < 72, f"{role}: the navigation wraps"
        tops = page.evaluate(
            "[...document.querySelectorAll('#nav .nav-link')].filter(a => a.offsetParent)"
            ".map(a => Math.round(a.getBoundingClientRect().top))"
        )
        assert len(set(tops)) <= 1, f"{role}: navigation entries on {len(set(tops))} rows"
    else:
        # The sticky bar on a phone is one row: the brand and the menu button.
        assert _navbar_height(page) < 72, f"{role}: the sticky bar takes more than one row"
        assert page.locator(".navbar-toggler").is_visible()


def test_the_admins_menu_opens_on_a_phone_with_every_entry_and_the_language(page_factory, role_world):
    page = page_factory(PHONE)
    sign_in(page, "admin")
    page.click(".navbar-toggler")
    page.locator("#nav.show").wait_for()
    assert page.locator("#nav .nav-link").count() >= 8
    assert page.locator("#language-select").is_visible()
    screenshot(page, "home-admin-360-menu")


def test_the_sticky_actions_of_a_form_are_one_row_on_a_phone(page_factory, role_world):
    group = role_world["program"].groups.order_by("pk").first()
    page = page_factory(PHONE)
    sign_in(page, "operator.klk")
    page.goto(page.base + f"/kelompok/{group.pk}/anggota-baru/")
    bar = page.locator(".sticky-action")
    assert bar.locator(".btn").count() == 3  # save, save and add another, cancel
    tops = bar.evaluate(
        "el => [...el.querySelectorAll('.btn')].map(b => Math.round(b.getBoundingClientRect().top))"
    )
    assert len(set(tops)) == 1, tops
    assert bar.evaluate("el => el.getBoundingClientRect().height") < 100
    # What the phone shows (not the whole page): the bar stays at the bottom of the screen.
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "member-form-actions-360.png"))


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
def test_an_unknown_address_shows_the_404_page_with_a_way_back(page_factory, role_world, viewport):
    page = page_factory(viewport)
    sign_in(page, "pimpinan")
    page.goto(page.base + "/program/")
    page.evaluate("location.href = '/tidak-ada/'")  # as a mistyped link would, with the Referer
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Halaman tidak ditemukan"
    back = page.get_by_role("link", name="Kembali ke halaman sebelumnya")
    assert back.get_attribute("href") == page.base + "/program/"
    screenshot(page, f"error-404-{viewport['width']}")
    back.click()
    page.wait_for_load_state("networkidle")
    assert page.url == page.base + "/program/"
