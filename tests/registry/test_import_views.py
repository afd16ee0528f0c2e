"""The import in the browser: upload → preview → confirm → progress → result, and who may use it."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_tasks.signals import task_enqueued
from openpyxl import load_workbook

from tests.conftest import login
from tests.factories import GroupFactory, make_nik
from tests.registry.test_import import participant, write_xlsx
from tunas.accounts.roles import Role
from tunas.registry.importing import HEADERS, import_job_claim, import_job_create
from tunas.registry.models import ImportJob, Membership
from tunas.registry.tasks import import_job_task

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def group(program):
    return GroupFactory(program=program, name="Lontar Besang", village_id="51.05.03.1008")


def upload(client, program, rows, tmp_path, name="peserta.xlsx"):
    path = write_xlsx(tmp_path / name, rows)
    file = SimpleUploadedFile(name, path.read_bytes(), content_type=XLSX)
    return client.post(reverse("registry:import_upload", args=[program.code]), {"file": file})


def test_officer_uploads_previews_confirms_and_sees_the_result(as_officer, program, group, tmp_path):
    bad = participant(Kelompok="Tidak Ada")
    rows = [participant(), participant(), bad]
    response = upload(as_officer, program, rows, tmp_path)
    job = ImportJob.objects.get(program=program)
    assert job.status == ImportJob.Status.PREVIEWED
    assert response.url == reverse("registry:import_preview", args=[program.code, job.pk])
    assert Membership.objects.filter(program=program).count() == 0

    page = as_officer.get(response.url).content.decode()
    assert page.index(bad["Nama"]) < page.index(rows[0]["Nama"]), "rows with problems come first"
    assert "group_unknown" in page
    assert "<script>" not in page, "the Content Security Policy allows no inline script"

    response = as_officer.post(reverse("registry:import_confirm", args=[program.code, job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert response.url == reverse("registry:import_result", args=[program.code, job.pk])
    assert job.report["created"] == 2
    assert Membership.objects.filter(program=program).count() == 2
    result = as_officer.get(response.url).content.decode()
    assert reverse("registry:import_problems", args=[program.code, job.pk]) in result


def test_confirming_twice_imports_once(as_officer, program, group, tmp_path):
    upload(as_officer, program, [participant()], tmp_path)
    job = ImportJob.objects.get(program=program)
    url = reverse("registry:import_confirm", args=[program.code, job.pk])
    as_officer.post(url)
    as_officer.post(url)
    assert Membership.objects.filter(program=program).count() == 1


def test_a_large_file_is_checked_and_imported_as_a_background_task(as_officer, program, tmp_path):
    enqueued = []

    def record(sender, task_result, **kwargs):
        enqueued.append((task_result.task.name, task_result.args))

    task_enqueued.connect(record)
    for i in range(27):
        GroupFactory(program=program, name=f"Kelompok {i}")
    rows = [participant(Kelompok=f"Kelompok {i // 20}") for i in range(520)]
    try:
        response = upload(as_officer, program, rows, tmp_path)
        job = ImportJob.objects.get(program=program)
        assert response.url == reverse("registry:import_progress", args=[program.code, job.pk])
        assert job.status == ImportJob.Status.PREVIEWED
        confirm = as_officer.post(reverse("registry:import_confirm", args=[program.code, job.pk]))
    finally:
        task_enqueued.disconnect(record)
    assert enqueued == [("import_job_task", [job.pk, False]), ("import_job_task", [job.pk, True])]
    assert confirm.url == reverse("registry:import_progress", args=[program.code, job.pk])

    progress = as_officer.get(confirm.url, HTTP_HX_REQUEST="true")
    assert progress["HX-Redirect"] == reverse("registry:import_result", args=[program.code, job.pk])
    job.refresh_from_db()
    assert (job.status, job.report["created"]) == (ImportJob.Status.DONE, 520)
    assert Membership.objects.filter(program=program).count() == 520


def test_the_progress_bar_polls_while_the_job_runs(as_officer, program, officer):
    job = ImportJob.objects.create(
        program=program,
        file="imports/x.xlsx",
        original_name="x.xlsx",
        uploaded_by=officer,
        status=ImportJob.Status.CHECKING,
        rows_total=900,
        rows_done=300,
    )
    url = reverse("registry:import_progress", args=[program.code, job.pk])
    page = as_officer.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in page
    assert '<progress class="w-100" max="900" value="300">' in page
    partial = as_officer.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial
    assert 'hx-get="' + url + '"' in partial


def test_the_problems_download_lists_rows_with_errors_and_what_to_correct(
    as_officer, program, group, tmp_path
):
    bad = participant(NIK="12345")
    upload(as_officer, program, [participant(), bad], tmp_path)
    job = ImportJob.objects.get(program=program)
    response = as_officer.get(reverse("registry:import_problems", args=[program.code, job.pk]))
    assert response["Content-Type"] == XLSX
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    header = [c.value for c in ws[1]]
    assert header[1:16][0] == "NIK" and "Kelompok" in header
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1
    assert rows[0][0] == 3 and rows[0][1] == "12345"
    assert "nik_format" in rows[0][-1]


def test_an_upload_of_another_type_is_refused_with_a_message(as_officer, program):
    file = SimpleUploadedFile("peserta.txt", b"NIK;Nama\n", content_type="text/plain")
    response = as_officer.post(reverse("registry:import_upload", args=[program.code]), {"file": file})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not ImportJob.objects.exists()


def test_a_file_whose_content_is_not_a_spreadsheet_is_refused(as_officer, program):
    file = SimpleUploadedFile("peserta.xlsx", b"<html>not a workbook</html>", content_type=XLSX)
    response = as_officer.post(reverse("registry:import_upload", args=[program.code]), {"file": file})
    assert response.context["form"].errors["file"]
    assert not ImportJob.objects.exists()


def test_a_file_over_the_size_limit_is_refused(as_officer, program, group, tmp_path, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    response = upload(as_officer, program, [participant()], tmp_path)
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_a_file_without_the_template_columns_is_refused_at_upload(as_officer, program, tmp_path):
    path = write_xlsx(tmp_path / "lain.xlsx", [{"A": 1}], headers=["A", "B"])
    file = SimpleUploadedFile("lain.xlsx", path.read_bytes(), content_type=XLSX)
    response = as_officer.post(reverse("registry:import_upload", args=[program.code]), {"file": file})
    assert "NIK" in str(response.context["form"].errors["file"])


def test_the_template_downloads_for_the_programme(as_officer, program, group):
    response = as_officer.get(reverse("registry:import_template", args=[program.code]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert program.code.lower() in response["Content-Disposition"]


def _urls(program, job):
    return [
        ("get", reverse("registry:import_upload", args=[program.code])),
        ("get", reverse("registry:import_template", args=[program.code])),
        ("get", reverse("registry:import_preview", args=[program.code, job.pk])),
        ("post", reverse("registry:import_confirm", args=[program.code, job.pk])),
        ("get", reverse("registry:import_progress", args=[program.code, job.pk])),
        ("get", reverse("registry:import_result", args=[program.code, job.pk])),
        ("get", reverse("registry:import_problems", args=[program.code, job.pk])),
    ]


def _job(program, officer):
    return ImportJob.objects.create(
        program=program,
        file="imports/x.xlsx",
        original_name="x.xlsx",
        uploaded_by=officer,
        status=ImportJob.Status.PREVIEWED,
        report={"rows": 0, "valid": 0, "created": 0, "errors": [], "warnings": []},
    )


def test_an_officer_of_another_regency_gets_404_everywhere(as_outsider, program, officer):
    job = _job(program, officer)
    for method, url in _urls(program, job):
        assert getattr(as_outsider, method)(url).status_code == 404, url


def test_a_viewer_of_the_same_office_may_not_import(viewer, program, officer):
    job = _job(program, officer)
    client = login(viewer)
    for method, url in _urls(program, job):
        assert getattr(client, method)(url).status_code == 403, url


def test_a_province_officer_sees_the_programme_but_imports_only_into_their_own_office(bali_province, program):
    from tests.factories import UserFactory

    province_officer = UserFactory(username="operator.bali", office=bali_province, roles=[Role.OFFICER])
    client = login(province_officer)
    assert client.get(reverse("registry:import_upload", args=[program.code])).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, program):
    response = client.get(reverse("registry:import_upload", args=[program.code]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


def test_a_job_of_another_programme_is_not_found_under_this_code(as_officer, program, officer, klungkung):
    from tests.factories import ProgramFactory

    other = ProgramFactory(office=klungkung)
    job = _job(other, officer)
    assert as_officer.get(reverse("registry:import_preview", args=[program.code, job.pk])).status_code == 404


def test_the_upload_page_offers_the_template_and_lists_earlier_imports(as_officer, program, officer):
    _job(program, officer)
    page = as_officer.get(reverse("registry:import_upload", args=[program.code])).content.decode()
    assert reverse("registry:import_template", args=[program.code]) in page
    assert "x.xlsx" in page
    assert page.count("btn-primary") == 1


def test_a_female_participant_round_trips_through_the_browser(as_officer, program, group, tmp_path):
    nik = make_nik(sex="F")
    upload(as_officer, program, [participant(NIK=nik, Jenis_Kelamin="Perempuan")], tmp_path)
    job = ImportJob.objects.get(program=program)
    as_officer.post(reverse("registry:import_confirm", args=[program.code, job.pk]))
    assert Membership.objects.get(program=program).person.sex == "F"


def test_a_job_silent_for_ten_minutes_warns_that_the_worker_may_be_down(as_officer, program, officer):
    def progress_of(job):
        url = reverse("registry:import_progress", args=[program.code, job.pk])
        return as_officer.get(url, HTTP_HX_REQUEST="true").content.decode()

    fresh = ImportJob.objects.create(
        program=program,
        file="imports/x.xlsx",
        original_name="x.xlsx",
        uploaded_by=officer,
        status=ImportJob.Status.UPLOADED,
        rows_total=900,
    )
    silent = ImportJob.objects.create(
        program=program,
        file="imports/y.xlsx",
        original_name="y.xlsx",
        uploaded_by=officer,
        status=ImportJob.Status.UPLOADED,
        rows_total=900,
    )
    ImportJob.objects.filter(pk=silent.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=11))
    assert "alert-warning" not in progress_of(fresh)
    assert "alert-warning" in progress_of(silent)


def test_a_formula_typed_into_the_file_comes_back_as_text_in_the_problems_file(
    as_officer, program, group, tmp_path
):
    from openpyxl import Workbook

    formula = '=HYPERLINK("http://example.com","klik")'
    wb = Workbook()
    ws = wb.active
    ws.append(list(HEADERS))
    ws.append([participant(NIK="1").get(h) for h in HEADERS])
    ws.cell(row=2, column=HEADERS.index("Nama") + 1, value=formula).data_type = "s"
    wb.save(tmp_path / "rumus.xlsx")
    file = SimpleUploadedFile("rumus.xlsx", (tmp_path / "rumus.xlsx").read_bytes(), content_type=XLSX)
    as_officer.post(reverse("registry:import_upload", args=[program.code]), {"file": file})
    job = ImportJob.objects.get(program=program)
    response = as_officer.get(reverse("registry:import_problems", args=[program.code, job.pk]))
    name = (
        load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        .worksheets[0]
        .cell(row=2, column=HEADERS.index("Nama") + 2)
    )
    assert (name.value, name.data_type) == (formula, "s")


def test_each_phase_of_a_job_is_claimed_once_with_its_progress_reset(program, officer):
    job = _job(program, officer)
    ImportJob.objects.filter(pk=job.pk).update(rows_done=7, error="earlier")
    job.refresh_from_db()
    assert import_job_claim(job=job, commit=False) is False, "only an uploaded job is checked"
    assert import_job_claim(job=job, commit=True) is True
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.error) == (ImportJob.Status.RUNNING, 0, "")
    assert import_job_claim(job=job, commit=True) is False, "a running job is not taken twice"


def test_a_queued_check_stays_uploaded_until_a_worker_claims_it_and_runs_once(
    program, group, officer, tmp_path
):
    path = write_xlsx(tmp_path / "antre.xlsx", [participant()])
    upload = SimpleUploadedFile("antre.xlsx", path.read_bytes(), content_type=XLSX)
    job = import_job_create(program=program, upload=upload, by=officer, rows=1)
    assert (job.status, job.original_name, job.uploaded_by, job.rows_total) == (
        ImportJob.Status.UPLOADED,
        "antre.xlsx",
        officer,
        1,
    )
    assert import_job_task.call(job.pk, False) == ImportJob.Status.PREVIEWED
    job.refresh_from_db()
    checked = job.updated_at
    assert import_job_task.call(job.pk, False) == ImportJob.Status.PREVIEWED
    assert import_job_task.call(job.pk, True) == ImportJob.Status.PREVIEWED, "an import must be claimed first"
    job.refresh_from_db()
    assert job.updated_at == checked
    assert not Membership.objects.filter(program=program).exists()
