"""The downloadable participant template: its headers, text columns and drop-down lists."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.factories import GroupFactory, ProgramFactory
from tunas.registry.importing import HEADERS, import_participants, template_bytes
from tunas.registry.models import GroupStatus, Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def workbook(program):
    GroupFactory(program=program, name="Lontar Besang")
    GroupFactory(program=program, name="Jajan Bali Sengguan")
    GroupFactory(program=program, name="Bubar", status=GroupStatus.DISSOLVED)
    return load_workbook(io.BytesIO(template_bytes(program)))


def _list_of(workbook, header: str) -> list[str]:
    """The items a column's drop-down offers, read from the hidden list sheet its validation points to."""
    from openpyxl.utils import get_column_letter

    sheet = workbook.worksheets[0]
    letter = get_column_letter(HEADERS.index(header) + 1)
    for validation in sheet.data_validations.dataValidation:
        if any(str(r).startswith(f"{letter}2:") for r in validation.sqref.ranges):
            ref = validation.formula1
            sheet_name, cells = ref.rsplit("!", 1)
            lists = workbook[sheet_name.strip("'")]
            start, end = cells.replace("$", "").split(":")
            return [row[0].value for row in lists[start:end]]
    raise AssertionError(f"no drop-down on {header}")


def test_the_first_sheet_has_the_template_headers_in_order(workbook):
    assert [c.value for c in workbook.worksheets[0][1]] == list(HEADERS)
    assert HEADERS == (
        "NIK",
        "No KK",
        "Nama",
        "Jenis Kelamin",
        "Tempat Lahir",
        "Tanggal Lahir",
        "Alamat",
        "Kode Desa",
        "Banjar/Dusun",
        "No HP",
        "Kategori",
        "Disabilitas",
        "Pekerjaan",
        "Pendidikan",
        "Kelompok",
        "Peran",
    )


def test_nik_no_kk_and_phone_columns_are_formatted_as_text(workbook):
    columns = workbook.worksheets[0].column_dimensions
    assert (columns["A"].number_format, columns["B"].number_format, columns["J"].number_format) == ("@",) * 3


def test_the_list_sheet_is_hidden(workbook):
    assert [ws.sheet_state for ws in workbook.worksheets][1] == "hidden"


def test_sex_and_roles_offer_their_words(workbook):
    assert _list_of(workbook, "Jenis Kelamin") == ["L", "P"]
    assert _list_of(workbook, "Peran") == ["Ketua", "Sekretaris", "Bendahara", "Anggota"]


def test_groups_offer_the_programmes_open_groups(workbook):
    assert _list_of(workbook, "Kelompok") == ["Jajan Bali Sengguan", "Lontar Besang"]


def test_villages_offer_every_village_of_the_jurisdiction(workbook):
    villages = _list_of(workbook, "Kode Desa")
    assert len(villages) == 59
    assert "51.05.03.1008 Semarapura Kaja (Klungkung)" in villages
    assert all(v.startswith("51.05.") for v in villages)


def test_categories_offer_the_labels_the_programme_allows(klungkung):
    program = ProgramFactory(office=klungkung, allowed_categories=["lansia", "penganggur"])
    workbook = load_workbook(io.BytesIO(template_bytes(program)))
    assert _list_of(workbook, "Kategori") == ["Penganggur", "Lansia"]


def test_a_template_filled_from_its_own_lists_imports_cleanly(workbook, program, tmp_path):
    from tests.factories import make_nik

    sheet = workbook.worksheets[0]
    village = _list_of(workbook, "Kode Desa")[0]
    values = {
        "Nama": "Ni Luh Template",
        "Jenis Kelamin": "P",
        "Tempat Lahir": "Klungkung",
        "Tanggal Lahir": "17-05-1980",
        "Kode Desa": village,
        "Banjar/Dusun": "Banjar Besang",
        "No HP": "0812 3456 7890",
        "Kategori": "Penganggur",
        "Kelompok": "Lontar Besang",
        "Peran": "Ketua",
    }
    sheet.append([values.get(h) for h in HEADERS])
    sheet["A2"].value = make_nik(district=village[:8], sex="F")
    workbook.save(tmp_path / "isi.xlsx")
    report = import_participants(program=program, source=tmp_path / "isi.xlsx")
    assert (report.errors, report.created) == ([], 1)
    assert Membership.objects.get(program=program).person.full_name == "Ni Luh Template"


def test_every_header_carries_its_note_and_the_column_width_of_the_column_list(workbook):
    from tunas.registry.importing import COLUMNS

    sheet = workbook.worksheets[0]
    assert [cell.comment.text for cell in sheet[1]] == [str(c.note) for c in COLUMNS]
    from openpyxl.utils import get_column_letter

    assert [sheet.column_dimensions[get_column_letter(i + 1)].width for i in range(len(COLUMNS))] == [
        c.width for c in COLUMNS
    ]


# --- the problems workbook ----------------------------------------------------------------------------------


def _problem_file(tmp_path, n: int):
    """A CSV of ``n`` rows and one error on each, as the check reports them."""
    from tunas.registry.importing import HEADERS

    path = tmp_path / f"masalah-{n}.csv"
    lines = [";".join(HEADERS)] + [f"12345;;Peserta {i};L" for i in range(n)]
    path.write_text("\n".join(lines) + "\n")
    errors = [
        {"row": i + 2, "column": "NIK", "code": "nik_format", "message": "The NIK must be 16 digits."}
        for i in range(n)
    ]
    return path, errors


def _write_problems(path, errors) -> bytes:
    from tunas.registry.importing import problems_write

    buffer = io.BytesIO()
    problems_write(buffer, errors=errors, warnings=errors[:10], source=path)
    return buffer.getvalue()


def test_the_problems_workbook_reads_no_max_row_per_row(tmp_path, monkeypatch):
    from openpyxl.worksheet.worksheet import Worksheet

    reads = []
    original = Worksheet.max_row

    def counting(self):
        reads.append(1)
        return original.fget(self)

    monkeypatch.setattr(Worksheet, "max_row", property(counting))
    path, errors = _problem_file(tmp_path, 2000)
    content = _write_problems(path, errors)
    assert len(reads) < 10
    ws = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    assert sum(1 for _ in ws.iter_rows(min_row=2)) == 2000


def test_the_problems_workbook_grows_linearly_with_its_problems(tmp_path):
    import time

    def seconds(n: int) -> float:
        path, errors = _problem_file(tmp_path, n)
        started = time.perf_counter()
        _write_problems(path, errors)
        return time.perf_counter() - started

    seconds(200)  # warm up imports and caches
    small = min(seconds(2000) for _ in range(2))
    large = seconds(20_000)
    # Linear: ten times the problems take about ten times as long (quadratic was a hundred times).
    assert large / small < 20, (small, large)
