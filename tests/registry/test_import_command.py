"""``manage.py import_participants``: the JSON report, dry runs and exit codes."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError

from tests.factories import GroupFactory
from tests.registry.test_import import participant, write_xlsx
from tunas.registry.models import Membership, Person


@pytest.fixture
def group(program):
    return GroupFactory(program=program, name="Lontar Besang", village_id="51.05.03.1008")


def command(*args) -> dict:
    out = io.StringIO()
    call_command("import_participants", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_json_report_has_rows_valid_created_errors_and_warnings(tmp_path, program, group):
    path = write_xlsx(tmp_path / "p.xlsx", [participant(), participant(Kelompok="Entah"), participant()])
    report = command(str(path), "--program", program.code, "--json")
    assert set(report) == {"rows", "valid", "created", "errors", "warnings"}
    assert (report["rows"], report["valid"], report["created"]) == (3, 2, 2)
    assert report["errors"] == [
        {"row": 3, "column": "Kelompok", "code": "group_unknown", "message": report["errors"][0]["message"]}
    ]
    assert Membership.objects.filter(program=program).count() == 2


@pytest.mark.django_db
def test_dry_run_reports_the_same_rows_and_creates_nothing(tmp_path, program, group):
    path = write_xlsx(tmp_path / "p.xlsx", [participant(), participant()])
    report = command(str(path), "--program", program.code, "--dry-run", "--json")
    assert (report["rows"], report["valid"], report["created"]) == (2, 2, 0)
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_an_unreadable_file_is_refused_with_exit_code_2(tmp_path, program):
    path = tmp_path / "rusak.xlsx"
    path.write_bytes(b"this is no spreadsheet")
    with pytest.raises(CommandError) as caught:
        call_command("import_participants", str(path), "--program", program.code, "--json")
    assert caught.value.returncode == 2
    assert str(caught.value)


@pytest.mark.django_db
def test_a_missing_file_is_refused_with_exit_code_2(tmp_path, program):
    with pytest.raises(CommandError) as caught:
        call_command("import_participants", str(tmp_path / "tidak-ada.xlsx"), "--program", program.code)
    assert caught.value.returncode == 2


@pytest.mark.django_db
def test_an_unknown_programme_is_refused(tmp_path, group):
    path = write_xlsx(tmp_path / "p.xlsx", [participant()])
    with pytest.raises(CommandError, match="NOPE"):
        call_command("import_participants", str(path), "--program", "NOPE")


@pytest.mark.django_db
def test_the_text_report_names_row_column_and_code(tmp_path, program, group):
    path = write_xlsx(tmp_path / "p.xlsx", [participant(No_HP="123")])
    out = io.StringIO()
    call_command("import_participants", str(path), "--program", program.code, stdout=out)
    assert "phone_invalid" in out.getvalue() and "No HP" in out.getvalue()


def test_manage_py_exits_2_with_a_message_for_an_unreadable_file(tmp_path, capsys):
    path = tmp_path / "rusak.xlsx"
    path.write_bytes(b"this is no spreadsheet")
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(
            ["manage.py", "import_participants", str(path), "--program", "X", "--json"]
        ).execute()
    assert exited.value.code == 2
    assert "CommandError" in capsys.readouterr().err
