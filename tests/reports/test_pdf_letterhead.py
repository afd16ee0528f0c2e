"""The official documents' shared letter pieces, the report renderer's figures on paper, and the budget
realisation report as a PDF with the office's letterhead and the head of office's signature."""

from __future__ import annotations

import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.conftest import login
from tests.programs.helpers import english
from tests.programs.test_ledger import make_line, spend
from tunas.accounts.models import Office
from tunas.core.formatting import date_long
from tunas.programs import ledger
from tunas.reports.renderers import Column
from tunas.reports.views import display

pytestmark = pytest.mark.django_db

PERCENT = Column("realisation", "Realisation", kind="percent")
TEMPLATES = Path(settings.BASE_DIR) / "templates"
SHARED = TEMPLATES / "includes" / "pdf"


# Percent columns on paper -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("share", "shown"),
    [(Decimal("0.75"), "75,0%"), (0.934, "93,4%"), (1, "100,0%"), (Decimal("0.3333"), "33,3%"), (0, "0,0%")],
)
def test_a_share_in_a_percent_column_is_printed_as_per_cent_in_indonesian(share, shown):
    with translation.override("id"):
        assert display(PERCENT, share) == shown


def test_a_share_in_a_percent_column_is_printed_as_per_cent_in_english():
    with translation.override("en"):
        assert display(PERCENT, Decimal("0.75")) == "75.0%"


def test_an_empty_percent_cell_stays_empty():
    assert display(PERCENT, None) == ""


def test_a_fiscal_year_is_printed_without_a_thousands_separator():
    with translation.override("id"):
        assert display(Column("year", "Year", kind="year"), 2018) == "2018"


# One home for the letter pieces -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "aid/pdf/handover_record.html",
        "aid/pdf/accountability_report.html",
        "training/pdf/attendance_sheet.html",
        "registry/pdf/selection_record.html",
        "reports/pdf/table.html",
    ],
)
def test_every_official_document_prints_the_one_shared_letterhead(name):
    assert '{% include "includes/pdf/_letterhead.html" %}' in (TEMPLATES / name).read_text()


def test_no_template_carries_its_own_copy_of_the_letterhead_or_the_letter_style():
    copies = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if not path.is_relative_to(SHARED)
        and ('class="kop"' in (text := path.read_text()) or ".kop " in text or "2.6pt solid" in text)
    ]
    assert copies == []


# The budget realisation report as a PDF ---------------------------------------------------------------------


@pytest.fixture
def letterhead_office(klungkung) -> Office:
    klungkung.address = "Jl. Gunung Semeru No. 1, Semarapura"
    klungkung.phone = "(0366) 000 2018"
    klungkung.email = "disperinaker@demo.tunas.local"
    klungkung.head_title = "Kepala Dinas Perindustrian dan Tenaga Kerja Kabupaten Klungkung"
    klungkung.head_name = "I Made Sudiarta, S.E."
    klungkung.head_nip = "196804121994031007"
    klungkung.save()
    return klungkung


@pytest.fixture
def realised(letterhead_office, program, officer):
    """Two lines: Rp 3.000.000 planned and Rp 1.000.001 spent (a cancelled entry left out); Rp 1.000.000
    planned and nothing spent."""
    line = make_line(program, planned=3_000_000)
    make_line(program, name="Konsumsi", planned=1_000_000, position=1)
    spend(program, line, 1_000_001, officer)
    ledger.spending_cancel(spending=spend(program, line, 5_000, officer), reason="Batal", by=officer)
    return program


def pdf_url(program) -> str:
    return reverse("reports:download", args=["budget_realisation", "pdf"]) + f"?program={program.code}"


def text_of(data: bytes) -> str:
    return " ".join(
        " ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages
    )


def test_the_budget_realisation_report_downloads_as_a_real_pdf(realised, officer):
    response = login(officer).get(pdf_url(realised))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 1


def test_the_budget_realisation_pdf_prints_rupiah_and_per_cent_the_indonesian_way(realised, officer):
    text = text_of(login(officer).get(pdf_url(realised)).content)
    assert "REALISASI ANGGARAN" in text
    assert "Peralatan usaha Rp 3.000.000 Rp 1.000.001 Rp 1.999.999 33,3%" in text
    assert "Konsumsi Rp 1.000.000 Rp 0 Rp 1.000.000 0,0%" in text
    assert "Total Rp 4.000.000 Rp 1.000.001 Rp 2.999.999 25,0%" in text
    # The fiscal year is a year, not a count; the cancelled Rp 5.000 is not spent.
    assert "2026" in text and "2.026" not in text and "1.005.001" not in text


def test_the_budget_realisation_pdf_has_the_office_letterhead_and_the_head_of_office_signing(
    realised, officer
):
    text = text_of(login(officer).get(pdf_url(realised)).content)
    head = text[: text.index("REALISASI ANGGARAN")]
    assert head.startswith(
        "PEMERINTAH KABUPATEN KLUNGKUNG DINAS PERINDUSTRIAN DAN TENAGA KERJA KABUPATEN KLUNGKUNG"
    )
    assert "Jl. Gunung Semeru No. 1, Semarapura" in head
    assert "Telepon (0366) 000 2018 · Pos-el disperinaker@demo.tunas.local" in head
    today = date_long(timezone.localdate(), "id")
    assert f"Dicetak pada {today}" in text
    assert f"Klungkung, {today} Kepala Dinas Perindustrian dan Tenaga Kerja Kabupaten Klungkung," in text
    assert "I Made Sudiarta, S.E. NIP. 19680412 199403 1 007" in text


def test_the_budget_realisation_pdf_names_the_programme_and_year_it_prints(realised, officer):
    url = pdf_url(realised) + "&year=2026"
    text = text_of(english(login(officer)).get(url).content)
    assert "BUDGET REALISATION Programme KLK-TST-2026 · Fiscal year 2026 · Printed on" in text


PDFTOTEXT = shutil.which("pdftotext")


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")
def test_pdftotext_reads_the_budget_realisation_rows_as_printed(realised, officer, tmp_path):
    pdf = tmp_path / "realisasi.pdf"
    pdf.write_bytes(login(officer).get(pdf_url(realised)).content)
    text = subprocess.run(  # noqa: S603 - poppler's pdftotext on a file this test wrote
        [str(PDFTOTEXT), "-layout", str(pdf), "-"], capture_output=True, check=True, text=True
    )
    rows = [" ".join(line.split()) for line in text.stdout.splitlines()]
    assert "KLK-TST-2026 2026 Peralatan usaha Rp 3.000.000 Rp 1.000.001 Rp 1.999.999 33,3%" in rows
    assert "KLK-TST-2026 2026 Total Rp 4.000.000 Rp 1.000.001 Rp 2.999.999 25,0%" in rows


def test_another_regency_prints_its_own_letterhead_and_none_of_klungkungs_lines(realised, outsider):
    text = text_of(login(outsider).get(pdf_url(realised)).content)
    assert text.startswith("PEMERINTAH KABUPATEN GIANYAR DINAS TENAGA KERJA KABUPATEN GIANYAR")
    assert "Peralatan usaha" not in text and "Rp 3.000.000" not in text


def test_the_budget_realisation_xlsx_keeps_the_year_a_plain_number(realised, officer):
    url = reverse("reports:download", args=["budget_realisation", "xlsx"]) + f"?program={realised.code}"
    ws = load_workbook(io.BytesIO(login(officer).get(url).content)).active
    assert (ws["B2"].value, ws["B2"].number_format) == (2026, "0")
