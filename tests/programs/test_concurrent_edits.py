"""Two people editing the same programme: the later save is refused instead of silently overwriting."""

from __future__ import annotations

import re
import threading
import time

import pytest
from django.db import connection, transaction
from django.urls import reverse

from tests.conftest import login
from tests.factories import OfficeFactory, ProgramFactory, UserFactory
from tunas.core.concurrency import save_versioned
from tunas.core.errors import ConflictError
from tunas.programs import services
from tunas.programs.models import BudgetLine, Program

from .helpers import edit_data, english, lines_data

pytestmark = pytest.mark.django_db

CONFLICT = "Someone else saved this record while you were editing."


def _version_in_form(html: str) -> str:
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match, "the edit form carries no version"
    return match.group(1)


def test_the_second_of_two_simultaneous_edits_gets_the_conflict_message(officer, admin_user, program):
    BudgetLine.objects.create(program=program, name="Bantuan", planned=50_000_000)
    url = reverse("programs:edit", args=[program.code])
    first, second = english(login(officer)), english(login(admin_user))
    # Both open the form before either saves.
    first_version = _version_in_form(first.get(url).content.decode())
    second_version = _version_in_form(second.get(url).content.decode())
    assert first_version == second_version == "1"

    data = edit_data(program, version=first_version, name="Versi operator", budget_total="120.000.000")
    assert first.post(url, data).status_code == 302

    data = edit_data(program, version=second_version, name="Versi admin", group_size_max="15")
    data.update(lines_data([("Bantuan admin", "10.000.000")], initial=1))
    response = second.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert CONFLICT in html
    # What the second editor typed stays in the form, to compare and enter again after reloading.
    assert 'value="Versi admin"' in html

    program.refresh_from_db()
    assert program.name == "Versi operator"
    assert program.budget_total == 120_000_000
    assert program.group_size_max == 20
    assert program.version == 2
    assert [line.name for line in program.budget_lines.all()] == ["Bantuan"]


def test_after_reloading_the_second_editor_can_save(officer, admin_user, program):
    url = reverse("programs:edit", args=[program.code])
    assert login(officer).post(url, edit_data(program, name="Pertama")).status_code == 302
    program.refresh_from_db()
    second = login(admin_user)
    version = _version_in_form(second.get(url).content.decode())
    assert version == "2"
    assert second.post(url, edit_data(program, name="Kedua", version=version)).status_code == 302
    program.refresh_from_db()
    assert (program.name, program.version) == ("Kedua", 3)


def test_an_edit_that_does_not_say_its_version_is_refused(officer, program):
    data = edit_data(program, name="Tanpa versi")
    del data["version"]
    response = english(login(officer)).post(reverse("programs:edit", args=[program.code]), data)
    assert response.status_code == 200
    assert CONFLICT in response.content.decode()
    program.refresh_from_db()
    assert program.name != "Tanpa versi"


def test_the_service_refuses_a_stale_version_and_writes_nothing(program):
    BudgetLine.objects.create(program=program, name="Asli", planned=1_000)
    Program.objects.filter(pk=program.pk).update(version=2)
    stale = Program.objects.get(pk=program.pk)
    stale.name = "Stale"
    with pytest.raises(ConflictError):
        services.program_save(program=stale, budget_lines=[("Baru", 5)], expected_version=1)
    program.refresh_from_db()
    assert program.name != "Stale"
    assert program.version == 2
    assert [line.name for line in program.budget_lines.all()] == ["Asli"]


def test_each_save_bumps_the_version_once(program):
    services.program_save(program=program, expected_version=1)
    services.program_save(program=program, expected_version=2)
    program.refresh_from_db()
    assert program.version == 3


def test_a_save_by_someone_else_makes_an_open_edit_form_stale(officer, klungkung, program):
    other = UserFactory(username="operator2", office=klungkung, roles=["officer"])
    url = reverse("programs:edit", args=[program.code])
    open_form = edit_data(program, name="Dari form lama")
    # Meanwhile another officer saves the programme (a new version).
    assert login(other).post(url, edit_data(program, name="Simpan duluan")).status_code == 302
    response = english(login(officer)).post(url, open_form)
    assert CONFLICT in response.content.decode()
    program.refresh_from_db()
    assert program.name == "Simpan duluan"


@pytest.mark.django_db(transaction=True)
def test_two_saves_racing_for_the_same_version_cannot_both_win():
    if connection.vendor != "postgresql":
        pytest.skip("needs two real connections with row locks; the SQLite test database lives in memory")
    program = ProgramFactory(office=OfficeFactory())
    first_holds_the_row = threading.Event()
    let_first_commit = threading.Event()
    outcome: dict[str, str] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                mine = Program.objects.get(pk=program.pk)
                mine.name = "First"
                save_versioned(mine, expected_version=1)
                first_holds_the_row.set()
                let_first_commit.wait(10)
        finally:
            connection.close()

    def second() -> None:
        try:
            first_holds_the_row.wait(10)
            mine = Program.objects.get(pk=program.pk)  # still version 1: the first has not committed
            mine.name = "Second"
            try:
                save_versioned(mine, expected_version=1)
                outcome["second"] = "saved"
            except ConflictError:
                outcome["second"] = "conflict"
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_holds_the_row.wait(10)
    time.sleep(0.5)
    # The second save waits on the first's uncommitted row instead of reading a stale version and writing.
    assert threads[1].is_alive()
    let_first_commit.set()
    for thread in threads:
        thread.join(20)

    assert outcome == {"second": "conflict"}
    program.refresh_from_db()
    assert (program.name, program.version) == ("First", 2)
