"""The aid flow in a real browser on a phone (360 px): record a purchase, allocate it, record the handover
with a photo and download the BAST, whose text read back holds the date in words, the totals and the names."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from tests.browser.conftest import PASSWORD, PHONE, screenshot, sign_in  # noqa: F401
from tests.factories import OfficeFactory, UserFactory
from tunas.aid.models import Handover, HandoverPhoto, Purchase

from .factories import aid_program, selected_group
from .images import jpeg_bytes

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def aid_world(bali_regions):
    office = OfficeFactory()
    UserFactory(username="operator", office=office, roles=["officer"], password=PASSWORD)
    program = aid_program(office)
    group = selected_group(program, name="Lontar Besang")
    return program, group


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0


def test_an_officer_on_a_phone_buys_allocates_hands_over_with_a_photo_and_downloads_the_bast(
    page_factory,  # noqa: F811
    aid_world,
    tmp_path,
):
    program, group = aid_world
    page = page_factory(PHONE)
    sign_in(page, "operator")

    page.goto(f"{page.base}/bantuan/program/{program.code}/pembelian/baru/")
    page.fill("#id_name", "Pisau pengutik lontar")
    page.fill("#id_specification", "Set 5 mata pisau baja")
    page.fill("#id_quantity", "20")
    page.fill("#id_unit", "set")
    page.fill("#id_unit_price", "350.000")
    page.fill("#id_supplier", "CV Karya Lontar Bali")
    page.fill("#id_purchased_on", "2026-11-02")
    page.select_option("#id_budget_line", index=1)
    page.click("#purchase-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    purchase = Purchase.objects.get()
    assert purchase.total == 7_000_000
    assert no_sideways_scroll(page)

    page.select_option("#id_group", str(group.pk))
    page.fill("#id_quantity", "20")
    page.click("#allocation-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    allocation = purchase.allocations.get()

    page.goto(f"{page.base}/bantuan/kelompok/{group.pk}/serah-terima/baru/")
    page.fill("#id_official_name", "I Made Sudiarta, S.E., M.M.")
    page.fill("#id_official_nip", "196804121994031007")
    page.select_option("#id_receiver", index=1)
    page.locator("input[name=witnesses]").nth(1).check()
    page.locator("input[name=witnesses]").nth(2).check()
    page.fill(f"#id_qty_{allocation.pk}", "20")
    page.fill(f"#id_serials_{allocation.pk}", "PK-01, PK-02")
    screenshot(page, "aid-handover-form-phone")
    assert no_sideways_scroll(page), page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > "
        "document.documentElement.clientWidth + 1).slice(0, 5).map(e => e.outerHTML.slice(0, 160))"
    )
    page.click("#handover-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    handover = Handover.objects.get()

    photo = tmp_path / "serah-terima.jpg"
    photo.write_bytes(jpeg_bytes((1200, 900), gps=True))
    page.set_input_files("input[name=image]", str(photo))
    page.fill("#id_caption", "Penyerahan alat oleh Wakil Bupati")
    page.locator("form[action$='/foto/'] button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert HandoverPhoto.objects.filter(handover=handover).count() == 1
    page.locator("img.img-fluid").first.wait_for()
    screenshot(page, "aid-handover-detail-phone")
    assert no_sideways_scroll(page), page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > "
        "document.documentElement.clientWidth + 1).slice(0, 5).map(e => e.outerHTML.slice(0, 200))"
    )

    href = page.get_attribute("#bast-download", "href")
    response = page.context.request.get(page.base + href)
    assert response.ok and response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.body()))
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    assert "Pada hari ini Selasa tanggal sepuluh bulan November tahun dua ribu dua puluh enam" in text
    assert "Jumlah 20 7.000.000" in text and "Tujuh juta rupiah" in text
    assert handover.parties["receiver"]["name"] in text and "I Made Sudiarta" in text
    assert re.search(r"Nomor: \d{3}/BAST/", text)
