"""In a real browser at 360 px: a record the phone holds under a UUID the server already stores with another
body shows both versions to choose from (keeping the stored one, or sending the phone's as a correction);
a photo attached in the visit form is stored once, smaller, without EXIF, and served only to those who read
the group; a send the server could not answer (5xx) waits and is sent again, never shown as refused."""

from __future__ import annotations

import io
import json
import re
import time
import uuid
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from PIL import ExifTags, Image
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD, PHONE, screenshot, sign_in
from tests.conftest import login
from tests.factories import OfficeFactory, UserFactory
from tunas.mentoring import photos, services
from tunas.mentoring.models import Visit, VisitPhoto

from .factories import assign, mentoring_program, selected_group, visit_body

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

OUTBOX = """() => new Promise((resolve, reject) => {
  const request = indexedDB.open("tunas-mentoring");
  request.onerror = () => reject(request.error);
  request.onsuccess = () => {
    const db = request.result;
    if (!db.objectStoreNames.contains("outbox")) return resolve([]);
    const all = db.transaction("outbox").objectStore("outbox").getAll();
    all.onsuccess = () => resolve(all.result);
  };
})"""

PUT_IN_OUTBOX = """(record) => new Promise((resolve, reject) => {
  const request = indexedDB.open("tunas-mentoring");
  request.onerror = () => reject(request.error);
  request.onsuccess = () => {
    const tx = request.result.transaction("outbox", "readwrite");
    tx.objectStore("outbox").put(record);
    tx.oncomplete = () => resolve(true);
    tx.onerror = () => reject(tx.error);
  };
})"""

COUNT_QUEUED = """() => new Promise((resolve) => {
  const request = indexedDB.open("workbox-background-sync");
  request.onsuccess = () => {
    const db = request.result;
    if (!db.objectStoreNames.contains("requests")) return resolve(0);
    const counted = db.transaction("requests").objectStore("requests").count();
    counted.onsuccess = () => resolve(counted.result);
  };
})"""


REPLAY_IN_WORKER = """() => navigator.serviceWorker.ready.then((registration) => new Promise((resolve) => {
  const channel = new MessageChannel();
  channel.port1.onmessage = (event) => resolve(event.data);
  registration.active.postMessage({ type: "replay" }, [channel.port2]);
}))"""


def outbox(page) -> list[dict]:
    """The records the phone keeps, as offline.js stores them."""
    return page.evaluate(OUTBOX)


def wait_for(predicate, timeout=15.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def world():
    office = OfficeFactory()
    officer = UserFactory(username="operator", office=office, roles=["officer"], password=PASSWORD)
    mentor = UserFactory(username="pendamping", office=office, roles=["mentor"], password=PASSWORD)
    group = selected_group(mentoring_program(office))
    assign(group, mentor, officer)
    return mentor, group


def open_visit_form(page, group) -> str:
    """The visit form, controlled by the service worker (so that a send that fails is queued there too)."""
    sign_in(page, "pendamping")
    url = f"{page.base}/pendampingan/kelompok/{group.pk}/kunjungan/baru/"
    page.goto(url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_load_state("networkidle")
    expect(waiting(page)).to_have_text(re.compile(r": 0\s*$"))
    return url


def waiting(page):
    return page.locator("[data-outbox-count]").first


def fill_visit(page, findings: str) -> None:
    page.fill("#v-date", "2026-03-10")
    page.fill("#v-met", "Ketua dan enam anggota")
    page.check("#v-act-production")
    page.fill("#v-findings", findings)
    page.fill("#f-a1", "Isi buku kas")
    page.fill("#f-d1", "2026-03-24")
    page.fill("#f-w1", "Bendahara")


def conflict_item(page):
    item = page.locator("#outbox-list [data-outbox-item]").first
    expect(item).to_contain_text("konflik")
    return item


VERSIONS = """(table) => [...table.tBodies].map((field) => {
  const [label, values] = field.rows;
  const cells = [...values.cells].map((cell) => ({
    text: cell.textContent.trim(),
    box: cell.getBoundingClientRect(),
  }));
  const [a, b] = cells;
  return {
    label: label.cells[0].textContent.trim(),
    values: cells.map((cell) => cell.text),
    sideBySide: cells.length === 2 && a.box.top === b.box.top && a.box.right <= b.box.left,
    marked: field.classList.contains("table-warning"),
  };
})"""


def versions_shown(page, item) -> dict[str, tuple[str, str, bool]]:
    """The choose-a-version table, as the mentor reads it: every field's label in Indonesian, above the
    stored value and the phone's side by side, marked when they differ; all within the phone's 360 px."""
    table = item.locator("table")
    expect(table).to_be_visible()
    headers = [h.strip() for h in table.locator("thead th").all_text_contents()]
    assert headers == ["Versi tersimpan", "Versi saya"]
    fields = table.evaluate(VERSIONS)
    assert fields and all(f["sideBySide"] for f in fields), fields
    # No key of the record's body (visited_on, follow_ups...) is shown in place of its label.
    assert not [f["label"] for f in fields if re.fullmatch(r"[a-z_]+", f["label"])], fields
    expect(item.get_by_role("button", name="Pertahankan versi tersimpan")).to_be_visible()
    expect(item.get_by_role("button", name="Kirim versi saya sebagai perbaikan")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    return {f["label"]: (*f["values"], f["marked"]) for f in fields}


def test_keeping_the_stored_version_drops_the_phones_record_and_leaves_the_server_untouched(
    page_factory, bali_regions
):
    mentor, group = world()
    page = page_factory(PHONE)
    open_visit_form(page, group)

    page.context.set_offline(True)
    fill_visit(page, "Pembukuan belum rapi")
    page.click("#visit-form button[type=submit]")
    expect(waiting(page)).to_have_text(re.compile(r": 1\s*$"))
    (held,) = outbox(page)
    # Before the phone is back online, another version of the same UUID reaches the server.
    services.visit_receive(
        record_id=uuid.UUID(held["id"]), body=visit_body(group, findings="Versi dari kantor"), by=mentor
    )
    stored = Visit.objects.get()
    stored_hash = stored.body_hash

    page.context.set_offline(False)
    item = conflict_item(page)
    shown = versions_shown(page, item)
    assert shown["Temuan dan masalah"] == ("Versi dari kantor", "Pembukuan belum rapi", True)
    assert shown["Tanggal kunjungan"] == ("2026-03-10", "2026-03-10", False)
    assert shown["Kegiatan"] == ("Produksi; Pembukuan", "Produksi", True)  # the choices by their names
    assert shown["Tindak lanjut yang disepakati"] == (("Isi buku kas, 2026-03-24, Bendahara",) * 2 + (False,))
    expect(waiting(page)).to_have_text(re.compile(r": 1\s*$"))  # a conflict still waits on the phone
    screenshot(page, "mentoring-conflict-phone")

    item.get_by_role("button", name="Pertahankan versi tersimpan").click()
    expect(waiting(page)).to_have_text(re.compile(r": 0\s*$"))
    expect(page.locator("#outbox-list [data-outbox-item]")).to_have_count(0)
    assert outbox(page) == []
    # The worker's copy of the send, replayed, is answered 409 too and does not bring the record back.
    assert page.evaluate(REPLAY_IN_WORKER) == {"replayed": True}
    assert page.evaluate(COUNT_QUEUED) == 0
    time.sleep(0.5)
    assert outbox(page) == []
    assert Visit.objects.count() == 1
    stored.refresh_from_db()
    assert (stored.findings, stored.body_hash, stored.is_current) == ("Versi dari kantor", stored_hash, True)
    page.reload()
    expect(waiting(page)).to_have_text(re.compile(r": 0\s*$"))


def test_sending_mine_stores_the_phones_version_as_a_correction_and_keeps_the_stored_one(
    page_factory, bali_regions
):
    mentor, group = world()
    record_id = uuid.uuid4()
    services.visit_receive(
        record_id=record_id, body=visit_body(group, findings="Versi dari kantor"), by=mentor
    )

    page = page_factory(PHONE)
    form_url = open_visit_form(page, group)
    endpoint = reverse("mentoring:api_visit", args=[record_id])
    # The phone holds another body under the same UUID, stored the way offline.js keeps its records.
    page.evaluate(
        PUT_IN_OUTBOX,
        {
            "id": str(record_id),
            "kind": "visit",
            "url": endpoint,
            "form": form_url.removeprefix(page.base),
            "label": f"Kunjungan · {group.name}",
            "body": visit_body(
                group, findings="Versi saya dari lapangan", latitude="", longitude="", photos=[]
            ),
            "state": "waiting",
            "saved_at": "2026-03-10T09:00:00.000Z",
        },
    )
    page.reload()  # the page sends what waits as it opens
    item = conflict_item(page)
    shown = versions_shown(page, item)
    assert shown["Temuan dan masalah"] == ("Versi dari kantor", "Versi saya dari lapangan", True)
    assert shown["Kegiatan"] == ("Produksi; Pembukuan", "Produksi; Pembukuan", False)
    assert shown["Yang ditemui"] == ("Ketua dan enam anggota", "Ketua dan enam anggota", False)
    assert Visit.objects.count() == 1

    # A double tap, as on a phone: one correction, not a second one refused as stale.
    item.get_by_role("button", name="Kirim versi saya sebagai perbaikan").dblclick()
    expect(waiting(page)).to_have_text(re.compile(r": 0\s*$"))
    assert wait_for(lambda: Visit.objects.count() == 2)
    time.sleep(1.0)  # nothing else arrives late
    assert Visit.objects.count() == 2
    assert outbox(page) == []
    current = Visit.objects.get(is_current=True)
    old = Visit.objects.get(pk=record_id)
    assert current.pk != record_id and current.replaces_id == record_id
    assert current.findings == "Versi saya dari lapangan"
    assert (old.findings, old.is_current) == ("Versi dari kantor", False)
    assert Visit.objects.filter(group=group, is_current=True).count() == 1
    assert current.follow_ups.get().responsible == "Bendahara"
    page.reload()
    expect(waiting(page)).to_have_text(re.compile(r": 0\s*$"))
    expect(page.locator("#outbox-list [data-outbox-item]")).to_have_count(0)


# Photos ---------------------------------------------------------------------------------------------------

RED, BLUE = (220, 30, 30), (30, 30, 220)


def phone_photo(path: Path) -> Path:
    """A 4000×3000 JPEG as a phone writes it: stored sideways with an EXIF orientation (turn 90° clockwise to
    view: the left half, red, becomes the top), the phone's make and the GPS position of the visit."""
    image = Image.new("RGB", (4000, 3000), BLUE)
    image.paste(RED, (0, 0, 2000, 3000))
    noise = Image.effect_noise((4000, 3000), 40).convert("RGB")
    image = Image.blend(image, noise, 0.15)  # a photo's grain: megabytes, as a phone's are
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Orientation] = 6
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "S"
    gps[ExifTags.GPS.GPSLatitude] = (8.0, 32.0, 10.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (115.0, 24.0, 1.0)
    image.save(path, format="JPEG", quality=92, exif=exif)
    with Image.open(path) as check:  # the test photo really carries what must go
        assert check.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "S"
    return path


def near(pixel, colour, tolerance=60) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def assert_kept_small_upright_and_without_exif(photo: VisitPhoto) -> None:
    with photo.image.open("rb") as handle:
        raw = handle.read()
    with Image.open(io.BytesIO(raw)) as kept:
        assert kept.format == "JPEG"
        assert max(kept.size) <= photos.max_side()
        assert kept.size == (photo.width, photo.height)
        assert kept.height > kept.width  # turned upright: the phone held it portrait
        assert abs(kept.height / kept.width - 4 / 3) < 0.01
        assert not kept.getexif()
        assert "exif" not in kept.info
        assert near(kept.getpixel((kept.width // 2, kept.height // 8)), RED)
        assert near(kept.getpixel((kept.width // 2, kept.height * 7 // 8)), BLUE)
    assert b"PhoneMaker" not in raw and b"GPS" not in raw


def assert_served_to_the_mentor_only(page, photo: VisitPhoto, outsider_client: Client) -> None:
    url = reverse("mentoring:photo_file", args=[photo.pk])
    served = page.request.get(page.base + url)  # with the mentor's sign-in
    assert served.status == 200
    assert served.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(served.body())) as image:
        assert image.size == (photo.width, photo.height)
    assert outsider_client.get(url).status_code in (403, 404)
    assert Client().get(url).status_code == 302  # signed out: to the sign-in page


def photos_read(page, n: int) -> None:
    """Waits until the form has made its copies of the photos chosen (the page shows no sign of it yet)."""
    page.wait_for_function("(n) => (document.getElementById('visit-form')._photos || []).length === n", arg=n)


@pytest.mark.parametrize("offline_first", [False, True], ids=["online", "offline-then-online"])
def test_a_photo_attached_in_the_visit_form_is_stored_once_smaller_without_exif_for_the_mentor_only(
    page_factory, bali_regions, tmp_path, offline_first
):
    mentor, group = world()
    gianyar = OfficeFactory(name="Dinas Tenaga Kerja Kabupaten Gianyar", region_code="51.04")
    outsider = login(UserFactory(username="operator.gianyar", office=gianyar, roles=["officer"]))
    picture = phone_photo(tmp_path / "IMG_20260310_093012.jpg")
    assert picture.stat().st_size > 1_000_000

    page = page_factory(PHONE)
    open_visit_form(page, group)
    if offline_first:
        page.context.set_offline(True)
    page.set_input_files("#v-photos", str(picture))
    fill_visit(page, "Foto alat produksi")
    photos_read(page, 1)
    page.click("#visit-form button[type=submit]")
    if offline_first:
        expect(waiting(page)).to_have_text(re.compile(r": 1\s*$"))
        (held,) = outbox(page)
        assert len(held["body"]["photos"]) == 1  # the photo waits on the phone with its record
        assert Visit.objects.count() == 0
        page.context.set_offline(False)
    else:
        expect(page.locator("#visit-form [data-form-status]")).to_have_text("Terkirim dan tersimpan.")
    expect(waiting(page)).to_have_text(re.compile(r": 0\s*$"))
    assert wait_for(lambda: VisitPhoto.objects.count() == 1)
    time.sleep(1.0)  # a late replay by the worker must not store the photo again
    visit = Visit.objects.get()
    assert VisitPhoto.objects.count() == 1 and visit.photos.count() == 1
    assert visit.findings == "Foto alat produksi"
    photo = visit.photos.get()
    assert_kept_small_upright_and_without_exif(photo)
    assert_served_to_the_mentor_only(page, photo, outsider)

    # The visit's page shows it to the mentor.
    page.goto(page.base + reverse("mentoring:visit_detail", args=[visit.pk]))
    image = page.locator("img[src*='/pendampingan/foto/']")
    expect(image).to_have_count(1)
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", image.element_handle())
    assert json.dumps(visit.body).count("data:image") == 0  # the record keeps a count, not the photo twice


def test_photos_chosen_just_before_saving_stay_with_their_own_visit(page_factory, bali_regions, tmp_path):
    mentor, group = world()
    picture = phone_photo(tmp_path / "IMG_20260310_093012.jpg")
    pictures = [picture]
    for i in range(1, 4):
        copy = tmp_path / f"IMG_20260310_09301{2 + i}.jpg"
        copy.write_bytes(picture.read_bytes())
        pictures.append(copy)

    page = page_factory(PHONE)
    open_visit_form(page, group)
    page.context.set_offline(True)
    fill_visit(page, "Kunjungan dengan foto")
    page.set_input_files("#v-photos", [str(p) for p in pictures])
    page.click("#visit-form button[type=submit]")  # saved at once, as a mentor in a hurry does
    expect(waiting(page)).to_have_text(re.compile(r": 1\s*$"))
    time.sleep(3.0)
    fill_visit(page, "Kunjungan tanpa foto")
    page.click("#visit-form button[type=submit]")
    expect(waiting(page)).to_have_text(re.compile(r": 2\s*$"))
    photos_kept = {r["body"]["findings"]: len(r["body"]["photos"]) for r in outbox(page)}
    assert photos_kept == {"Kunjungan dengan foto": 4, "Kunjungan tanpa foto": 0}


def test_a_server_error_keeps_the_record_waiting_and_it_is_sent_once_later(
    page_factory, bali_regions, monkeypatch
):
    mentor, group = world()
    receive = services.visit_receive
    calls: list[uuid.UUID] = []

    def fails_once(**kwargs):
        calls.append(kwargs["record_id"])
        if len(calls) == 1:
            raise RuntimeError("the server could not answer")  # answered 500, as during an update
        return receive(**kwargs)

    monkeypatch.setattr(services, "visit_receive", fails_once)
    page = page_factory(PHONE)
    form_url = open_visit_form(page, group)
    fill_visit(page, "Pembukuan belum rapi")
    page.click("#visit-form button[type=submit]")
    status = page.locator("#visit-form [data-form-status]")
    expect(status).to_have_text("Tersimpan di ponsel ini. Akan dikirim saat koneksi kembali.")
    assert calls  # the first send was answered 500
    expect(page.locator("#outbox-list")).not_to_contain_text("tidak diterima")

    page.goto(form_url)  # sent again by the worker's queue or, at the latest, when a mentoring page opens
    expect(waiting(page)).to_have_text(re.compile(r": 0\s*$"))
    assert wait_for(lambda: Visit.objects.count() == 1)
    time.sleep(1.0)
    assert Visit.objects.count() == 1
    assert len(set(calls)) == 1 and len(calls) >= 2  # the same record, sent again under its own UUID
    assert Visit.objects.get().findings == "Pembukuan belum rapi"
