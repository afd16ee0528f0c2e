# ruff: noqa: F811 - shared fixtures imported by name
"""Playwright at 360 px: an instructor marks a day's attendance on a phone (all present, two exceptions)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import PASSWORD, PHONE, screenshot  # noqa: F401
from tunas.training.models import Attendance

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def phone_training(bali_regions, request):
    # The shared fixtures, built inside the transactional database the live server reads.
    return request.getfixturevalue("taught")


def test_an_instructor_marks_all_present_then_two_exceptions_at_360_px(
    page_factory, phone_training, members, instructor
):
    session = phone_training.sessions.order_by("date", "start").first()
    page = page_factory(viewport=PHONE)
    page.goto(page.base + "/akun/masuk/")
    page.fill("input[name=username]", instructor.username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url("**/")
    page.goto(page.base + f"/pelatihan/sesi/{session.pk}/kehadiran/")
    page.click("button[name=all_present]")
    page.wait_for_selector(f"#status-{members[0].pk}-present:checked")
    absent, excused = members[0], members[1]
    page.click(f"label[for=status-{absent.pk}-absent]")
    page.click(f"label[for=status-{excused.pk}-excused]")
    page.click(f"#member-{excused.pk} summary")
    page.fill(f"#reason-{excused.pk}", "Upacara di pura")
    page.click("button[name=save]")
    page.wait_for_selector(f"#status-{excused.pk}-excused:checked")
    screenshot(page, "training-attendance-360")
    statuses = dict(Attendance.objects.filter(session=session).values_list("membership_id", "status"))
    assert statuses == {absent.pk: "absent", excused.pk: "excused", members[2].pk: "present"}
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
