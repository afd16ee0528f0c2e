"""Import jobs: private uploads and their retention, bounded reports, and jobs whose worker stopped."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.http import HttpResponse
from django.urls import include, path, re_path, reverse
from django.utils import timezone, translation
from django.views.static import serve
from openpyxl import load_workbook

from tests.conftest import login
from tests.factories import GroupFactory
from tests.registry.test_import import participant, write_xlsx
from tunas.accounts.roles import Role
from tunas.registry.importing import (
    HEADERS,
    import_job_claim,
    import_job_create,
    import_job_retry,
    import_jobs_recover,
)
from tunas.registry.models import ImportJob, Membership
from tunas.registry.tasks import import_job_run

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _media(request, path: str) -> HttpResponse:
    """What runserver with DEBUG=1 serves at MEDIA_URL (config/urls.py), read at request time."""
    return serve(request, path, document_root=django_settings.MEDIA_ROOT)


# The project's URLs with the media URL DEBUG adds, for the tests that ask for an upload by its path.
urlpatterns = [
    path("", include("config.urls")),
    re_path(r"^media/(?P<path>.*)$", _media),
]


@pytest.fixture(autouse=True)
def _files_and_tasks(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def group(program):
    return GroupFactory(program=program, name="Lontar Besang", village_id="51.05.03.1008")


def _upload(client, program, rows, tmp_path, name="peserta.xlsx"):
    sheet = write_xlsx(tmp_path / name, rows)
    file = SimpleUploadedFile(name, sheet.read_bytes(), content_type=XLSX)
    return client.post(reverse("registry:import_upload", args=[program.code]), {"file": file})


def _job_with_file(program, officer, tmp_path, rows=None, name="peserta.xlsx", **fields):
    sheet = write_xlsx(tmp_path / name, rows or [participant()])
    job = import_job_create(
        program=program,
        upload=SimpleUploadedFile(name, sheet.read_bytes()),
        by=officer,
        rows=len(rows or [1]),
    )
    if fields:
        ImportJob.objects.filter(pk=job.pk).update(**fields)
        job.refresh_from_db()
    return job


def _english(client):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# --- 3. uploads are private ---------------------------------------------------------------------------------


def test_an_upload_is_stored_outside_media_root_under_a_random_name(as_officer, program, group, tmp_path):
    _upload(as_officer, program, [participant(), participant(NIK="1")], tmp_path, name="peserta-NIK.xlsx")
    job = ImportJob.objects.get(program=program)
    stored = Path(job.file.path).resolve()
    assert stored.is_file()
    assert stored.is_relative_to(Path(django_settings.PRIVATE_MEDIA_ROOT).resolve())
    assert not stored.is_relative_to(Path(django_settings.MEDIA_ROOT).resolve())
    assert re.fullmatch(r"imports/\d{4}/\d{2}/[0-9a-f]{32}\.xlsx", job.file.name), job.file.name
    assert job.original_name == "peserta-NIK.xlsx"
    problems = Path(job.problems_file.path).resolve()
    assert problems.is_relative_to(Path(django_settings.PRIVATE_MEDIA_ROOT).resolve())
    assert not any(Path(django_settings.MEDIA_ROOT).rglob("*.xlsx"))
    with pytest.raises(ValueError):
        job.file.url  # noqa: B018 - a private file has no URL to hand out


@pytest.mark.urls("tests.registry.test_import_jobs")
def test_nobody_gets_an_upload_by_its_stored_path(client, as_outsider, as_officer, program, group, tmp_path):
    _upload(as_officer, program, [participant(), participant(NIK="1")], tmp_path)
    job = ImportJob.objects.get(program=program)
    assert job.file.name and job.problems_file.name
    for name in (job.file.name, job.problems_file.name):
        url = f"{django_settings.MEDIA_URL}{name}"
        assert client.get(url).status_code == 404, url
        assert as_outsider.get(url).status_code == 404, url
        assert as_officer.get(url).status_code == 404, url


def test_the_problems_file_is_served_only_to_the_programmes_office(
    client, as_outsider, as_officer, viewer, program, group, tmp_path
):
    _upload(as_officer, program, [participant(NIK="12345")], tmp_path)
    job = ImportJob.objects.get(program=program)
    url = reverse("registry:import_problems", args=[program.code, job.pk])
    assert as_officer.get(url).status_code == 200
    assert as_outsider.get(url).status_code == 404
    assert login(viewer).get(url).status_code == 403
    assert client.get(url).status_code == 302  # to the sign-in page


def _finished(program, officer, tmp_path, status, *, hours_ago, name):
    job = _job_with_file(program, officer, tmp_path, name=name)
    job.problems_file.save("p.xlsx", io.BytesIO(b"problems"), save=True)
    when = timezone.now() - dt.timedelta(hours=hours_ago)
    ImportJob.objects.filter(pk=job.pk).update(status=status, finished_at=when, updated_at=when)
    job.refresh_from_db()
    return job, Path(job.file.path), Path(job.problems_file.path)


def test_purge_uploads_deletes_old_finished_uploads_and_keeps_running_and_recent_ones(
    program, officer, tmp_path
):
    Status = ImportJob.Status
    done_old = _finished(program, officer, tmp_path, Status.DONE, hours_ago=25, name="a.xlsx")
    failed_old = _finished(program, officer, tmp_path, Status.FAILED, hours_ago=30, name="b.xlsx")
    done_recent = _finished(program, officer, tmp_path, Status.DONE, hours_ago=2, name="c.xlsx")
    running = _finished(program, officer, tmp_path, Status.RUNNING, hours_ago=0, name="d.xlsx")
    previewed = _finished(program, officer, tmp_path, Status.PREVIEWED, hours_ago=48, name="e.xlsx")
    out = io.StringIO()
    call_command("purge_uploads", stdout=out)
    for job, upload, problems in (done_old, failed_old):
        job.refresh_from_db()
        assert (job.file.name, job.problems_file.name) == ("", "")
        assert not upload.exists() and not problems.exists()
    for job, upload, problems in (done_recent, running, previewed):
        job.refresh_from_db()
        assert job.file and job.problems_file
        assert upload.exists() and problems.exists()
    assert "2 job(s) purged" in out.getvalue()


def test_the_retention_is_a_setting(program, officer, tmp_path, settings):
    settings.IMPORT_UPLOAD_RETENTION_HOURS = 1
    job, upload, _problems = _finished(
        program, officer, tmp_path, ImportJob.Status.DONE, hours_ago=2, name="a.xlsx"
    )
    call_command("purge_uploads", stdout=io.StringIO())
    assert not upload.exists()


def test_a_purged_job_shows_its_result_without_a_download(as_officer, program, officer, tmp_path):
    job, _upload_path, _problems = _finished(
        program, officer, tmp_path, ImportJob.Status.DONE, hours_ago=25, name="a.xlsx"
    )
    ImportJob.objects.filter(pk=job.pk).update(
        report={"rows": 2, "valid": 1, "created": 1, "errors": [{"row": 3}], "warnings": []}
    )
    call_command("purge_uploads", stdout=io.StringIO())
    page = as_officer.get(reverse("registry:import_result", args=[program.code, job.pk]))
    assert page.status_code == 200
    assert reverse("registry:import_problems", args=[program.code, job.pk]) not in page.content.decode()
    assert as_officer.get(reverse("registry:import_problems", args=[program.code, job.pk])).status_code == 404


# --- 4. reports stay small ----------------------------------------------------------------------------------


def test_5000_bad_rows_leave_1000_problems_in_the_report_and_all_5000_in_the_problems_file(
    as_officer, program, group, officer, tmp_path
):
    rows = [participant(NIK="12345") for _ in range(5000)]
    path = tmp_path / "buruk.csv"
    path.write_text(
        "\n".join([";".join(HEADERS), *(";".join(str(r.get(h) or "") for h in HEADERS) for r in rows)]) + "\n"
    )
    job = import_job_create(
        program=program, upload=SimpleUploadedFile("buruk.csv", path.read_bytes()), by=officer, rows=5000
    )
    assert import_job_claim(job=job, commit=False)
    import_job_run(job, commit=False)
    job.refresh_from_db()
    report = job.report
    assert job.status == ImportJob.Status.PREVIEWED
    assert len(report["errors"]) + len(report["warnings"]) <= 1000
    assert (report["rows"], report["rows_with_errors"]) == (5000, 5000)
    assert report["error_count"] >= 5000
    assert report["truncated"] is True
    assert len(json.dumps(report)) < 400_000

    response = as_officer.get(reverse("registry:import_problems", args=[program.code, job.pk]))
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).worksheets[0]
    numbers = [row[0] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert numbers == list(range(2, 5002))

    page = _english(as_officer).get(reverse("registry:import_preview", args=[program.code, job.pk]))
    content = page.content.decode()
    assert page.status_code == 200
    assert len(page.context["rows"]) == 50
    assert "Only the first 1,000 problems are listed here" in content
    last = as_officer.get(reverse("registry:import_preview", args=[program.code, job.pk]) + "?page=last")
    assert [r["number"] for r in last.context["rows"]][-1] <= 1001


def test_the_preview_lists_rows_with_problems_first_then_the_rest_page_by_page(
    as_officer, program, group, tmp_path
):
    for name in ("Kelompok 2", "Kelompok 3"):
        GroupFactory(program=program, name=name, village_id="51.05.03.1008")
    rows = [participant(Kelompok=["Lontar Besang", "Kelompok 2", "Kelompok 3"][i // 20]) for i in range(60)]
    rows[57] = participant(NIK="12345", Kelompok="Kelompok 3")
    _upload(as_officer, program, rows, tmp_path)
    job = ImportJob.objects.get(program=program)
    url = reverse("registry:import_preview", args=[program.code, job.pk])
    first = as_officer.get(url).context["rows"]
    assert first[0]["number"] == 59 and first[0]["errors"]
    assert [r["number"] for r in first[1:]] == list(range(2, 51))
    assert first[1]["name"] == rows[0]["Nama"]
    second = as_officer.get(url + "?page=2").context["rows"]
    assert [r["number"] for r in second] == [*range(51, 59), 60, 61]
    assert second[-1]["name"] == rows[-1]["Nama"]


# --- 5. jobs whose worker stopped ---------------------------------------------------------------------------


def _silent(job, minutes=11):
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=minutes))
    job.refresh_from_db()
    return job


def test_a_check_silent_past_the_limit_fails_when_its_page_is_loaded(as_officer, program, officer, tmp_path):
    job = _job_with_file(program, officer, tmp_path, status=ImportJob.Status.CHECKING, rows_done=40)
    _silent(job)
    url = reverse("registry:import_progress", args=[program.code, job.pk])
    response = _english(as_officer).get(url, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("registry:import_result", args=[program.code, job.pk])
    job.refresh_from_db()
    assert (job.status, job.failed_during) == (ImportJob.Status.FAILED, ImportJob.Status.CHECKING)
    assert job.error == "The worker stopped while checking; nothing was saved: run it again."
    page = as_officer.get(response["HX-Redirect"]).content.decode()
    assert reverse("registry:import_retry", args=[program.code, job.pk]) in page
    assert "run it again" in page


def test_recover_fails_stale_checks_and_imports_and_leaves_the_others(program, officer, tmp_path, settings):
    settings.IMPORT_STALE_AFTER_MINUTES = 30
    Status = ImportJob.Status
    checking = _silent(_job_with_file(program, officer, tmp_path, status=Status.CHECKING), minutes=31)
    running = _silent(_job_with_file(program, officer, tmp_path, status=Status.RUNNING), minutes=45)
    fresh = _silent(_job_with_file(program, officer, tmp_path, status=Status.RUNNING), minutes=20)
    previewed = _silent(_job_with_file(program, officer, tmp_path, status=Status.PREVIEWED), minutes=90)
    with translation.override("en"):
        assert import_jobs_recover() == 2
    for job in (checking, running, fresh, previewed):
        job.refresh_from_db()
    assert (checking.status, running.status) == (Status.FAILED, Status.FAILED)
    assert running.error == "The worker stopped while importing; nothing was saved: run it again."
    assert (fresh.status, previewed.status) == (Status.RUNNING, Status.PREVIEWED)


def test_purge_uploads_recovers_stopped_jobs_too(program, officer, tmp_path):
    job = _silent(_job_with_file(program, officer, tmp_path, status=ImportJob.Status.RUNNING))
    call_command("purge_uploads", stdout=io.StringIO())
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED


def test_a_worker_starting_a_task_recovers_the_jobs_of_a_dead_worker(program, group, officer, tmp_path):
    from tunas.registry.tasks import import_job_task

    dead = _silent(_job_with_file(program, officer, tmp_path, status=ImportJob.Status.CHECKING))
    queued = _job_with_file(program, officer, tmp_path, name="b.xlsx")
    import_job_task.call(queued.pk, False)
    dead.refresh_from_db()
    assert dead.status == ImportJob.Status.FAILED


def test_a_stopped_check_is_run_again_from_its_page(as_officer, program, group, officer, tmp_path):
    job = _silent(_job_with_file(program, officer, tmp_path, status=ImportJob.Status.CHECKING))
    import_jobs_recover()
    response = as_officer.post(reverse("registry:import_retry", args=[program.code, job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED
    assert response.url == reverse("registry:import_preview", args=[program.code, job.pk])
    assert job.report["valid"] == 1


def test_a_stopped_import_is_run_again_and_saves_each_row_once(as_officer, program, group, officer, tmp_path):
    rows = [participant(), participant()]
    _upload(as_officer, program, rows, tmp_path)
    job = ImportJob.objects.get(program=program)
    assert import_job_claim(job=job, commit=True)  # confirmed; then its worker died before saving
    _silent(job)
    import_jobs_recover()
    assert Membership.objects.filter(program=program).count() == 0
    as_officer.post(reverse("registry:import_retry", args=[program.code, job.pk]))
    job.refresh_from_db()
    assert (job.status, job.report["created"]) == (ImportJob.Status.DONE, 2)
    assert Membership.objects.filter(program=program).count() == 2
    assert import_job_retry(job=job, by=officer) is False, "a finished job is not run again"


def test_a_run_taken_for_dead_and_replaced_saves_nothing(as_officer, program, group, officer, tmp_path):
    _upload(as_officer, program, [participant(), participant()], tmp_path)
    job = ImportJob.objects.get(program=program)
    assert import_job_claim(job=job, commit=True)
    slow = ImportJob.objects.select_related("program__office").get(pk=job.pk)  # the first worker's view
    _silent(job)
    import_jobs_recover()
    assert import_job_retry(job=job, by=officer)
    assert Membership.objects.filter(program=program).count() == 2
    # The first worker was only slow: it carries on, finds its job run by another and stops.
    import_job_run(slow, commit=True)
    job.refresh_from_db()
    assert (job.status, job.report["created"]) == (ImportJob.Status.DONE, 2)
    assert Membership.objects.filter(program=program).count() == 2


def test_a_file_that_cannot_be_read_is_not_offered_to_run_again(as_officer, program, officer, tmp_path):
    job = _job_with_file(program, officer, tmp_path)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, error="No header")
    job.refresh_from_db()
    assert import_job_retry(job=job, by=officer) is False
    page = as_officer.get(reverse("registry:import_result", args=[program.code, job.pk])).content.decode()
    assert reverse("registry:import_retry", args=[program.code, job.pk]) not in page


def test_only_the_programmes_office_may_run_a_job_again(as_outsider, viewer, program, officer, tmp_path):
    job = _silent(_job_with_file(program, officer, tmp_path, status=ImportJob.Status.CHECKING))
    import_jobs_recover()
    url = reverse("registry:import_retry", args=[program.code, job.pk])
    assert as_outsider.post(url).status_code == 404
    assert login(viewer).post(url).status_code == 403
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED


def test_a_province_officer_may_not_run_a_job_again(bali_province, program, officer, tmp_path):
    from tests.factories import UserFactory

    job = _silent(_job_with_file(program, officer, tmp_path, status=ImportJob.Status.CHECKING))
    import_jobs_recover()
    province = UserFactory(username="operator.bali", office=bali_province, roles=[Role.OFFICER])
    assert (
        login(province).post(reverse("registry:import_retry", args=[program.code, job.pk])).status_code == 403
    )


def test_the_retry_page_only_takes_posts(as_officer, program, officer, tmp_path):
    job = _job_with_file(program, officer, tmp_path)
    assert as_officer.get(reverse("registry:import_retry", args=[program.code, job.pk])).status_code == 405
