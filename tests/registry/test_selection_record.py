"""The selection-result record (Berita Acara Hasil Seleksi) as an office signs it: the letterhead, a number
issued once from the office's pattern, the team and the head of office, the annex of who did not pass, a draft
while members wait, page numbers, always Indonesian. Every check reads the PDF's text back."""

from __future__ import annotations

import datetime as dt
import io
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.urls import reverse
from pypdf import PdfReader

from tests.conftest import login
from tests.factories import GroupFactory, OfficeFactory, ProgramFactory
from tunas.accounts.letterhead import office_government
from tunas.accounts.models import Office
from tunas.core.formatting import day_name
from tunas.programs import numbering
from tunas.programs.models import DocumentCounter, DocumentKind, DocumentNumber, TeamPosition
from tunas.registry import documents, services

from .helpers import english, group_with_members

pytestmark = pytest.mark.django_db

FRIDAY = dt.date(2018, 8, 31)
KIND = DocumentKind.SELECTION_RECORD


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page, with runs of spaces (justified lines) folded into one."""
    assert data.startswith(b"%PDF")
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages]


def record_pages(program, *, day=FRIDAY, user=None) -> list[str]:
    return pdf_pages(documents.selection_record_pdf(program=program, day=day, user=user))


def decided_programme(program, verifier, *, rejected_reason="Berstatus PNS menurut surat keterangan desa"):
    """One group verified with two approved members, one member rejected with a reason."""
    group, members = group_with_members(program, 3, name="Ngilur Bhuwana Sente")
    services.member_verify(membership=members[2], approve=False, reason=rejected_reason, by=verifier)
    for m in members[:2]:
        services.member_verify(membership=m, approve=True, reason="", by=verifier)
    services.group_verify(group=group, approve=True, reason="", by=verifier)
    return group, members


@pytest.fixture
def letterhead(klungkung) -> Office:
    klungkung.address = "Jl. Gunung Semeru No. 1, Semarapura"
    klungkung.phone = "(0366) 000 2018"
    klungkung.email = "disperinaker@demo.tunas.local"
    klungkung.website = "disperinaker.demo.tunas.local"
    klungkung.office_code = "DISPERINAKER"
    klungkung.head_title = "Kepala Dinas Perindustrian dan Tenaga Kerja Kabupaten Klungkung"
    klungkung.head_name = "I Made Sudiarta, S.E."
    klungkung.head_nip = "196804121994031007"
    klungkung.full_clean()
    klungkung.save()
    return klungkung


@pytest.fixture
def team(program):
    return numbering.verification_team_save(
        program=program,
        members=[
            numbering.TeamMemberData("I Wayan Sumerta, S.Sos.", "197503102000031004", TeamPosition.CHAIR),
            numbering.TeamMemberData("Ni Luh Sukerti", "198207142006042012", TeamPosition.SECRETARY),
            numbering.TeamMemberData("Ni Kadek Ayu Lestari", "", TeamPosition.MEMBER),
        ],
    )


# The letterhead ---------------------------------------------------------------------------------------------


def test_the_letterhead_has_the_government_the_office_in_capitals_its_address_and_contacts(
    letterhead, program, verifier
):
    decided_programme(program, verifier)
    first = record_pages(program)[0]
    head = first[: first.index("BERITA ACARA HASIL SELEKSI")]
    assert head.startswith("PEMERINTAH KABUPATEN KLUNGKUNG DINAS PERINDUSTRIAN DAN TENAGA KERJA")
    assert "KABUPATEN KLUNGKUNG" in head
    assert "Jl. Gunung Semeru No. 1, Semarapura" in head
    assert "Telepon (0366) 000 2018" in head
    assert "Pos-el disperinaker@demo.tunas.local" in head
    assert "Laman disperinaker.demo.tunas.local" in head


def test_the_government_line_comes_from_the_office_or_else_from_its_jurisdiction(klungkung, bali_province):
    assert office_government(klungkung) == "PEMERINTAH KABUPATEN KLUNGKUNG"
    denpasar = OfficeFactory(name="Dinas Tenaga Kerja Kota Denpasar", region_code="51.71")
    assert office_government(denpasar) == "PEMERINTAH KOTA DENPASAR"
    assert office_government(bali_province) == "PEMERINTAH PROVINSI BALI"
    ministry = OfficeFactory(name="Kementerian Ketenagakerjaan", level=Office.Level.NATIONAL, region_code="")
    assert office_government(ministry) == "KEMENTERIAN KETENAGAKERJAAN REPUBLIK INDONESIA"
    klungkung.government_name = "Pemerintah Kabupaten Klungkung Provinsi Bali"
    assert office_government(klungkung) == "PEMERINTAH KABUPATEN KLUNGKUNG PROVINSI BALI"


def test_the_uploaded_office_logo_is_printed_on_the_left(klungkung, program, verifier, settings, tmp_path):
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    png = io.BytesIO()
    Image.new("RGB", (60, 60), (200, 30, 30)).save(png, format="PNG")
    klungkung.logo.save("logo.png", ContentFile(png.getvalue()), save=True)
    decided_programme(program, verifier)
    data = documents.selection_record_pdf(program=program, day=FRIDAY)
    assert len(PdfReader(io.BytesIO(data)).pages[0].images) == 1
    assert 'src="data:image/png;base64,' in documents.selection_record_html(program=program, day=FRIDAY)


def test_without_a_logo_the_letterhead_has_no_image(klungkung, program, verifier):
    decided_programme(program, verifier)
    data = documents.selection_record_pdf(program=program, day=FRIDAY)
    assert len(PdfReader(io.BytesIO(data)).pages[0].images) == 0


# The number -------------------------------------------------------------------------------------------------


def test_a_decided_record_gets_its_number_from_the_office_pattern(letterhead, program, verifier):
    decided_programme(program, verifier)
    first = record_pages(program)[0]
    assert "Nomor: 001/BA-SELEKSI/DISPERINAKER/VIII/2018" in first
    number = DocumentNumber.objects.get(program=program, kind=KIND)
    assert (number.sequence, number.year, number.dated, number.office) == (1, 2018, FRIDAY, letterhead)


def test_the_office_code_defaults_to_the_first_word_of_the_short_name(klungkung, program, verifier):
    decided_programme(program, verifier)
    assert "Nomor: 001/BA-SELEKSI/DISPERINAKER/VIII/2018" in record_pages(program)[0]


def test_a_custom_pattern_may_name_the_programme(klungkung, program, verifier):
    klungkung.document_number_pattern = "{seq}/BAHS/{program}/{office_code}/{year}"
    klungkung.full_clean()
    klungkung.save()
    decided_programme(program, verifier)
    assert "Nomor: 001/BAHS/KLK-TST-2026/DISPERINAKER/2018" in record_pages(program)[0]


@pytest.mark.parametrize(
    "pattern", ["BA/{office_code}/{year}", "{seq}/{unknown}/{year}", "{seq:05d}/{year}", "{seq}/{year"]
)
def test_a_pattern_without_seq_or_with_unknown_placeholders_is_refused(klungkung, pattern):
    klungkung.document_number_pattern = pattern
    with pytest.raises(ValidationError) as caught:
        klungkung.full_clean()
    assert "document_number_pattern" in caught.value.error_dict


def test_printing_again_shows_the_same_number_and_the_date_it_was_issued_for(letterhead, program, verifier):
    decided_programme(program, verifier)
    first = record_pages(program)[0]
    again = record_pages(program, day=dt.date(2018, 9, 20))[0]
    assert "Nomor: 001/BA-SELEKSI/DISPERINAKER/VIII/2018" in again
    assert "Jumat, 31 Agustus 2018" in first and "Jumat, 31 Agustus 2018" in again
    assert DocumentNumber.objects.filter(program=program).count() == 1
    assert DocumentCounter.objects.get(office=letterhead, year=2018).last == 1


def test_numbers_run_per_office_and_year(klungkung, gianyar):
    programmes = [ProgramFactory(office=klungkung) for _ in range(3)] + [ProgramFactory(office=gianyar)]
    issued = [
        numbering.document_number_issue(program=programmes[0], kind=KIND, day=FRIDAY),
        numbering.document_number_issue(program=programmes[1], kind=KIND, day=dt.date(2018, 12, 3)),
        numbering.document_number_issue(program=programmes[2], kind=KIND, day=dt.date(2019, 1, 7)),
        numbering.document_number_issue(program=programmes[3], kind=KIND, day=FRIDAY),
    ]
    assert [n.number for n in issued] == [
        "001/BA-SELEKSI/DISPERINAKER/VIII/2018",
        "002/BA-SELEKSI/DISPERINAKER/XII/2018",
        "001/BA-SELEKSI/DISPERINAKER/I/2019",
        "001/BA-SELEKSI/DISNAKER/VIII/2018",
    ]


def test_the_demo_office_fields_and_team_print_on_the_demo_record():
    from django.core.management import call_command

    from tunas.programs.models import Program

    call_command("load_demo", stdout=io.StringIO())
    program = Program.objects.select_related("office").get(code="KLK-TKM-2018")
    pages = record_pages(program, day=dt.date(2026, 12, 1))
    first, last = pages[0], pages[-1]
    assert first.startswith("PEMERINTAH KABUPATEN KLUNGKUNG DINAS PERINDUSTRIAN DAN TENAGA KERJA")
    assert "Nomor: 001/BA-SELEKSI/DISPERINAKER/VIII/2018" in first
    assert "Jumat, 31 Agustus 2018" in first
    assert "I Wayan Sumerta, S.Sos. NIP. 19750310 200003 1 004" in last
    assert "I Made Sudiarta" in last and "NIP. 19680412 199403 1 007" in last
    assert "DRAF" not in " ".join(pages)


# The team and the head of office ----------------------------------------------------------------------------


def test_the_team_with_their_nips_and_roles_and_the_head_of_office_sign(letterhead, program, verifier, team):
    decided_programme(program, verifier)
    text = " ".join(record_pages(program))
    assert "Tim Verifikasi" in text
    assert "1. I Wayan Sumerta, S.Sos. NIP. 19750310 200003 1 004 Ketua" in text
    assert "2. Ni Luh Sukerti NIP. 19820714 200604 2 012 Sekretaris" in text
    assert "3. Ni Kadek Ayu Lestari Anggota" in text
    assert (
        "Mengetahui, Kepala Dinas Perindustrian dan Tenaga Kerja Kabupaten Klungkung, I Made Sudiarta, S.E. "
        "NIP. 19680412 199403 1 007"
    ) in text


def test_without_a_team_the_verifiers_who_decided_sign(program, verifier):
    decided_programme(program, verifier)
    text = " ".join(record_pages(program))
    assert f"1. {verifier.get_full_name()} Anggota" in text
    assert "Mengetahui, Kepala Dinas Perindustrian dan Tenaga Kerja Kabupaten Klungkung," in text


def test_the_closing_sentence_the_team_and_the_head_stay_on_one_page(letterhead, program, verifier, team):
    # Enough members that the closing block would otherwise break across two pages.
    group, members = group_with_members(program, 17, name="Lontar Besang")
    for m in members:
        services.member_verify(membership=m, approve=True, reason="", by=verifier)
    services.group_verify(group=group, approve=True, reason="", by=verifier)
    pages = record_pages(program)
    closing = [i for i, page in enumerate(pages) if "Demikian berita acara ini dibuat" in page]
    head = [i for i, page in enumerate(pages) if "NIP. 19680412 199403 1 007" in page]
    assert len(pages) > 1 and closing == head
    assert "Tim Verifikasi" in pages[closing[0]] and "I Wayan Sumerta" in pages[closing[0]]
    assert '<div class="closing">' in documents.selection_record_html(program=program, day=FRIDAY)


# The body and the annex -------------------------------------------------------------------------------------


def test_the_body_counts_who_passed_who_did_not_and_who_waits(program, verifier):
    decided_programme(program, verifier)
    GroupFactory(program=program, name="Kelompok Kosong")
    first = record_pages(program)[0]
    assert "Calon peserta yang diverifikasi : 3 orang dari 1 kelompok" in first
    assert "Lolos seleksi : 2 orang dalam 1 kelompok" in first
    assert "Tidak lolos seleksi : 1 orang (Lampiran)" in first
    assert "Masih menunggu verifikasi : nihil" in first
    assert "Kelompok Kosong" not in first


def test_the_annex_lists_who_did_not_pass_with_the_reason_for_an_officer(officer, program, verifier):
    group, members = decided_programme(program, verifier)
    rejected_group, [member] = group_with_members(program, 1, name="Tali Ijuk Pikat")
    services.member_verify(membership=member, approve=True, reason="", by=verifier)
    services.group_verify(group=rejected_group, approve=False, reason="Usaha belum berjalan", by=verifier)
    pages = record_pages(program, user=officer)
    annex = pages[-1]
    assert "Lampiran : Berita Acara Hasil Seleksi" in annex
    assert "Nomor : 001/BA-SELEKSI/DISPERINAKER/VIII/2018" in annex
    assert "PESERTA YANG TIDAK LOLOS SELEKSI" in annex
    assert members[2].person.full_name in annex and members[2].person.nik_masked in annex
    assert "Berstatus PNS menurut surat keterangan desa" in annex
    assert member.person.full_name in annex
    assert "Kelompok tidak lolos seleksi: Usaha belum berjalan" in annex
    assert members[2].person.nik not in " ".join(pages)
    # The body names the passed members only; the rejected one appears in the annex alone.
    assert all(members[2].person.full_name not in page for page in pages[:-1])
    assert "Tidak lolos seleksi : 2 orang (Lampiran)" in pages[0]


def test_a_reader_who_may_not_see_personal_data_gets_the_annex_without_reasons(viewer, program, verifier):
    decided_programme(program, verifier)
    for user in (viewer, None):
        annex = record_pages(program, user=user)[-1]
        assert "PESERTA YANG TIDAK LOLOS SELEKSI" in annex
        assert "Berstatus PNS" not in annex
        assert "Alasan penolakan tidak dicantumkan" in annex


def test_every_page_says_halaman_n_dari_total(program, verifier):
    decided_programme(program, verifier)
    pages = record_pages(program)
    assert len(pages) >= 2
    for i, page in enumerate(pages, start=1):
        assert f"Halaman {i} dari {len(pages)}" in page


# The draft --------------------------------------------------------------------------------------------------


def test_while_members_wait_the_record_is_a_draft_on_every_page_and_gets_no_number(program, verifier):
    decided_programme(program, verifier)
    group_with_members(program, 2, name="Jajan Sengguan")
    pages = record_pages(program)
    assert all("DRAF" in page for page in pages)
    assert "Sebanyak 2 calon peserta masih menunggu verifikasi" in pages[0]
    assert "Masih menunggu verifikasi : 2 orang" in pages[0]
    assert "Nomor: —" in pages[0]
    assert not DocumentNumber.objects.exists() and not DocumentCounter.objects.exists()


def test_members_approved_in_a_group_not_yet_decided_still_wait(program, verifier):
    group, members = group_with_members(program, 2)
    for m in members:
        services.member_verify(membership=m, approve=True, reason="", by=verifier)
    pages = record_pages(program)
    assert "DRAF" in pages[0] and "Sebanyak 2 calon peserta masih menunggu verifikasi" in pages[0]
    services.group_verify(group=group, approve=True, reason="", by=verifier)
    pages = record_pages(program)
    assert "DRAF" not in " ".join(pages) and "Nomor: 001/" in pages[0]


def test_an_empty_programme_prints_a_draft(program):
    first = record_pages(program)[0]
    assert "DRAF" in first and "Belum ada calon peserta yang terdaftar" in first
    assert not DocumentNumber.objects.exists()


# Always Indonesian ------------------------------------------------------------------------------------------


def test_the_record_is_indonesian_with_the_english_interface(officer, program, verifier):
    decided_programme(program, verifier)
    client = english(login(officer))
    assert "Programmes" in client.get(reverse("programs:list")).content.decode()  # the interface is English
    response = client.get(reverse("registry:selection_record_pdf", args=[program.code]) + "?date=2018-08-31")
    assert response.status_code == 200
    text = " ".join(pdf_pages(response.content))
    assert "BERITA ACARA HASIL SELEKSI" in text
    assert "Pada hari ini, Jumat, 31 Agustus 2018" in text
    assert "Klungkung, 31 Agustus 2018" in text
    assert "Kerajinan" in text and "Kelurahan Semarapura Kaja, Kecamatan Klungkung" in text
    assert "Halaman 1 dari" in text
    for english_word in ("Friday", "August", "Selection", "Crafts", "Page ", "Member", "Chair"):
        assert english_word not in text, english_word


def test_day_name_names_the_weekday_in_either_language():
    assert day_name(FRIDAY, "id") == "Jumat" and day_name(FRIDAY, "en") == "Friday"
    assert [day_name(dt.date(2018, 9, 2 + i), "id") for i in range(7)] == [
        "Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu",
    ]  # fmt: skip
    assert day_name(None) == ""


# Two prints at once -----------------------------------------------------------------------------------------


def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs two real connections with row locks; the SQLite test database lives in memory")


@pytest.mark.django_db(transaction=True)
def test_a_second_allocation_waits_for_the_first_and_gets_the_next_number():
    _postgresql_only()
    office = OfficeFactory()
    first_program, second_program = ProgramFactory(office=office), ProgramFactory(office=office)
    numbering.document_number_issue(program=ProgramFactory(office=office), kind=KIND, day=FRIDAY)
    first_holds_the_counter = threading.Event()
    let_first_commit = threading.Event()
    numbers: dict[str, str] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                numbers["first"] = numbering.document_number_issue(
                    program=first_program, kind=KIND, day=FRIDAY
                ).number
                first_holds_the_counter.set()
                let_first_commit.wait(10)
        finally:
            connection.close()

    def second() -> None:
        try:
            first_holds_the_counter.wait(10)
            numbers["second"] = numbering.document_number_issue(
                program=second_program, kind=KIND, day=FRIDAY
            ).number
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_holds_the_counter.wait(10)
    time.sleep(0.5)
    assert threads[1].is_alive()  # it waits on the locked counter row instead of reading a stale count
    let_first_commit.set()
    for thread in threads:
        thread.join(20)
    assert numbers == {
        "first": "002/BA-SELEKSI/DISPERINAKER/VIII/2018",
        "second": "003/BA-SELEKSI/DISPERINAKER/VIII/2018",
    }


@pytest.mark.django_db(transaction=True)
def test_many_prints_at_once_never_share_a_number_and_one_programme_keeps_one():
    _postgresql_only()
    office = OfficeFactory()
    programmes = [ProgramFactory(office=office) for _ in range(6)]
    # Each programme printed twice at the same moment, before any counter row exists.
    jobs = programmes + programmes
    start = threading.Barrier(len(jobs))
    results: list[tuple[int, str]] = []
    errors: list[BaseException] = []

    def issue(program) -> None:
        try:
            start.wait(10)
            number = numbering.document_number_issue(program=program, kind=KIND, day=FRIDAY)
            results.append((program.pk, number.number))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(p,)) for p in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    by_programme: dict[int, set[str]] = {}
    for pk, number in results:
        by_programme.setdefault(pk, set()).add(number)
    assert all(len(numbers) == 1 for numbers in by_programme.values())
    issued = sorted(n for numbers in by_programme.values() for n in numbers)
    assert issued == [f"{i:03d}/BA-SELEKSI/DISPERINAKER/VIII/2018" for i in range(1, 7)]
    assert DocumentCounter.objects.get(office=office, year=2018).last == 6


def test_the_record_asks_a_bounded_number_of_queries_whatever_the_size(
    program, verifier, team, django_assert_max_num_queries
):
    for i in range(4):
        group, members = group_with_members(program, 3, name=f"Kelompok {i}")
        services.member_verify(membership=members[0], approve=False, reason="Pindah domisili", by=verifier)
        for m in members[1:]:
            services.member_verify(membership=m, approve=True, reason="", by=verifier)
        services.group_verify(group=group, approve=True, reason="", by=verifier)
    documents.selection_record_context(program=program, day=FRIDAY)  # issues the number
    with django_assert_max_num_queries(10):
        html = documents.selection_record_html(program=program, day=FRIDAY)
    assert html.count("<h2>") == 4 and html.count("Pindah domisili") == 0  # no user: no reasons
