"""Two edits at once on SQLite wait for each other instead of failing with "database is locked".

A transaction that reads before it writes (a service's full_clean(), then save()) pins its snapshot on
the read; under the default deferred BEGIN, a second writer cannot upgrade it and SQLite answers
SQLITE_BUSY at once, whatever the busy timeout. ``BEGIN IMMEDIATE`` takes the write lock first, so the second
edit waits its turn. The test database of pytest-django is SQLite in memory (shared cache, where locks work
otherwise), so the two edits run against a file database in a fresh interpreter with the project's settings.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's locking only")

TWO_EDITS = textwrap.dedent(
    """
    import json, os, threading, time
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import OperationalError, connection, transaction

    call_command("migrate", verbosity=0)
    from tests.factories import ProgramFactory
    from tunas.programs.models import Program

    pk = ProgramFactory().pk
    start = threading.Barrier(2)
    errors = []

    def edit(name):
        try:
            start.wait()
            with transaction.atomic():
                # Read first, as a service does, then write after the other edit has read too.
                Program.objects.get(pk=pk)
                time.sleep(0.3)
                Program.objects.filter(pk=pk).update(name=name)
                time.sleep(0.1)
        except OperationalError as exc:
            errors.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(name,)) for name in ("first edit", "second edit")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({
        "errors": errors,
        "name": Program.objects.get(pk=pk).name,
        "options": connection.settings_dict["OPTIONS"],
    }))
    """
)


def test_two_edits_of_one_row_at_once_both_succeed_on_a_file_database(tmp_path):
    env = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'tunas.sqlite3'}",
        DEBUG="1",
    )
    result = subprocess.run(  # noqa: S603 - this interpreter and a fixed script, nothing from outside
        [sys.executable, "-c", TWO_EDITS],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["errors"] == [], outcome
    assert outcome["name"] in {"first edit", "second edit"}


def test_the_sqlite_settings_begin_immediate_and_wait_for_a_lock():
    # The same, as the settings of this test run carry it.
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    assert "journal_mode=WAL" in options["init_command"]
