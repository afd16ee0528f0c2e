"""Sheets as offices make them: numbers typed every way, header words offices use, a combined place and
date of birth, dates with a midnight time, and the signature block under the list."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import GroupFactory
from tunas.core.nik import normalize_nik
from tunas.registry.importing import HEADER_OF, import_participants
from tunas.registry.models import Membership

from .test_import import participant, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(program):
    return GroupFactory(program=program, name="Lontar Besang", village_id="51.05.03.1008")


def run(tmp_path, program, rows, headers=None):
    path = write_xlsx(tmp_path / "peserta.xlsx", rows, **({"headers": headers} if headers else {}))
    return import_participants(program=program, source=path)


@pytest.mark.parametrize(
    "typed",
    [
        "'{nik}",
        "\u2019{nik}",
        "{a}\u00a0{b}",
        "{a}\u2013{b}",
        "{a}\u2014{b}",
        "{a}\u200b{b}",
    ],
)
def test_a_nik_typed_with_apostrophes_odd_spaces_or_dashes_is_read(tmp_path, program, group, typed):
    row = participant()
    nik = row["NIK"]
    row["NIK"] = typed.format(nik=nik, a=nik[:6], b=nik[6:])
    report = run(tmp_path, program, [row])
    assert report.errors == []
    assert Membership.objects.get(program=program).person.nik == nik


def test_full_width_and_arabic_indic_digits_are_digits():
    assert normalize_nik("５１０５０３１７０５８００００１") == "5105031705800001"
    assert normalize_nik("٥١٠٥٠٣١٧٠٥٨٠٠٠٠١") == "5105031705800001"


@pytest.mark.parametrize(
    ("typed", "found"),
    [("510503170580001", "has 15 digits"), ("51050317058O0001", "contains a letter")],
)
def test_a_wrong_nik_says_what_was_found(tmp_path, program, group, typed, found):
    with_english = participant(NIK=typed)
    from django.utils import translation

    with translation.override("en"):
        report = run(tmp_path, program, [with_english])
    [error] = report.errors
    assert error.code == "nik_format"
    assert found in error.message


def test_a_wrong_kk_has_its_own_code(tmp_path, program, group):
    report = run(tmp_path, program, [participant(**{"No KK": "5105030101"})])
    assert [(e.code, e.field) for e in report.errors] == [("kk_format", HEADER_OF["kk"])]


@pytest.mark.parametrize("typed", ["51 05 03 1008", "51-05-03-1008"])
def test_village_codes_with_spaces_or_dashes_are_read(tmp_path, program, group, typed):
    report = run(tmp_path, program, [participant(Kode_Desa=typed)])
    assert report.errors == []
    assert Membership.objects.get(program=program).village_id == "51.05.03.1008"


def test_the_header_words_offices_use_are_read(tmp_path, program, group):
    office_headers = {
        "NIK": "No. NIK",
        "Nama": "Nama Lengkap",
        "Jenis Kelamin": "L/P",
        "Tanggal Lahir": "Tgl Lahir",
        "Kode Desa": "DESA/KEL",
        "No HP": "HP/WA",
        "No KK": "No. KK",
    }
    row = participant(**{"No KK": "5105030101100001", "No HP": "0812 3456 7890"})
    renamed = {office_headers.get(k, k): v for k, v in row.items()}
    headers = [
        office_headers.get(h, h)
        for h in [
            "NIK",
            "No KK",
            "Nama",
            "Jenis Kelamin",
            "Tanggal Lahir",
            "Kode Desa",
            "No HP",
            "Kategori",
            "Kelompok",
        ]
    ]
    report = run(tmp_path, program, [renamed], headers=headers)
    assert report.errors == []
    m = Membership.objects.get(program=program)
    assert (m.kk, m.phone) == ("5105030101100001", "+6281234567890")


def test_jk_is_read_as_the_sex_column(tmp_path, program, group):
    row = participant()
    headers = ["NIK", "Nama", "JK", "Tanggal Lahir", "Kode Desa", "Kategori", "Kelompok"]
    row["JK"] = row.pop("Jenis Kelamin")
    assert run(tmp_path, program, [row], headers=headers).errors == []


def test_a_combined_place_and_date_of_birth_is_split(tmp_path, program, group):
    row = participant()
    row.pop("Tanggal Lahir")
    row["Tempat, Tanggal Lahir"] = "Klungkung, 17-05-1980"
    headers = ["NIK", "Nama", "Jenis Kelamin", "Tempat, Tanggal Lahir", "Kode Desa", "Kategori", "Kelompok"]
    report = run(tmp_path, program, [row], headers=headers)
    assert report.errors == []
    person = Membership.objects.get(program=program).person
    assert (person.birth_place, person.birth_date) == ("Klungkung", dt.date(1980, 5, 17))


@pytest.mark.parametrize("typed", ["17-05-1980 00:00:00", "1980-05-17 00:00:00"])
def test_a_date_with_a_midnight_time_is_a_date(tmp_path, program, group, typed):
    assert run(tmp_path, program, [participant(Tanggal_Lahir=typed)]).errors == []


def test_the_signature_block_under_the_list_is_ignored_and_shown(tmp_path, program, group):
    rows = [
        participant(),
        participant(),
        {"Nama": "Semarapura, 10 November 2026"},
        {"Nama": "Kepala Dinas"},
        {},
        {"Nama": "I Made Kepala", "Kelompok": "NIP. 19700101 199003 1 001"},
    ]
    report = run(tmp_path, program, rows)
    assert (report.rows, report.created, report.errors) == (2, 2, [])
    assert [line["text"] for line in report.ignored] == [
        "Semarapura, 10 November 2026",
        "Kepala Dinas",
        "I Made Kepala · NIP. 19700101 199003 1 001",
    ]
    assert report.ignored[0]["row"] == 4
    assert set(report.as_json()) == {"rows", "valid", "created", "errors", "warnings"}


def test_a_participant_row_without_a_nik_is_still_an_error_not_ignored(tmp_path, program, group):
    rows = [participant(), participant(NIK=None)]
    report = run(tmp_path, program, rows)
    assert [e.code for e in report.errors] == ["required"]
    assert report.ignored == []


def test_an_empty_category_cell_is_category_missing_as_in_the_form(tmp_path, program, group):
    report = run(tmp_path, program, [participant(Kategori=None)])
    assert [(e.code, e.field) for e in report.errors] == [("category_missing", HEADER_OF["categories"])]


@pytest.mark.parametrize(
    ("typed", "code"),
    [("PNS", "employment_excluded"), ("Polri", "employment_excluded"), ("Buruh harian", None)],
)
def test_the_work_column_refuses_civil_servants_soldiers_police_and_formal_employees(
    tmp_path, program, group, typed, code
):
    report = run(tmp_path, program, [participant(Pekerjaan=typed)])
    assert [e.code for e in report.errors] == ([code] if code else [])
