"""The verification queue in a real browser: forty members decided one by one, in place, without a page load,
and without the page jumping back to the top; at phone and desktop width."""

import time

import pytest
from django.db import OperationalError

from tests.factories import GroupFactory, UserFactory
from tests.registry.helpers import person_data
from tunas.accounts.roles import Role
from tunas.registry import services
from tunas.registry.models import Group, GroupStatus, Membership, Verification

from .conftest import DESKTOP, PHONE, screenshot, sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

GROUPS = ["Lontar Besang", "Jajan Sengguan", "Keripik Ceker Pasekan", "Tali Ijuk Sente"]
MEMBERS_PER_GROUP = 10


def _queue(world):
    program = world["program"]
    for index, name in enumerate(GROUPS):
        group = GroupFactory(program=program, name=name)
        for i in range(MEMBERS_PER_GROUP):
            # Two possible duplicates (one name and birth date, two NIKs) in two groups: warnings to read.
            twin = index in (0, 2) and i == MEMBERS_PER_GROUP - 1
            data = person_data(full_name="Ni Luh Kembar") if twin else person_data()
            member = services.member_register(group=group, data=data)
        if index == 1:
            # The re-check finds an error: no category the programme allows any more.
            Membership.objects.filter(pk=member.pk).update(categories=[])
    UserFactory(username="verifikator", office=world["office"], roles=[Role.VERIFIER], first_name="Komang")
    return program


def _db(read):
    """``read()`` once the live server has let go of SQLite's shared in-memory tables (it may hold a lock
    for a moment after its answer reached the browser)."""
    for _attempt in range(50):
        try:
            return read()
        except OperationalError:
            time.sleep(0.1)
    return read()


def _rejects(index: int) -> bool:
    return index % 8 == 3  # five of forty


@pytest.mark.parametrize("viewport,label", [(PHONE, "360"), (DESKTOP, "1280")])
def test_a_verifier_decides_forty_members_in_place_without_a_page_load(
    page_factory, klungkung_world, viewport, label
):
    program = _queue(klungkung_world)
    page = page_factory(viewport)
    sign_in(page, "verifikator")
    page.goto(f"{page.base}/verifikasi/?program={program.code}")
    page.wait_for_load_state("networkidle")

    # Anything that loads a page again from here on fails the test: a load event, or the marker lost.
    loads = []
    page.on("load", lambda _page: loads.append(page.url))
    page.evaluate("window.tunasQueueMarker = 'still here'")

    ids = page.eval_on_selector_all("tr.queue-member", "rows => rows.map(r => r.id)")
    assert len(ids) == len(GROUPS) * MEMBERS_PER_GROUP
    # One column at phone width: nothing sticks out sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    scroll_checks = []
    for index, row_id in enumerate(ids):
        row = page.locator(f"#{row_id}")
        if _rejects(index):
            row.locator("input[name=reason]").fill(f"Alasan uji {index}")
            row.locator(".member-reject button[type=submit]").click()
            expected = "rejected"
        else:
            row.locator(".member-approve button[type=submit]").click()
            expected = "approved"
        before = page.evaluate("window.scrollY")
        page.wait_for_selector(f"#{row_id}.queue-member-{expected}")
        after = page.evaluate("window.scrollY")
        if index >= len(ids) - 3:
            # Near the bottom of the page: the view stays where the verifier was.
            scroll_checks.append((before, after))
        if index == len(ids) // 2:
            screenshot(page, f"verification-queue-{label}-half")

    page.wait_for_load_state("networkidle")
    for before, after in scroll_checks:
        assert before > 500 and after > 500, scroll_checks
        assert abs(after - before) < 400, scroll_checks
    assert loads == []
    assert page.evaluate("window.tunasQueueMarker") == "still here"
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1

    # Every group's tally came along: nobody waits, and the groups can be verified, in place as well.
    verify_buttons = page.locator(".group-verify button[type=submit]").all()
    assert len(verify_buttons) == len(GROUPS)
    for verify in verify_buttons:
        assert verify.is_enabled()
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    first_group = page.locator("section.queue-group").first
    first_group_id = first_group.get_attribute("id")
    first_group.locator(".group-verify button[type=submit]").click()
    page.wait_for_selector(f"#{first_group_id} .group-verify", state="detached")
    assert _db(lambda: Group.objects.filter(program=program, status=GroupStatus.VERIFIED).count()) == 1
    assert loads == []
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, f"verification-queue-{label}")

    decided = Membership.objects.filter(program=program)
    assert _db(lambda: decided.filter(verification=Verification.PENDING).count()) == 0
    rejected = {m.verification_reason for m in decided.filter(verification=Verification.REJECTED)}
    assert rejected == {f"Alasan uji {i}" for i in range(len(ids)) if _rejects(i)}
    assert decided.filter(verification=Verification.APPROVED).count() == len(ids) - len(rejected)
    assert set(decided.values_list("verified_by__username", flat=True)) == {"verifikator"}


def test_approve_all_without_problems_then_verify_the_group_without_a_page_load(
    page_factory, klungkung_world
):
    program = klungkung_world["program"]
    group = GroupFactory(program=program, name="Lontar Besang")
    members = [services.member_register(group=group, data=person_data()) for _i in range(6)]
    Membership.objects.filter(pk=members[2].pk).update(categories=[])
    UserFactory(username="verifikator", office=klungkung_world["office"], roles=[Role.VERIFIER])
    page = page_factory(PHONE)
    sign_in(page, "verifikator")
    page.goto(f"{page.base}/verifikasi/")
    loads = []
    page.on("load", lambda _page: loads.append(page.url))

    page.locator(f"#approve-all-{group.pk}-button").click()
    plan = page.locator(f"#approve-all-{group.pk} .queue-plan")
    plan.wait_for()
    assert "category_missing" in plan.inner_text()
    assert (
        _db(lambda: Membership.objects.filter(group=group, verification=Verification.APPROVED).count()) == 0
    )
    screenshot(page, "verification-queue-approve-all-360")
    plan.locator("button[type=submit]").click()
    page.wait_for_selector(f"#approve-all-{group.pk} .queue-plan", state="detached")
    page.wait_for_selector(f"#queue-group-{group.pk} .queue-notices")
    approved = Membership.objects.filter(group=group, verification=Verification.APPROVED)
    assert _db(lambda: sorted(approved.values_list("pk", flat=True))) == sorted(
        m.pk for m in members if m != members[2]
    )

    row = page.locator(f"#member-{members[2].pk}")
    row.locator("input[name=reason]").fill("Bukan sasaran program")
    row.locator(".member-reject button[type=submit]").click()
    page.wait_for_selector(f"#member-{members[2].pk}.queue-member-rejected")
    page.locator(f"#queue-group-{group.pk} .group-verify button[type=submit]").click()
    # A verified group's section comes back without the verify button.
    page.wait_for_selector(f"#queue-group-{group.pk} .group-verify", state="detached")
    assert _db(lambda: Group.objects.get(pk=group.pk).status) == GroupStatus.VERIFIED
    assert loads == []
