"""The Berita Acara Serah Terima and the accountability report as PDFs: read back, their words and totals."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from tests.conftest import login
from tunas.aid import documents, selectors, services
from tunas.programs.models import AidForm

from .factories import aid_program, selected_group
from .images import pdf_bytes

pytestmark = pytest.mark.django_db


def text_of(data: bytes) -> str:
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(data)).pages)


def figures(text: str) -> list[int]:
    return [int(n.replace(".", "")) for n in re.findall(r"\d{1,3}(?:\.\d{3})+", text)]


@pytest.fixture
def handover(klungkung, officer):
    program = aid_program(klungkung, code="KLK-TKM-2018", fiscal_year=2018, aid_date=dt.date(2018, 9, 4))
    program.aid_per_group = 25_000_000
    program.save()
    line = program.budget_lines.get()
    group = selected_group(program, name="Kerajinan Lontar Besang")
    items = []
    for name, quantity, price in [
        ("Pisau pengutik lontar", 20, 350_000),
        ("Mesin pemotong daun lontar", 2, 3_500_000),
    ]:
        purchase = services.purchase_record(
            program=program,
            budget_line=line,
            name=name,
            unit="unit",
            quantity=quantity,
            unit_price=price,
            supplier="CV Karya",
            purchased_on=dt.date(2018, 8, 27),
            by=officer,
        )
        allocation = services.allocation_save(purchase=purchase, group=group, quantity=quantity, by=officer)
        items.append(services.ItemData(allocation, quantity, ["MPL-001", "MPL-002"] if quantity == 2 else []))
    members = selectors.approved_members(group=group)
    return services.handover_save(
        group=group,
        handed_on=dt.date(2018, 9, 4),
        place="Balai Banjar Besang",
        official_name="I Made Sudiarta",
        official_nip="196804121994031007",
        official_position="Kepala Dinas",
        receiver=members[0],
        witnesses=members[1:3],
        items=items,
        by=officer,
    )


def test_the_bast_writes_the_day_and_date_in_words_as_such_records_do(handover):
    text = text_of(documents.handover_pdf(handover=handover))
    assert "Pada hari ini Selasa tanggal empat bulan September tahun dua ribu delapan belas" in text


def test_the_bast_total_is_the_sum_of_its_rows_in_figures_and_in_words(handover):
    text = text_of(documents.handover_pdf(handover=handover))
    rows = [20 * 350_000, 2 * 3_500_000]
    assert all(f"{r:,}".replace(",", ".") in text for r in rows)
    assert "Jumlah 22 14.000.000" in text
    assert max(figures(text)) == sum(rows) == 14_000_000
    assert "Terbilang: Empat belas juta rupiah" in text


def test_the_bast_names_both_parties_the_witnesses_and_the_serial_numbers(handover):
    text = text_of(documents.handover_pdf(handover=handover))
    parties = handover.parties
    assert "PIHAK PERTAMA" in text and "PIHAK KEDUA" in text
    assert "I Made Sudiarta" in text and "NIP. 19680412 199403 1 007" in text
    assert parties["receiver"]["name"] in text
    assert all(w["name"] in text for w in parties["witnesses"])
    assert "MPL-001, MPL-002" in text
    assert "Nomor: 001/BAST/DISPERINAKER/IX/2018" in text


def test_the_bast_prints_the_receivers_name_as_it_was_when_the_record_was_made(handover):
    person = handover.receiver.person
    before = person.full_name
    person.full_name = "Nama Diubah Kemudian"
    person.save()
    handover.refresh_from_db()
    text = text_of(documents.handover_pdf(handover=handover))
    assert before in text and "Nama Diubah Kemudian" not in text


def test_the_bast_keeps_its_signature_blocks_together_on_one_page(handover):
    pages = [
        " ".join((p.extract_text() or "").split())
        for p in PdfReader(io.BytesIO(documents.handover_pdf(handover=handover))).pages
    ]
    signing = [i for i, page in enumerate(pages) if "Saksi-saksi" in page]
    assert len(signing) == 1
    page = pages[signing[0]]
    assert "PIHAK KEDUA," in page and "PIHAK PERTAMA," in page and "Mengetahui" in page


def test_the_bast_downloads_for_the_office_and_not_for_another_regency(handover, officer, outsider):
    from django.urls import reverse

    url = reverse("aid:handover_pdf", args=[handover.pk])
    response = login(officer).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert login(outsider).get(url).status_code == 404


def test_the_accountability_report_pdf_has_the_six_chapters_and_sums_its_purchases(klungkung, officer):
    program = aid_program(klungkung, code="KLK-UANG-2026", aid_form=AidForm.MONEY)
    group = selected_group(program, name="Tenun Cepuk")
    transfer = services.transfer_record(
        group=group,
        budget_line=program.budget_lines.get(),
        bank="BPD Bali",
        account_holder="Kelompok Tenun Cepuk",
        account_number="0123456789012",
        amount=10_000_000,
        transferred_on=dt.date(2026, 11, 2),
        by=officer,
    )
    report = transfer.report
    for day, what, amount in [(3, "Benang katun", 3_250_000), (5, "Alat tenun", 6_000_000)]:
        services.report_purchase_add(
            report=report,
            bought_on=dt.date(2026, 11, day),
            description=what,
            amount=amount,
            receipt=SimpleUploadedFile("k.pdf", pdf_bytes()),
            by=officer,
        )
    text = text_of(documents.report_pdf(report=report))
    for chapter in ["BAB I", "PENDAHULUAN", "GAGASAN USAHA", "HASIL", "PERMASALAHAN", "STRATEGI", "PENUTUP"]:
        assert chapter in text
    assert "Jumlah digunakan 9.250.000" in text and "Sisa dana 750.000" in text
    assert "Sembilan juta dua ratus lima puluh ribu rupiah" in text
    assert "•••••••••9012" in text and "0123456789012" not in text
