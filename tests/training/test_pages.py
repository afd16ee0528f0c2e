"""Training pages: the public check, the PDFs (their text and pages), phone marking and bounded queries."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from tests.conftest import login
from tunas.training import services
from tunas.training.models import Attendance
from tunas.training.views import VERIFY_RATE_LIMIT

from .conftest import mark_all

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def certified(training, members, officer):
    mark_all(training, officer)
    services.training_complete(training=training, by=officer)
    return services.certificates_issue(training=training, by=officer)


def pdf_text(response) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def test_the_public_check_says_valid_with_a_masked_name_and_never_the_nik(certified):
    cert = certified[0]
    response = Client().get(reverse("training:verify", args=[cert.code]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Berlaku" in page or "Valid" in page
    assert cert.name not in page and cert.name.split()[-1] not in page
    assert cert.membership.person.nik not in page
    assert cert.training.program.office.name in page
    cert.refresh_from_db()
    assert cert.check_count == 1


def test_the_public_check_says_revoked_with_the_date(certified, officer):
    import datetime as dt

    cert = services.certificate_revoke(
        certificate=certified[0], reason="Salah nama", by=officer, day=dt.date(2026, 12, 1)
    )
    page = Client().get(reverse("training:verify", args=[cert.code])).content.decode()
    assert "1 Desember 2026" in page


def test_unknown_and_malformed_codes_get_the_same_plain_not_found(certified):
    client = Client()
    unknown = client.get(reverse("training:verify", args=["ABCDEFGHJKMZ"]))
    malformed = client.get(reverse("training:verify", args=["xx'<>"]))
    assert unknown.status_code == malformed.status_code == 200

    def body(r) -> str:
        page = r.content.decode()
        return page[page.index("<main") : page.index("</main>")]

    assert body(unknown) == body(malformed)
    assert certified[0].code not in unknown.content.decode()


def test_the_public_check_is_rate_limited_with_429(certified):
    client = Client()
    url = reverse("training:verify", args=[certified[0].code])
    for _ in range(VERIFY_RATE_LIMIT):
        assert client.get(url).status_code == 200
    response = client.get(url)
    assert response.status_code == 429 and response["Retry-After"]


def test_the_attendance_sheet_pdf_has_the_letterhead_members_and_a_signature_column(
    training, members, officer
):
    response = login(officer).get(
        reverse("training:sheet_pdf", args=[training.pk, training.start_date.isoformat()])
    )
    assert response["Content-Type"] == "application/pdf"
    text, pages = pdf_text(response)
    assert pages == 1
    assert "DAFTAR HADIR PESERTA PELATIHAN" in text and "Tanda Tangan" in text
    assert "/DH-PELATIHAN/" in text
    for m in members:
        assert m.person.full_name in text
        assert m.person.nik not in text


def test_all_certificates_of_a_training_print_as_one_pdf_one_page_each(certified, officer, training):
    response = login(officer).get(reverse("training:certificates_pdf", args=[training.pk]))
    text, pages = pdf_text(response)
    assert pages == len(certified) == 3
    assert "SERTIFIKAT" in text and "CERTIFICATE OF COMPLETION" in text
    for c in certified:
        assert c.name in text and c.code in text and c.number in text


def test_certificates_render_in_chunks_and_join_into_one_document(certified):
    from tunas.training.documents import certificates_pdf
    from tunas.training.models import Certificate

    seen = []
    data = certificates_pdf(
        certificates=Certificate.objects.order_by("sequence"), chunk=2, progress=seen.append
    )
    assert len(PdfReader(io.BytesIO(data)).pages) == 3 and seen == [2, 3]


def test_an_instructor_marks_all_present_then_an_exception_on_the_phone_page(
    taught, training, members, instructor
):
    client = login(instructor)
    session = training.sessions.order_by("date", "start").first()
    url = reverse("training:attendance", args=[session.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"all_present": "1"})
    assert Attendance.objects.filter(session=session, status="present").count() == 3
    posted = {f"status-{m.pk}": "present" for m in members}
    posted[f"status-{members[0].pk}"] = "excused"
    posted[f"reason-{members[0].pk}"] = "Sakit"
    client.post(url, {**posted, "save": "1"})
    assert Attendance.objects.get(session=session, membership=members[0]).status == "excused"


def test_an_instructor_cannot_open_another_instructors_session(training, instructor):
    session = training.sessions.first()
    assert login(instructor).get(reverse("training:attendance", args=[session.pk])).status_code == 404


def test_the_training_page_asks_a_bounded_number_of_queries(
    certified, officer, training, django_assert_max_num_queries
):
    client = login(officer)
    with django_assert_max_num_queries(40):
        assert client.get(reverse("training:detail", args=[training.pk])).status_code == 200


def test_the_programme_tab_and_instructor_list_ask_a_bounded_number_of_queries(
    training, officer, program, teacher, django_assert_max_num_queries
):
    client = login(officer)
    with django_assert_max_num_queries(40):
        assert (
            client.get(reverse("programs:detail", args=[program.code]) + "?tab=training").status_code == 200
        )
    with django_assert_max_num_queries(15):
        assert client.get(reverse("training:instructor_list")).status_code == 200


def test_the_instructors_home_shows_todays_sessions(taught, instructor):
    page = login(instructor).get(reverse("core:home")).content.decode()
    assert taught.sessions.first().topic in page


def test_the_officers_home_counts_sheets_to_upload(training, officer):
    services.attendance_all_present(session=training.sessions.first(), by=officer)
    page = login(officer).get(reverse("core:home")).content.decode()
    assert reverse("training:detail", args=[training.pk]) in page


def test_the_reports_give_attendance_by_day_and_certificates(certified, officer, training):
    from tunas.training.reports import AttendanceRecapReport, CertificatesReport

    days = list(AttendanceRecapReport().rows(officer, {}))
    assert [d["present"] for d in days] == [3, 3, 3]
    rows = list(CertificatesReport().rows(officer, {}))
    assert {r["code"] for r in rows} == {c.code for c in certified}


def test_the_dossier_gives_each_group_its_trainings_and_certificates(certified, program, group):
    from tunas.programs.dossier import program_dossier

    section = program_dossier(program)["trainings"]
    entry = next(e for e in section if e["group"] == group.name)
    training = entry["trainings"][0]
    assert set(training) == {
        "title",
        "start_date",
        "end_date",
        "venue",
        "sessions",
        "attendance",
        "completed",
    }
    assert set(training["sessions"][0]) == {"date", "start", "end", "topic", "instructor"}
    assert training["attendance"][0] == {
        "date": training["start_date"],
        "present": 3,
        "absent": 0,
        "excused": 0,
    }
    assert training["completed"] == 3
    assert {c["code"] for c in entry["certificates"]} == {c.code for c in certified}
    assert set(entry["certificates"][0]) == {"code", "member", "issued", "status"}
