"""The spreadsheet import in a real browser: upload → preview (problems first) → confirm → result."""

import datetime as dt

import pytest
from openpyxl import Workbook

from tests.factories import GroupFactory, make_nik
from tunas.registry.importing import HEADERS
from tunas.registry.models import Membership

from .conftest import DESKTOP, PHONE, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


# The rows below list their cells in this order; the sheet puts each under its header, wherever the
# import's column list places it (and leaves columns added since empty).
ROW_ORDER = (
    "NIK", "No KK", "Nama", "Jenis Kelamin", "Tempat Lahir", "Tanggal Lahir", "Alamat", "Kode Desa",
    "Banjar/Dusun", "No HP", "Kategori", "Disabilitas", "Pendidikan", "Kelompok", "Peran",
)  # fmt: skip


def _sheet(path, rows):
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for row in rows:
        cells = dict(zip(ROW_ORDER, row, strict=True))
        ws.append([cells.get(header, "") for header in HEADERS])
    wb.save(path)
    return path


@pytest.mark.parametrize("viewport,label", [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_officer_uploads_previews_with_problems_first_and_imports_only_the_valid_rows(
    page_factory, klungkung_world, tmp_path, viewport, label
):
    program = klungkung_world["program"]
    GroupFactory(program=program, name="Tenun Cepuk Tanglad", village_id="51.05.01.2006")
    born = dt.date(1985, 3, 12)
    good = [
        [
            make_nik(district="51.05.01", birth=born, sex="F", serial=11 + i),
            "",
            f"Ni Made Uji {i}",
            "P",
            "Klungkung",
            "12-03-1985",
            "",
            "51.05.01.2006",
            "Dusun Karang",
            "0812 3456 78" + str(10 + i),
            "Penganggur",
            "",
            "SMA",
            "Tenun Cepuk Tanglad",
            "Ketua" if i == 0 else "Anggota",
        ]
        for i in range(3)
    ]
    # The sex says man, the NIK says woman: refused with its code, the other rows go through.
    bad = [
        make_nik(district="51.05.01", birth=born, sex="F", serial=99),
        "",
        "I Wayan Salah",
        "L",
        "Klungkung",
        "12-03-1985",
        "",
        "51.05.01.2006",
        "",
        "",
        "Penganggur",
        "",
        "",
        "Tenun Cepuk Tanglad",
        "",
    ]
    path = _sheet(tmp_path / "peserta.xlsx", [*good, bad])

    page = page_factory(viewport)
    sign_in(page, "operator")
    page.goto(f"{page.base}/impor/{program.code}/")
    page.set_input_files("input[type=file]", str(path))
    page.click("main form[enctype] button[type=submit]")
    page.wait_for_load_state("networkidle")

    first_row = page.locator("tbody tr").first
    assert "I Wayan Salah" in first_row.inner_text()
    assert "nik_sex_mismatch" in first_row.inner_text()
    screenshot(page, f"import-preview-{label}")
    assert Membership.objects.count() == 0  # the preview writes nothing

    page.click("form[action$='/konfirmasi/'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Hasil impor"
    screenshot(page, f"import-result-{label}")
    assert Membership.objects.filter(program=program).count() == 3
