"""The participant import engine: every rule and code, the accepted formats, bulk writes and their bounds."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import translation
from openpyxl import Workbook

from tests.factories import GroupFactory, MembershipFactory, PersonFactory, ProgramFactory, make_nik
from tunas.core.errors import message_for
from tunas.regions.models import Hamlet
from tunas.registry.importing import HEADER_OF, HEADERS, ImportFileError, import_participants, parse_date
from tunas.registry.models import Group, GroupStatus, Membership, Person, Role, Verification

pytestmark = pytest.mark.django_db

_names = itertools.count(1)


def participant(**values) -> dict:
    """One valid row of the template for the test programme; keyword values replace columns by header."""
    birth = dt.date(1980, 5, 17)
    row = {
        "NIK": make_nik(birth=birth, sex="M"),
        "Nama": f"I Wayan Peserta {next(_names)}",
        "Jenis Kelamin": "L",
        "Tanggal Lahir": "17-05-1980",
        "Kode Desa": "5105031008",
        "Kategori": "Penganggur",
        "Kelompok": "Lontar Besang",
    }
    row.update({key.replace("_", " "): value for key, value in values.items()})
    return row


def write_xlsx(path, rows: list[dict], headers=HEADERS, *, title_rows: int = 0):
    """A spreadsheet as an office would fill it: values typed as text unless a test passes a number."""
    wb = Workbook()
    ws = wb.active
    for _ in range(title_rows):
        ws.append(["Daftar peserta"])
    ws.append(list(headers))
    for row in rows:
        ws.append([row.get(h) for h in headers])
    wb.save(path)
    return path


def run(tmp_path, program, rows, *, dry_run=False, **kwargs):
    path = write_xlsx(tmp_path / "peserta.xlsx", rows)
    return import_participants(program=program, source=path, dry_run=dry_run, **kwargs)


def finished_group(office, **fields) -> Group:
    """A group of a programme whose aid was handed over years ago: its members may register again."""
    programme = ProgramFactory(office=office, aid_date=dt.date(2018, 9, 4))
    return GroupFactory(program=programme, status=GroupStatus.GRADUATED, **fields)


def codes(problems, row=None) -> list[str]:
    return [p.code for p in problems if row is None or p.row == row]


@pytest.fixture
def group(program) -> Group:
    return GroupFactory(program=program, name="Lontar Besang", village_id="51.05.03.1008")


# --- the happy path -------------------------------------------------------------------------------------


def test_valid_rows_become_people_and_pending_memberships_with_history(tmp_path, program, group):
    rows = [participant(), participant(Peran="Ketua", No_HP="0812 3456 7890")]
    report = run(tmp_path, program, rows)
    assert (report.rows, report.valid, report.created, report.errors) == (2, 2, 2, [])
    members = Membership.objects.filter(program=program).select_related("person")
    assert {m.person.nik for m in members} == {r["NIK"] for r in rows}
    assert {m.verification for m in members} == {Verification.PENDING}
    chair = members.get(role=Role.CHAIR).person
    assert members.get(role=Role.CHAIR).phone == "+6281234567890"
    assert chair.owner_office == program.office
    assert chair.history.count() == 1
    assert members.get(role=Role.CHAIR).history.count() == 1
    assert chair.history.first().history_change_reason.endswith("peserta.xlsx")


def test_report_rows_are_spreadsheet_row_numbers_with_template_column_names(tmp_path, program, group):
    report = run(tmp_path, program, [participant(), participant(Kelompok="Tidak Ada")])
    assert report.as_json()["errors"] == [
        {"row": 3, "column": "Kelompok", "code": "group_unknown", "message": message_for("group_unknown")}
    ]


def test_header_order_is_free_and_case_insensitive_and_unknown_columns_are_ignored(tmp_path, program, group):
    row = participant()
    headers = [
        "kategori",
        "KELOMPOK",
        "Catatan",
        "nama",
        "nik",
        "jenis kelamin",
        "tanggal lahir",
        "kode desa",
    ]
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    ws.append(
        [row["Kategori"], row["Kelompok"], "bebas", row["Nama"], row["NIK"], "L", "17-05-1980", "5105031008"]
    )
    wb.save(tmp_path / "acak.xlsx")
    report = import_participants(program=program, source=tmp_path / "acak.xlsx")
    assert (report.valid, report.created) == (1, 1)


def test_empty_rows_are_skipped_and_not_counted(tmp_path, program, group):
    report = run(tmp_path, program, [participant(), {}, participant()])
    assert (report.rows, report.valid) == (2, 2)
    assert report.errors == []


# --- required values and file-level problems ----------------------------------------------------------------


@pytest.mark.parametrize("header", ["NIK", "Nama", "Jenis Kelamin", "Tanggal Lahir", "Kode Desa", "Kelompok"])
def test_each_required_value_missing_is_reported_as_required_in_its_column(tmp_path, program, group, header):
    report = run(tmp_path, program, [participant(**{header: None})])
    assert [(p.code, p.field) for p in report.errors] == [("required", header)]
    assert report.valid == report.created == 0


def test_a_file_without_a_required_column_cannot_be_read(tmp_path, program):
    headers = [h for h in HEADERS if h != "Kelompok"]
    path = write_xlsx(tmp_path / "kurang.xlsx", [participant()], headers=headers)
    with pytest.raises(ImportFileError, match="Kelompok"):
        import_participants(program=program, source=path)


def test_a_file_that_is_not_a_spreadsheet_cannot_be_read(tmp_path, program):
    path = tmp_path / "rusak.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(ImportFileError):
        import_participants(program=program, source=path)


def test_a_title_row_above_the_header_keeps_true_row_numbers(tmp_path, program, group):
    path = write_xlsx(tmp_path / "judul.xlsx", [participant(Kelompok="Tidak Ada")], title_rows=2)
    report = import_participants(program=program, source=path)
    assert [(p.row, p.code) for p in report.errors] == [(4, "group_unknown")]


def test_csv_with_semicolons_is_accepted(tmp_path, program, group):
    row = participant()
    text = ";".join(HEADERS) + "\n" + ";".join(str(row.get(h) or "") for h in HEADERS) + "\n"
    path = tmp_path / "peserta.csv"
    path.write_text(text, encoding="utf-8")
    report = import_participants(program=program, source=path)
    assert (report.rows, report.created) == (1, 1)


# --- NIK ------------------------------------------------------------------------------------------------


def _future_nik() -> str:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    return make_nik(birth=tomorrow) if tomorrow.year == dt.date.today().year else "5105030101990001"


@pytest.mark.parametrize(
    ("nik", "code"),
    [
        ("510503170580001", "nik_format"),
        ("5100031705800001", "nik_format"),
        ("9905031705800001", "nik_province"),
        ("5105031713800001", "nik_date"),
        ("5105031705800000", "nik_serial"),
    ],
)
def test_nik_structure_errors_carry_the_nik_codes(tmp_path, program, group, nik, code):
    report = run(tmp_path, program, [participant(NIK=nik)])
    assert code in codes(report.errors)
    assert {p.field for p in report.errors if p.code == code} == {"NIK"}
    assert report.created == 0


def test_nik_in_the_future_is_nik_future(tmp_path, program, group):
    nik = _future_nik()
    born = dt.date(2000 + int(nik[10:12]), int(nik[8:10]), int(nik[6:8]))
    report = run(tmp_path, program, [participant(NIK=nik, Tanggal_Lahir=born.strftime("%d-%m-%Y"))])
    assert "nik_future" in codes(report.errors)


def test_unknown_nik_region_is_only_a_warning(tmp_path, program, group):
    report = run(tmp_path, program, [participant(NIK=make_nik(district="51.05.99"))])
    assert report.errors == []
    assert codes(report.warnings) == ["nik_region_unknown"]
    assert report.created == 1


def test_nik_disagreeing_with_the_sex_is_nik_sex_mismatch_on_the_sex_column(tmp_path, program, group):
    nik = make_nik(birth=dt.date(1980, 5, 17), sex="F")
    report = run(tmp_path, program, [participant(NIK=nik, Jenis_Kelamin="L")])
    assert [(p.code, p.field) for p in report.errors] == [("nik_sex_mismatch", "Jenis Kelamin")]


def test_nik_disagreeing_with_the_birth_date_is_nik_birthdate_mismatch(tmp_path, program, group):
    report = run(tmp_path, program, [participant(Tanggal_Lahir="18-05-1980")])
    assert [(p.code, p.field) for p in report.errors] == [("nik_birthdate_mismatch", "Tanggal Lahir")]


def test_a_nik_in_a_number_cell_is_refused_with_the_format_as_text_hint(tmp_path, program, group):
    row = participant()
    row["NIK"] = int(row["NIK"])
    report = run(tmp_path, program, [row])
    assert [(p.code, p.message) for p in report.errors] == [("nik_format", message_for("nik_as_number"))]


def test_a_nik_in_scientific_notation_from_a_csv_gets_the_same_hint(tmp_path, program, group):
    report = run(tmp_path, program, [participant(NIK="5.10503E+15")])
    assert [(p.code, p.message) for p in report.errors] == [("nik_format", message_for("nik_as_number"))]


def test_a_family_card_number_of_the_wrong_length_is_refused(tmp_path, program, group):
    report = run(tmp_path, program, [participant(No_KK="51050312345")])
    assert [(p.code, p.field) for p in report.errors] == [("kk_format", "No KK")]


# --- values ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["31-02-1980", "kemarin", "17-05-80", "17 Mai 1980"])
def test_an_unreadable_birth_date_is_date_invalid(tmp_path, program, group, text):
    report = run(tmp_path, program, [participant(Tanggal_Lahir=text)])
    assert [(p.code, p.field) for p in report.errors] == [("date_invalid", "Tanggal Lahir")]


def test_an_unreadable_phone_is_phone_invalid(tmp_path, program, group):
    report = run(tmp_path, program, [participant(No_HP="12345")])
    assert [(p.code, p.field) for p in report.errors] == [("phone_invalid", "No HP")]


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("Jenis Kelamin", "X"),
        ("Kategori", "Pengusaha besar"),
        ("Disabilitas", "kuning"),
        ("Pendidikan", "Sekolah tinggi sekali"),
        ("Peran", "Raja"),
    ],
)
def test_a_value_outside_the_choices_is_value_invalid_naming_it(tmp_path, program, group, header, value):
    report = run(tmp_path, program, [participant(**{header: value})])
    assert [(p.code, p.field) for p in report.errors] == [("value_invalid", header)]
    assert value in report.errors[0].message


def test_a_text_longer_than_the_field_is_value_invalid(tmp_path, program, group):
    report = run(tmp_path, program, [participant(Nama="A" * 151)])
    assert [(p.code, p.field) for p in report.errors] == [("value_invalid", "Nama")]


def test_an_unknown_village_code_is_village_unknown(tmp_path, program, group):
    report = run(tmp_path, program, [participant(Kode_Desa="5105039999")])
    assert [(p.code, p.field) for p in report.errors] == [("village_unknown", "Kode Desa")]


def test_an_unknown_village_name_is_village_unknown(tmp_path, program, group):
    report = run(tmp_path, program, [participant(Kode_Desa="Desa Entah Berantah")])
    assert codes(report.errors) == ["village_unknown"]


def test_an_ambiguous_village_name_is_village_unknown_asking_for_the_code(tmp_path, bali_province):
    program = ProgramFactory(office=bali_province, code="BALI-TST-2026")
    GroupFactory(program=program, name="Lontar Besang", village_id="51.05.03.1008")
    with translation.override("en"):
        report = run(tmp_path, program, [participant(Kode_Desa="Wanagiri")])
        assert codes(report.errors) == ["village_unknown"]
        assert report.errors[0].message == (
            "More than one village in the jurisdiction has this name. Use the village code instead."
        )


def test_a_village_outside_the_jurisdiction_is_domicile_outside(tmp_path, program, group):
    report = run(tmp_path, program, [participant(Kode_Desa="51.04.01.2001")])
    assert [(p.code, p.field) for p in report.errors] == [("domicile_outside", "Kode Desa")]


def test_no_category_the_programme_allows_is_category_missing(tmp_path, klungkung):
    program = ProgramFactory(office=klungkung, allowed_categories=["lansia"])
    GroupFactory(program=program, name="Lontar Besang")
    report = run(tmp_path, program, [participant(Kategori="Penganggur")])
    assert [(p.code, p.field) for p in report.errors] == [("category_missing", "Kategori")]


def test_an_unknown_group_is_group_unknown(tmp_path, program, group):
    report = run(tmp_path, program, [participant(Kelompok="Keripik Ceker")])
    assert [(p.code, p.field) for p in report.errors] == [("group_unknown", "Kelompok")]


def test_a_group_past_forming_takes_no_new_members(tmp_path, program):
    GroupFactory(program=program, name="Lontar Besang", status=GroupStatus.TRAINED)
    report = run(tmp_path, program, [participant()])
    assert [(p.code, p.field) for p in report.errors] == [("value_invalid", "Kelompok")]


def test_a_second_chair_for_a_group_is_refused(tmp_path, program, group):
    report = run(tmp_path, program, [participant(Peran="Ketua"), participant(Peran="ketua")])
    assert [(p.row, p.code, p.field) for p in report.errors] == [(3, "value_invalid", "Peran")]


# --- programme rules (the one eligibility engine) --------------------------------------------------------


def test_groups_fill_in_sheet_order_and_rows_with_errors_take_no_place(tmp_path, klungkung):
    program = ProgramFactory(office=klungkung, group_size_max=2)
    GroupFactory(program=program, name="Lontar Besang")
    rows = [participant(), participant(Tanggal_Lahir="kemarin"), participant(), participant()]
    report = run(tmp_path, program, rows)
    assert [(p.row, p.code) for p in report.errors] == [(3, "date_invalid"), (5, "group_full")]
    assert report.created == 2


def test_a_group_already_full_in_the_database_is_group_full(tmp_path, klungkung):
    program = ProgramFactory(office=klungkung, group_size_max=1)
    group = GroupFactory(program=program, name="Lontar Besang")
    MembershipFactory(group=group)
    report = run(tmp_path, program, [participant()])
    assert codes(report.errors) == ["group_full"]


def test_the_same_nik_twice_in_the_file_is_duplicate_in_file_on_the_later_row(tmp_path, program, group):
    first = participant()
    report = run(tmp_path, program, [first, participant(), participant(NIK=first["NIK"])])
    assert [(p.row, p.code) for p in report.errors] == [(4, "duplicate_in_file")]
    assert "2" in report.errors[0].message
    assert report.created == 2


def test_a_person_already_in_the_programme_is_duplicate_in_program(tmp_path, program, group):
    person = PersonFactory()
    MembershipFactory(group=group, person=person)
    report = run(tmp_path, program, [participant(NIK=person.nik)])
    assert codes(report.errors) == ["duplicate_in_program"]


def test_aid_from_another_programme_within_the_look_back_is_recent_aid(tmp_path, program, group, klungkung):
    earlier = ProgramFactory(office=klungkung, code="KLK-LAMA-2026", aid_date=dt.date(2026, 6, 1))
    person = PersonFactory()
    MembershipFactory(
        group=GroupFactory(program=earlier, status=GroupStatus.VERIFIED),
        person=person,
        verification=Verification.APPROVED,
    )
    report = run(tmp_path, program, [participant(NIK=person.nik)])
    assert codes(report.errors) == ["recent_aid"]
    assert "KLK-LAMA-2026" in report.errors[0].message


def test_an_age_outside_the_programme_range_is_age_out_of_range(tmp_path, program, group):
    birth = dt.date(2015, 3, 2)
    report = run(tmp_path, program, [participant(NIK=make_nik(birth=birth), Tanggal_Lahir="02-03-2015")])
    assert [(p.code, p.field) for p in report.errors] == [("age_out_of_range", "Tanggal Lahir")]


def test_same_name_and_birth_date_under_another_nik_is_a_possible_duplicate_warning(tmp_path, program, group):
    PersonFactory(full_name="Ni Made Sari", birth_date=dt.date(1980, 5, 17))
    report = run(tmp_path, program, [participant(Nama="ni made  SARI")])
    assert report.errors == []
    assert codes(report.warnings) == ["possible_duplicate"]
    assert Membership.objects.get(program=program).warnings[0]["code"] == "possible_duplicate"


def test_two_rows_of_the_file_with_the_same_phone_warn_on_the_later_one(tmp_path, program, group):
    report = run(
        tmp_path, program, [participant(No_HP="081234567890"), participant(No_HP="+62 812-3456-7890")]
    )
    assert [(p.row, p.code) for p in report.warnings] == [(3, "possible_duplicate")]


# --- accepted formats -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17-08-1980", dt.date(1980, 8, 17)),
        ("17/08/1980", dt.date(1980, 8, 17)),
        ("1980-08-17", dt.date(1980, 8, 17)),
        ("4 September 1975", dt.date(1975, 9, 4)),
        ("7 Nov 1978", dt.date(1978, 11, 7)),
        ("17 Agustus 1980", dt.date(1980, 8, 17)),
        ("17 Agu 1980", dt.date(1980, 8, 17)),
        ("17 Agt 1980", dt.date(1980, 8, 17)),
        ("1 Okt 1990", dt.date(1990, 10, 1)),
        ("25 Des 1985", dt.date(1985, 12, 25)),
        ("2 Mei 1970", dt.date(1970, 5, 2)),
        ("2 may 1970", dt.date(1970, 5, 2)),
        ("9 OCTOBER 1969", dt.date(1969, 10, 9)),
        (dt.date(1980, 8, 17), dt.date(1980, 8, 17)),
        (dt.datetime(1980, 8, 17, 0, 0), dt.date(1980, 8, 17)),
    ],
)
def test_birth_dates_are_read_in_the_formats_offices_write(text, expected):
    assert parse_date(text) == expected


def test_a_real_date_cell_is_accepted(tmp_path, program, group):
    report = run(tmp_path, program, [participant(Tanggal_Lahir=dt.date(1980, 5, 17))])
    assert (report.errors, report.created) == ([], 1)


def test_nik_with_spaces_dots_or_dashes_is_accepted(tmp_path, program, group):
    niks = [make_nik() for _ in range(3)]
    spaced, dotted, dashed = niks
    typed = [
        f"{spaced[:6]} {spaced[6:12]} {spaced[12:]}",
        f"{dotted[:2]}.{dotted[2:4]}.{dotted[4:6]}.{dotted[6:]}",
        f"{dashed[:6]}-{dashed[6:12]}-{dashed[12:]}",
    ]
    report = run(tmp_path, program, [participant(NIK=t) for t in typed])
    assert (report.errors, report.created) == ([], 3)
    assert set(Person.objects.filter(nik__in=niks).values_list("nik", flat=True)) == set(niks)


@pytest.mark.parametrize("typed", ["L", "l", "Laki-laki", "LAKI-LAKI", "M", "m"])
def test_male_is_accepted_as_l_laki_laki_or_m_in_any_case(tmp_path, program, group, typed):
    report = run(tmp_path, program, [participant(Jenis_Kelamin=typed)])
    assert report.errors == []


@pytest.mark.parametrize("typed", ["P", "p", "Perempuan", "perempuan", "F", "f"])
def test_female_is_accepted_as_p_perempuan_or_f_in_any_case(tmp_path, program, group, typed):
    nik = make_nik(birth=dt.date(1980, 5, 17), sex="F")
    report = run(tmp_path, program, [participant(NIK=nik, Jenis_Kelamin=typed)])
    assert report.errors == []
    assert Person.objects.get(nik=nik).sex == "F"


@pytest.mark.parametrize(
    "typed",
    [
        "5105031008",
        "51.05.03.1008",
        "Semarapura Kaja",
        "semarapura kaja",
        "51.05.03.1008 Semarapura Kaja (Klungkung)",
        5105031008,
    ],
)
def test_the_village_is_accepted_as_code_with_or_without_dots_or_as_a_unique_name(
    tmp_path, program, group, typed
):
    row = participant(Kode_Desa=typed)
    report = run(tmp_path, program, [row])
    assert report.errors == []
    assert Membership.objects.get(person__nik=row["NIK"]).village_id == "51.05.03.1008"


def test_categories_by_key_or_label_in_any_case_separated_by_commas_or_semicolons(tmp_path, program, group):
    row = participant(Kategori="penganggur; KELUARGA MISKIN, Korban PHK;lansia, Person with disability")
    report = run(tmp_path, program, [row])
    assert report.errors == []
    assert Membership.objects.get(person__nik=row["NIK"]).categories == [
        "penganggur",
        "keluarga_miskin",
        "korban_phk",
        "lansia",
        "disabilitas",
    ]


@pytest.mark.parametrize("typed", ["08123456789", "628123456789", "+62 812-3456-789", "0812 3456 789"])
def test_phones_are_stored_as_plus_62(tmp_path, program, group, typed):
    row = participant(No_HP=typed)
    run(tmp_path, program, [row])
    assert Membership.objects.get(person__nik=row["NIK"]).phone == "+628123456789"


@pytest.mark.parametrize(
    ("typed", "role"),
    [
        ("KETUA", Role.CHAIR),
        ("sekretaris", Role.SECRETARY),
        ("Bendahara", Role.TREASURER),
        ("anggota", Role.MEMBER),
        (None, Role.MEMBER),
    ],
)
def test_roles_in_any_case_and_member_by_default(tmp_path, program, group, typed, role):
    row = participant(Peran=typed)
    run(tmp_path, program, [row])
    assert Membership.objects.get(person__nik=row["NIK"]).role == role


def test_disability_and_education_by_key_or_label(tmp_path, program, group):
    rows = [
        participant(Disabilitas="fisik", Pendidikan="SMA"),
        participant(Disabilitas="Sensory: visual", Pendidikan="Bachelor (S1)"),
        participant(Disabilitas=None, Pendidikan=None),
    ]
    report = run(tmp_path, program, rows)
    assert report.errors == []
    people = {m.person.nik: m for m in Membership.objects.filter(program=program).select_related("person")}
    assert [(people[r["NIK"]].disability, people[r["NIK"]].education) for r in rows] == [
        ("fisik", "sma"),
        ("sensorik_netra", "s1"),
        ("", ""),
    ]


# --- hamlets -----------------------------------------------------------------------------------------------


def test_a_known_hamlet_is_matched_with_or_without_its_kind_word(tmp_path, program, group):
    besang = Hamlet.objects.create(village_id="51.05.03.1008", name="Besang", kind="banjar")
    rows = [participant(**{"Banjar/Dusun": "Banjar Besang"}), participant(**{"Banjar/Dusun": "besang"})]
    report = run(tmp_path, program, rows)
    assert report.warnings == []
    assert set(Membership.objects.filter(program=program).values_list("hamlet", flat=True)) == {besang.pk}


def test_a_new_hamlet_is_added_on_import_with_a_hamlet_new_warning(tmp_path, program, group):
    rows = [participant(**{"Banjar/Dusun": "Br. Pande"}), participant(**{"Banjar/Dusun": "Banjar Pande"})]
    report = run(tmp_path, program, rows)
    assert [(p.row, p.code, p.field) for p in report.warnings] == [(2, "hamlet_new", "Banjar/Dusun")]
    hamlet = Hamlet.objects.get(village_id="51.05.03.1008", name="Pande")
    assert hamlet.kind == "banjar"
    assert Membership.objects.filter(hamlet=hamlet).count() == 2


def test_a_dry_run_announces_a_new_hamlet_but_does_not_add_it(tmp_path, program, group):
    report = run(tmp_path, program, [participant(**{"Banjar/Dusun": "Dusun Sente"})], dry_run=True)
    assert codes(report.warnings) == ["hamlet_new"]
    assert not Hamlet.objects.filter(name="Sente").exists()


# --- the audit trail ---------------------------------------------------------------------------------------


def _tracked(record, fields) -> dict:
    return {f.attname: getattr(record, f.attname) for f in fields}


def test_imported_people_and_memberships_get_the_history_rows_simple_history_writes(
    tmp_path, program, group, officer
):
    row = participant(No_HP="0812 1111 2222", Peran="Bendahara")
    run(tmp_path, program, [row], by=officer)
    person = Person.objects.get(nik=row["NIK"])
    membership = Membership.objects.get(person=person)
    for instance in (person, membership):
        record = instance.history.get()
        tracked = type(record).tracked_fields
        assert _tracked(record, tracked) == _tracked(instance, tracked)
        assert (record.history_type, record.history_user, record.history_change_reason) == (
            "+",
            officer,
            report_reason("peserta.xlsx"),
        )
        assert record.instance == instance


def report_reason(filename: str) -> str:
    return (
        Person.history.filter(history_change_reason__endswith=filename)
        .values_list("history_change_reason", flat=True)
        .first()
    )


def test_an_updated_person_gets_a_change_record_with_the_new_values(tmp_path, program, group, officer):
    person = PersonFactory(full_name="I Ketut Lama")
    run(tmp_path, program, [participant(NIK=person.nik, Nama="I Ketut Baru")], by=officer)
    person.refresh_from_db()
    record = person.history.filter(history_type="~").get()
    assert _tracked(record, type(record).tracked_fields) == _tracked(person, type(record).tracked_fields)
    assert record.history_user == officer
    assert record.prev_record.full_name == "I Ketut Lama"


def test_with_history_switched_off_no_history_rows_are_written(tmp_path, program, group, settings):
    settings.SIMPLE_HISTORY_ENABLED = False
    before = (Person.history.count(), Membership.history.count())
    report = run(tmp_path, program, [participant()])
    assert report.created == 1
    assert (Person.history.count(), Membership.history.count()) == before


# --- people known from another programme ------------------------------------------------------------------


def test_a_person_known_from_another_programme_of_this_office_is_reused_and_their_identity_corrected(
    tmp_path, program, group, klungkung
):
    person = PersonFactory(full_name="I Nyoman Lama", owner_office=klungkung)
    earlier = MembershipFactory(
        group=finished_group(klungkung),
        person=person,
        verification=Verification.APPROVED,
        phone="+628111111111",
        street="Jalan Lama 1",
    )
    row = participant(NIK=person.nik, Nama="I Nyoman Baru", No_HP="0812 9999 0000")
    report = run(tmp_path, program, [row])
    assert (report.errors, report.created) == ([], 1)
    person.refresh_from_db()
    assert person.full_name == "I Nyoman Baru"
    assert person.version == 2
    assert Person.objects.filter(nik=person.nik).count() == 1
    assert list(person.history.values_list("history_type", flat=True)) == ["~", "+"]
    new = Membership.objects.get(program=program, person=person)
    assert new.phone == "+6281299990000"
    earlier.refresh_from_db()
    assert (earlier.phone, earlier.street) == ("+628111111111", "Jalan Lama 1")


def test_the_new_registration_takes_every_declared_field_and_the_earlier_one_keeps_its_own(
    tmp_path, program, group, klungkung
):
    sente = Hamlet.objects.create(village_id="51.05.04.2010", name="Sente", kind="dusun")
    people = [PersonFactory(birth_date=dt.date(1975, 9, 4), owner_office=klungkung) for _ in range(3)]
    earlier = [
        MembershipFactory(
            group=finished_group(klungkung),
            person=person,
            verification=Verification.APPROVED,
            categories=["penganggur"],
        )
        for person in people
    ]
    rows = [
        participant(
            NIK=person.nik,
            Nama=f"Ni Ketut Baru {i}",
            Tanggal_Lahir="4 September 1975",
            Kode_Desa="51.05.04.2010",
            Kategori="Lansia; Purna PMI",
            Tempat_Lahir="Dawan",
            Pendidikan="SMP",
            No_KK=f"510504{i:010d}",
            Disabilitas="netra",
            **{"Banjar/Dusun": "Dusun Sente"},
        )
        for i, person in enumerate(people)
    ]
    report = run(tmp_path, program, rows)
    assert (report.errors, report.created) == ([], 3)
    for i, person in enumerate(people):
        person.refresh_from_db()
        assert (person.full_name, person.name_key) == (f"Ni Ketut Baru {i}", f"ni ketut baru {i}")
        assert (person.birth_place, person.birth_date) == ("Dawan", dt.date(1975, 9, 4))
        m = Membership.objects.get(program=program, person=person)
        assert (m.village_id, m.hamlet_id) == ("51.05.04.2010", sente.pk)
        assert m.categories == ["lansia", "purna_pmi"]
        assert (m.education, m.kk, m.disability) == ("smp", f"510504{i:010d}", "sensorik_netra")
        assert (person.history.first().history_type, person.history.first().full_name) == (
            "~",
            person.full_name,
        )
        earlier[i].refresh_from_db()
        assert (earlier[i].village_id, earlier[i].categories) == ("51.05.03.1008", ["penganggur"])


def test_a_nik_of_another_offices_person_under_another_name_is_refused_and_changes_nothing(
    tmp_path, program, group, gianyar
):
    person = PersonFactory(full_name="Ni Wayan Gianyar", owner_office=gianyar)
    MembershipFactory(
        group=finished_group(gianyar, village_id="51.04.01.2001"),
        person=person,
        verification=Verification.APPROVED,
        village_id="51.04.01.2001",
    )
    report = run(tmp_path, program, [participant(NIK=person.nik, Nama="Ni Wayan Klungkung")])
    assert [(e.code, e.field) for e in report.errors] == [("identity_mismatch", HEADER_OF["full_name"])]
    assert "Ni Wayan Gianyar" not in report.errors[0].message
    person.refresh_from_db()
    assert (person.full_name, person.version) == ("Ni Wayan Gianyar", 1)
    assert not Membership.objects.filter(program=program).exists()


def test_a_reused_person_whose_data_did_not_change_gets_no_new_history(tmp_path, program, group):
    person = PersonFactory(full_name="I Made Sama", birth_date=dt.date(1980, 5, 17))
    before = person.history.count()
    run(tmp_path, program, [participant(NIK=person.nik, Nama="I Made Sama")])
    assert person.history.count() == before


def test_the_same_name_with_another_birth_date_is_no_possible_duplicate(tmp_path, program, group):
    PersonFactory(full_name="Ni Made Sari", birth_date=dt.date(1981, 5, 17))
    report = run(tmp_path, program, [participant(Nama="Ni Made Sari")])
    assert report.warnings == []


# --- transactions, dry runs and bounds ---------------------------------------------------------------------


def _counts():
    return (
        Person.objects.count(),
        Membership.objects.count(),
        Hamlet.objects.count(),
        Person.history.count(),
        Membership.history.count(),
    )


def test_a_dry_run_writes_nothing(tmp_path, program, group):
    before = _counts()
    report = run(
        tmp_path, program, [participant(**{"Banjar/Dusun": "Banjar Baru"}) for _ in range(5)], dry_run=True
    )
    assert (report.rows, report.valid, report.created) == (5, 5, 0)
    assert _counts() == before


def test_a_failure_midway_leaves_nothing_written(tmp_path, program, group):
    GroupFactory(program=program, name="Jajan Bali")
    before = _counts()

    def stop_after_first_batch(done, total, phase):
        if phase == "saving":
            raise RuntimeError("the server went down")

    rows = [
        participant(Kelompok="Jajan Bali" if i % 2 else "Lontar Besang", **{"Banjar/Dusun": "Banjar Anyar"})
        for i in range(12)
    ]
    with pytest.raises(RuntimeError):
        run(tmp_path, program, rows, batch_size=5, progress=stop_after_first_batch)
    assert _counts() == before


def test_rows_with_errors_are_skipped_and_the_valid_ones_committed(tmp_path, program, group):
    rows = [participant(), participant(NIK="123"), participant()]
    report = run(tmp_path, program, rows)
    assert (report.rows, report.valid, report.created) == (3, 2, 2)
    assert not Person.objects.filter(nik="123").exists()


def test_the_import_issues_at_most_one_query_per_50_rows(tmp_path, klungkung, django_assert_max_num_queries):
    program = ProgramFactory(office=klungkung, group_size_max=20)
    for i in range(100):
        GroupFactory(program=program, name=f"Kelompok {i}")
    known = PersonFactory.create_batch(20)
    Hamlet.objects.create(village_id="51.05.03.1008", name="Besang", kind="banjar")
    rows = []
    for i in range(2000):
        row = participant(
            Kelompok=f"Kelompok {i // 20}",
            No_HP=f"0812{i:08d}",
            Kategori="Penganggur, Lansia",
            **{"Banjar/Dusun": "Besang" if i % 3 else f"Banjar Baru {i % 7}"},
        )
        if i < len(known):
            row["NIK"] = known[i].nik
        if i % 25 == 0:
            row["Tanggal Lahir"] = "bukan tanggal"
        rows.append(row)
    path = write_xlsx(tmp_path / "besar.xlsx", rows)
    with django_assert_max_num_queries(len(rows) // 50):
        report = import_participants(program=program, source=path)
    assert report.rows == 2000
    assert report.created == 2000 - 80
    assert Person.history.filter(history_type="+").count() >= 1900
