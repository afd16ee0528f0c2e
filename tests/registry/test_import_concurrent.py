"""Two imports of the same rows at once: the loser gets a duplicate report, never an internal error."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tests.factories import GroupFactory, ProgramFactory
from tunas.registry import services
from tunas.registry.importing import import_participants
from tunas.registry.importing import importer as importer_module
from tunas.registry.models import Membership

from .helpers import person_data
from .test_import import participant, write_xlsx

pytestmark = pytest.mark.django_db


def test_rows_taken_between_the_check_and_the_write_come_back_as_duplicates(tmp_path, program, monkeypatch):
    GroupFactory(program=program, name="Lontar Besang", village_id="51.05.03.1008")
    rows = [participant(), participant()]
    path = write_xlsx(tmp_path / "peserta.xlsx", rows)
    original = importer_module.check_rows
    calls = []

    def check_then_someone_saves_the_first_row(program_, rows_, **kwargs):
        valid = original(program_, rows_, **kwargs)
        calls.append(len(rows_))
        if len(calls) == 1:  # the import's own check; the second call is its check after the refusal
            data = person_data(
                nik=rows[0]["NIK"], full_name=rows[0]["Nama"], birth_date=rows_[0].data.birth_date
            )
            services.member_register(group=GroupFactory(program=program_), data=data)
        return valid

    monkeypatch.setattr(importer_module, "check_rows", check_then_someone_saves_the_first_row)
    report = import_participants(program=program, source=path)
    assert report.created == 0
    assert [(e.row, e.code) for e in report.errors] == [(2, "duplicate_in_program")]
    assert Membership.objects.filter(program=program).count() == 1


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the in-memory SQLite test database locks whole tables across threads; a file database "
    "serialises writers instead (tests/core/test_concurrency_sqlite.py)",
)
@pytest.mark.django_db(transaction=True)
def test_two_parallel_imports_of_the_same_rows_give_one_import_and_one_duplicate_report(
    tmp_path, bali_regions, monkeypatch
):
    program = ProgramFactory(aid_date=None)
    GroupFactory(program=program, name="Lontar Besang", village_id="51.05.03.1008")
    path = write_xlsx(tmp_path / "peserta.xlsx", [participant(), participant()])
    original = importer_module.check_rows
    both_checked = threading.Barrier(2, timeout=30)
    seen = threading.local()

    def check_and_wait_for_the_other(*args, **kwargs):
        valid = original(*args, **kwargs)
        if not getattr(seen, "checked", False):  # both imports write only once both have checked
            seen.checked = True
            both_checked.wait()
        return valid

    monkeypatch.setattr(importer_module, "check_rows", check_and_wait_for_the_other)
    reports, failures = [], []

    def run():
        try:
            reports.append(import_participants(program=program, source=path))
        except Exception as exc:  # noqa: BLE001 - the test reports any failure of either import
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert failures == []
    assert sorted(r.created for r in reports) == [0, 2]
    loser = next(r for r in reports if r.created == 0)
    assert {e.code for e in loser.errors} == {"duplicate_in_program"}
    assert Membership.objects.filter(program=program).count() == 2
