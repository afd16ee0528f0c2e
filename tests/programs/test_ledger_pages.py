"""The ledger's pages: the Budget tab, recording and cancelling spending, revisions, receipts, the report, the
dossier's budget and the home card; each for who may and who may not."""

from __future__ import annotations

import io
import json
from io import StringIO

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import login
from tests.factories import ProgramFactory, UserFactory
from tunas.programs import ledger
from tunas.programs.models import BudgetLine, BudgetRevision, Spending

from .helpers import edit_data, english
from .test_ledger import DAY, make_line, pdf_bytes, spend

pytestmark = pytest.mark.django_db


def tab_url(program) -> str:
    return reverse("programs:detail", args=[program.code]) + "?tab=budget"


def add_url(program) -> str:
    return reverse("programs:spending_add", args=[program.code])


def entry_data(line, **changes) -> dict:
    data = {
        "budget_line": str(line.pk),
        "spent_on": "2026-11-20",
        "amount": "Rp 1.250.000",
        "description": "Pemotong lontar 4 buah",
        "paid_for": "Kelompok Lontar Besang",
    }
    data.update(changes)
    return data


def test_the_budget_tab_shows_each_line_planned_spent_remaining_and_realisation_in_words(officer, program):
    line = make_line(program, planned=10_000_000)
    make_line(program, name="Konsumsi pelatihan", planned=2_000_000, position=1)
    spend(program, line, 9_340_000, officer, description="Alat kukus")
    page = english(login(officer)).get(tab_url(program)).content.decode()
    assert "Peralatan usaha" in page and "Konsumsi pelatihan" in page
    assert "Rp 10.000.000" in page and "Rp 9.340.000" in page and "Rp 660.000" in page
    assert "93.4%" in page and "Past 90%" in page and "Within plan" in page
    # The total row.
    assert "Rp 12.000.000" in page and "Rp 2.660.000" in page and "77.8%" in page
    assert 'max="100" value="93"' in page
    assert "Alat kukus" in page


def test_the_budget_tab_in_indonesian_writes_percent_with_a_comma(officer, program):
    line = make_line(program, planned=3_000)
    spend(program, line, 1_000, officer)
    page = login(officer).get(tab_url(program)).content.decode()
    assert "33,3%" in page


def _tab_queries(program, officer, admin_user, count: int) -> tuple[int, str]:
    """Adds ``count`` lines, each with an entry (every other one cancelled) and a revision, then counts the
    queries of the Budget tab."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    start = program.budget_lines.count()
    for i in range(start, start + count):
        line = make_line(program, name=f"Pos {i}", planned=1_000_000, position=i)
        entry = spend(program, line, 1_000, officer, receipt=SimpleUploadedFile("k.pdf", pdf_bytes()))
        if i % 2:
            ledger.spending_cancel(spending=entry, reason="Ganda", by=officer)
        ledger.budget_revise(budget_line=line, new_planned=2_000_000, reason="Revisi", by=admin_user)
    client = login(admin_user)
    client.get(tab_url(program))  # session and caches warm
    with CaptureQueriesContext(connection) as queries:
        response = client.get(tab_url(program))
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_budget_tab_asks_the_same_number_of_queries_for_3_and_30_lines_and_entries(
    officer, admin_user, program
):
    program.budget_total = 10**12
    program.save()
    few, _ = _tab_queries(program, officer, admin_user, 3)
    many, page = _tab_queries(program, officer, admin_user, 27)
    assert few == many, (few, many)
    assert few <= 16
    assert all(f"Pos {i}<" in page for i in range(30))  # every line, and a page of the entries
    assert page.count("Ganda") == sum(1 for i in range(30)[-25:] if i % 2)


def test_an_officer_records_an_entry_with_its_receipt_from_the_tab(officer, program, settings):
    line = make_line(program)
    client = english(login(officer))
    assert b'id="spending-add"' in client.get(tab_url(program)).content
    upload = SimpleUploadedFile("kwitansi.pdf", pdf_bytes(), content_type="application/pdf")
    response = client.post(add_url(program), entry_data(line, receipt=upload))
    assert response.status_code == 302 and response["Location"].endswith("?tab=budget")
    entry = Spending.objects.get()
    assert (entry.amount, entry.budget_line, entry.created_by, entry.source) == (1_250_000, line, officer, "")
    assert entry.receipt.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("Rp 1.250.000" in m for m in messages)


def test_an_entry_past_ninety_percent_is_kept_and_the_warning_is_shown(officer, program):
    line = make_line(program, planned=1_300_000)
    response = english(login(officer)).post(add_url(program), entry_data(line), follow=True)
    page = response.content.decode()
    assert Spending.objects.count() == 1
    assert "is now at 96.2% of its plan" in page


def test_an_entry_past_the_plan_is_refused_beside_the_amount_with_the_figures(officer, program):
    line = make_line(program, planned=1_000_000)
    response = english(login(officer)).post(add_url(program), entry_data(line))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["amount"][0].startswith("The budget line “Peralatan usaha” would pass its plan")
    assert "Rp 1.000.000" in response.content.decode() and "Rp 1.250.000" in response.content.decode()
    assert not Spending.objects.exists()


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-5000"}, "amount"),
        ({"amount": "12,5"}, "amount"),
        ({"description": ""}, "description"),
        ({"spent_on": "31-02-2026"}, "spent_on"),
        ({"receipt": SimpleUploadedFile("kwitansi.pdf", b"MZ not a pdf")}, "receipt"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(officer, program, changes, field):
    line = make_line(program)
    response = english(login(officer)).post(add_url(program), entry_data(line, **changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Spending.objects.exists()


def test_a_line_of_another_programme_cannot_be_posted(officer, program, klungkung):
    other_line = make_line(ProgramFactory(office=klungkung, code="KLK-LAIN-2026"))
    make_line(program)
    response = english(login(officer)).post(add_url(program), entry_data(other_line))
    assert "budget_line" in response.context["form"].errors
    assert not Spending.objects.exists()


def test_who_may_not_record_gets_no_form_and_no_entry(viewer, verifier, mentor, outsider, program):
    line = make_line(program)
    for user, status in ((viewer, 403), (verifier, 403), (mentor, 404), (outsider, 404)):
        client = login(user)
        assert client.post(add_url(program), entry_data(line)).status_code == status
        assert client.get(add_url(program)).status_code == status
    assert not Spending.objects.exists()
    page = login(viewer).get(tab_url(program)).content.decode()
    assert 'id="spending-add"' not in page and "programs:spending_cancel" not in page


def test_the_receipt_is_served_to_the_office_only(officer, viewer, mentor, outsider, program):
    entry = spend(
        program, make_line(program), 1_000, officer, receipt=SimpleUploadedFile("k.pdf", pdf_bytes())
    )
    url = reverse("programs:spending_receipt", args=[program.code, entry.pk])
    response = login(officer).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert "no-store" in response["Cache-Control"]
    assert login(viewer).get(url).status_code == 200
    assert login(mentor).get(url).status_code == 404
    assert login(outsider).get(url).status_code == 404
    # Another programme's entry is not found under this programme's address.
    other = ProgramFactory(office=program.office, code="KLK-DUA-2026")
    assert (
        login(officer).get(reverse("programs:spending_receipt", args=[other.code, entry.pk])).status_code
        == 404
    )


def test_an_entry_is_cancelled_with_a_reason_and_stays_listed_crossed_out(officer, program):
    entry = spend(program, make_line(program), 400_000, officer, description="Salah input")
    url = reverse("programs:spending_cancel", args=[program.code, entry.pk])
    client = english(login(officer))
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": ""})
    assert "reason" in response.context["form"].errors
    response = client.post(url, {"reason": "Tercatat dua kali"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.is_cancelled and entry.cancel_reason == "Tercatat dua kali"
    page = client.get(tab_url(program)).content.decode()
    assert "<del>Salah input</del>" in page and "Tercatat dua kali" in page and "Cancelled" in page


def test_an_entry_another_app_recorded_is_not_cancelled_from_the_ledger_page(officer, program):
    entry = spend(program, make_line(program), 1_000, officer, source="aid.purchase:7")
    url = reverse("programs:spending_cancel", args=[program.code, entry.pk])
    response = login(officer).post(url, {"reason": "Coba"})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert not entry.is_cancelled


def test_who_may_not_cancel_changes_nothing(viewer, outsider, officer, program):
    entry = spend(program, make_line(program), 1_000, officer)
    url = reverse("programs:spending_cancel", args=[program.code, entry.pk])
    assert login(viewer).post(url, {"reason": "x"}).status_code == 403
    assert login(outsider).post(url, {"reason": "x"}).status_code == 404
    entry.refresh_from_db()
    assert not entry.is_cancelled


def test_an_administrator_revises_a_plan_and_the_revision_is_listed(officer, admin_user, program):
    line = make_line(program, planned=1_000_000)
    url = reverse("programs:budget_revise", args=[program.code])
    client = english(login(admin_user))
    form_page = client.get(url + f"?line={line.pk}")
    assert form_page.context["form"].initial == {"budget_line": line.pk, "new_planned": 1_000_000}
    response = client.post(
        url, {"budget_line": line.pk, "new_planned": "1.500.000", "reason": "Revisi DIPA 2"}
    )
    assert response.status_code == 302
    revision = BudgetRevision.objects.get()
    assert (revision.old_planned, revision.new_planned, revision.by) == (1_000_000, 1_500_000, admin_user)
    page = client.get(tab_url(program)).content.decode()
    assert "Revisi DIPA 2" in page and "Rp 1.500.000" in page
    # The officer may now record what the old plan refused.
    assert login(officer).post(add_url(program), entry_data(line, amount="1.400.000")).status_code == 302


def test_a_revision_below_what_is_spent_is_refused_beside_the_new_plan(officer, admin_user, program):
    line = make_line(program, planned=1_000_000)
    spend(program, line, 800_000, officer)
    url = reverse("programs:budget_revise", args=[program.code])
    response = english(login(admin_user)).post(
        url, {"budget_line": line.pk, "new_planned": "500.000", "reason": "Turun"}
    )
    assert response.status_code == 200
    assert "below what is already spent" in response.context["form"].errors["new_planned"][0]


def test_only_an_administrator_of_the_office_opens_the_revision_page(officer, viewer, outsider, program):
    line = make_line(program)
    url = reverse("programs:budget_revise", args=[program.code])
    for user, status in ((officer, 403), (viewer, 403), (outsider, 404)):
        assert login(user).post(
            url, {"budget_line": line.pk, "new_planned": "1", "reason": "x"}
        ).status_code == (status)
    assert not BudgetRevision.objects.exists()


def test_the_budget_realisation_report_is_exact_per_line_with_a_total_row(officer, program, outsider):
    line = make_line(program, planned=3_000_000)
    make_line(program, name="Konsumsi", planned=1_000_000, position=1)
    spend(program, line, 1_000_001, officer)
    cancelled = spend(program, line, 5_000, officer)
    ledger.spending_cancel(spending=cancelled, reason="Batal", by=officer)
    url = reverse("reports:download", args=["budget_realisation", "xlsx"]) + f"?program={program.code}"
    response = english(login(officer)).get(url)
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert rows == [
        [program.code, 2026, "Peralatan usaha", 3_000_000, 1_000_001, 1_999_999, pytest.approx(0.333)],
        [program.code, 2026, "Konsumsi", 1_000_000, 0, 1_000_000, 0],
        [program.code, 2026, "Total", 4_000_000, 1_000_001, 2_999_999, pytest.approx(0.25)],
    ]
    assert ws["G2"].number_format == "0.0%"
    # Another regency's officer gets a report without Klungkung's lines.
    theirs = login(outsider).get(url)
    assert theirs.status_code == 200
    assert load_workbook(io.BytesIO(theirs.content)).active.max_row == 1


def test_the_dossier_has_the_budget_as_realised_with_its_entries(officer, program):
    line = make_line(program, planned=3_000_000)
    spend(program, line, 1_000_000, officer, source="aid.purchase:3", paid_for="Kelompok A")
    ledger.spending_cancel(spending=spend(program, line, 7, officer), reason="Salah", by=officer)
    out = StringIO()
    call_command("export_program", program.code, "--json", stdout=out)
    budget = json.loads(out.getvalue())["budget"]
    assert budget["lines"] == [{"name": "Peralatan usaha", "planned": 3_000_000, "spent": 1_000_000}]
    assert (budget["planned"], budget["spent"], budget["realisation_pct"]) == (3_000_000, 1_000_000, 33.3)
    assert [(e["amount"], e["source"], e["cancelled"]) for e in budget["entries"]] == [
        (1_000_000, "aid.purchase:3", False),
        (7, "", True),
    ]
    assert budget["entries"][0]["date"] == DAY.isoformat()


def test_the_home_page_lists_lines_past_ninety_percent_to_officers_of_the_jurisdiction(
    officer, outsider, viewer, program
):
    spend(program, make_line(program, planned=1_000_000), 950_000, officer)
    spend(program, make_line(program, name="Aman", planned=1_000_000, position=1), 900_000, officer)
    page = english(login(officer)).get(reverse("core:home")).content.decode()
    assert "Budget lines past 90% of their plan" in page
    assert "Peralatan usaha" in page and "95.0%" in page
    assert "Aman" not in page  # exactly 90 % is not past it
    assert "Peralatan usaha" not in login(outsider).get(reverse("core:home")).content.decode()
    assert "Budget lines past 90%" not in english(login(viewer)).get(reverse("core:home")).content.decode()


def test_the_home_card_stays_away_when_no_line_is_past_ninety_percent(officer, program):
    spend(program, make_line(program, planned=1_000_000), 10_000, officer)
    assert "Budget lines past 90%" not in english(login(officer)).get(reverse("core:home")).content.decode()


def test_editing_a_programme_keeps_its_lines_and_their_spending(officer, program):
    line = make_line(program)
    spend(program, line, 1_000, officer)
    response = login(officer).post(reverse("programs:edit", args=[program.code]), edit_data(program))
    assert response.status_code == 302
    assert BudgetLine.objects.filter(pk=line.pk).exists()


def test_a_province_officer_reads_the_ledger_but_records_nothing(program, bali_province):
    province = UserFactory(username="prov.officer", office=bali_province, roles=["officer"])
    line = make_line(program)
    client = login(province)
    page = client.get(tab_url(program)).content.decode()
    assert "Peralatan usaha" in page and 'id="spending-add"' not in page
    assert client.post(add_url(program), entry_data(line)).status_code == 403


def test_switching_to_the_budget_tab_with_htmx_returns_the_ledger_partial_only(officer, program):
    spend(program, make_line(program), 1_000, officer, description="Belanja lewat tab")
    response = login(officer).get(tab_url(program), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="program-tab")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Belanja lewat tab" in page and 'id="budget-realisation"' in page
    assert "<html" not in page
