"""Offline, exactly once, in a real browser at 360 px: a visit and a monthly report saved with the network off
wait on the phone (also across a reload), and once the network is back exactly one of each is stored."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, PHONE, screenshot, sign_in
from tests.factories import OfficeFactory, UserFactory
from tunas.mentoring.models import ProgressReport, Visit

from .factories import assign, mentoring_program, selected_group

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


COUNT_STORE = """([name, store]) => new Promise((resolve) => {
  const request = indexedDB.open(name);
  request.onsuccess = () => {
    const db = request.result;
    if (!db.objectStoreNames.contains(store)) return resolve(0);
    const counted = db.transaction(store).objectStore(store).count();
    counted.onsuccess = () => resolve(counted.result);
  };
})"""


def count_in(page, database: str, store: str) -> int:
    """How many records an IndexedDB store of the page holds (0 when it does not exist)."""
    return page.evaluate(COUNT_STORE, [database, store])


def wait_for(predicate, timeout=15.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_a_visit_and_a_report_saved_offline_wait_on_the_phone_and_are_stored_once_when_back_online(
    page_factory,
    bali_regions,
):
    office = OfficeFactory()
    officer = UserFactory(username="operator", office=office, roles=["officer"], password=PASSWORD)
    mentor = UserFactory(username="pendamping", office=office, roles=["mentor"], password=PASSWORD)
    program = mentoring_program(office)
    group = selected_group(program)
    assign(group, mentor, officer)

    page = page_factory(PHONE)
    sign_in(page, "pendamping")
    form_url = f"{page.base}/pendampingan/kelompok/{group.pk}/kunjungan/baru/"
    page.goto(form_url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now controlled by the service worker, which keeps the page for offline use
    page.wait_for_load_state("networkidle")
    assert page.evaluate("!!navigator.serviceWorker.controller")

    page.goto(f"{page.base}/pendampingan/kelompok/{group.pk}/laporan/baru/")  # kept for offline use
    page.goto(form_url)
    page.context.set_offline(True)
    page.fill("#v-date", "2026-03-10")
    page.fill("#v-met", "Ketua dan enam anggota")
    page.check("#v-act-production")
    page.fill("#v-findings", "Pembukuan belum rapi")
    page.fill("#f-a1", "Isi buku kas")
    page.fill("#f-d1", "2026-03-24")
    page.fill("#f-w1", "Bendahara")
    page.click("#visit-form button[type=submit]")
    count = page.locator("[data-outbox-count]").first
    expect(count).to_have_text(re.compile(r": 1\s*$"))
    screenshot(page, "mentoring-visit-offline-phone")
    assert Visit.objects.count() == 0

    page.reload()  # offline: the page comes from the worker's cache, the record from IndexedDB
    expect(count).to_have_text(re.compile(r": 1\s*$"))

    # The monthly report form, opened once while online, opens and works offline too.
    page.goto(f"{page.base}/pendampingan/kelompok/{group.pk}/laporan/baru/")
    page.fill("#r-month", "2026-03")
    page.select_option("#r-status", "active")
    page.fill("#r-turnover", "4000000")
    page.fill("#r-costs", "2500000")
    page.fill("#r-profit", "1500000")
    page.fill("#r-working_members", "2")
    page.check("#r-ch-whatsapp")
    page.click("#report-form button[type=submit]")
    expect(count).to_have_text(re.compile(r": 2\s*$"))
    screenshot(page, "mentoring-report-offline-phone")
    page.reload()
    expect(count).to_have_text(re.compile(r": 2\s*$"))
    assert Visit.objects.count() == 0 and ProgressReport.objects.count() == 0

    page.context.set_offline(False)
    expect(count).to_have_text(re.compile(r": 0\s*$"))
    assert re.search(r": 0$", count.text_content().strip())
    assert wait_for(lambda: Visit.objects.count() == 1)
    time.sleep(1.0)  # a late replay by the worker must not add a second row
    assert Visit.objects.count() == 1
    assert ProgressReport.objects.count() == 1
    assert ProgressReport.objects.get().turnover == 4_000_000
    visit = Visit.objects.get()
    assert visit.group == group and visit.follow_ups.get().responsible == "Bendahara"


def test_a_send_that_meets_an_expired_sign_in_keeps_the_record_asks_to_sign_in_then_sends_it(
    page_factory,
    bali_regions,
):
    office = OfficeFactory()
    officer = UserFactory(username="operator", office=office, roles=["officer"], password=PASSWORD)
    mentor = UserFactory(username="pendamping", office=office, roles=["mentor"], password=PASSWORD)
    group = selected_group(mentoring_program(office))
    assign(group, mentor, officer)

    page = page_factory(PHONE)
    sign_in(page, "pendamping")
    form_url = f"{page.base}/pendampingan/kelompok/{group.pk}/kunjungan/baru/"
    page.goto(form_url)
    page.context.clear_cookies()  # the session ends while the mentor writes
    page.fill("#v-met", "Ketua")
    page.check("#v-act-marketing")
    page.click("#visit-form button[type=submit]")
    count = page.locator("[data-outbox-count]").first
    expect(count).to_have_text(re.compile(r": 1\s*$"))
    expect(page.locator("[data-signin-prompt]").first).to_be_visible()
    assert Visit.objects.count() == 0

    sign_in(page, "pendamping")
    page.goto(form_url)
    expect(count).to_have_text(re.compile(r": 0\s*$"))
    assert wait_for(lambda: Visit.objects.count() == 1)


def test_signing_out_clears_the_records_kept_on_the_phone(page_factory, bali_regions):
    office = OfficeFactory()
    officer = UserFactory(username="operator", office=office, roles=["officer"], password=PASSWORD)
    mentor = UserFactory(username="pendamping", office=office, roles=["mentor"], password=PASSWORD)
    group = selected_group(mentoring_program(office))
    assign(group, mentor, officer)

    page = page_factory(PHONE)
    sign_in(page, "pendamping")
    page.goto(f"{page.base}/pendampingan/kelompok/{group.pk}/kunjungan/baru/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.context.set_offline(True)
    page.fill("#v-met", "Ketua")
    page.check("#v-act-marketing")
    page.click("#visit-form button[type=submit]")
    expect(page.locator("[data-outbox-count]").first).to_have_text(re.compile(r": 1\s*$"))
    page.context.set_offline(False)
    page.evaluate(
        "() => { for (const f of document.forms) if (f.action.endsWith('/akun/keluar/')) f.requestSubmit(); }"
    )
    page.wait_for_url(re.compile(r"/akun/"))
    assert count_in(page, "tunas-mentoring", "outbox") == 0
    queued = count_in(page, "workbox-background-sync", "requests")
    assert queued == 0


def test_a_report_queued_offline_and_refused_later_shows_the_reason_beside_its_field(
    page_factory,
    bali_regions,
):
    office = OfficeFactory()
    officer = UserFactory(username="operator", office=office, roles=["officer"], password=PASSWORD)
    mentor = UserFactory(username="pendamping", office=office, roles=["mentor"], password=PASSWORD)
    group = selected_group(mentoring_program(office))
    assign(group, mentor, officer)

    page = page_factory(PHONE)
    sign_in(page, "pendamping")
    form_url = f"{page.base}/pendampingan/kelompok/{group.pk}/laporan/baru/"
    page.goto(form_url)
    page.context.set_offline(True)
    page.fill("#r-month", "2026-01")  # before the training of February 2026
    page.fill("#r-turnover", "1000000")
    page.click("#report-form button[type=submit]")
    count = page.locator("[data-outbox-count]").first
    expect(count).to_have_text(re.compile(r": 1\s*$"))
    page.context.set_offline(False)

    item = page.locator("#outbox-list [data-outbox-item]").first
    expect(item).to_contain_text("pelatihan")  # the server's reason (in Indonesian), in the list on the phone
    item.get_by_role("button").first.click()  # correct it
    page.wait_for_url(re.compile(r"draft="))
    reason = page.locator('[data-error-for="month"]')
    expect(reason).to_be_visible()
    expect(reason).to_contain_text("pelatihan")
    page.fill("#r-month", "2026-03")
    page.click("#report-form button[type=submit]")
    expect(count).to_have_text(re.compile(r": 0\s*$"))
    assert wait_for(lambda: ProgressReport.objects.filter(month="2026-03-01").count() == 1)
