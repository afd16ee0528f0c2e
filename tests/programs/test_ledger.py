"""The budget ledger's services: one way to record spending, a line never past its plan, corrections kept."""

from __future__ import annotations

import datetime as dt
import io
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from PIL import Image

from tests.factories import OfficeFactory, ProgramFactory, UserFactory
from tunas.programs import ledger
from tunas.programs.models import BudgetLine, BudgetRevision, Spending, Stage

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 11, 20)


def make_line(program, name="Peralatan usaha", planned=10_000_000, position=0) -> BudgetLine:
    return BudgetLine.objects.create(program=program, name=name, planned=planned, position=position)


def spend(program, line, amount, by, **extra) -> Spending:
    return ledger.spending_record(
        program=program,
        budget_line=line,
        spent_on=extra.pop("spent_on", DAY),
        amount=amount,
        description=extra.pop("description", "Pembelian alat"),
        by=by,
        **extra,
    )


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 20), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotated 90 degrees
    exif[0x8825] = {2: (8.0, 32.0, 0.0)}  # GPS latitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_a_spending_entry_counts_against_its_line_with_realisation_to_one_decimal(officer, program):
    line = make_line(program, planned=3_000_000)
    other = make_line(program, name="Konsumsi", planned=1_000_000, position=1)
    spend(program, line, 1_000_000, officer, source="aid.purchase:12", paid_for="Pemotong lontar")
    spend(program, line, 1, officer)

    rows = ledger.line_realisation(program=program)
    assert [(r.name, r.planned, r.spent, r.remaining) for r in rows] == [
        ("Peralatan usaha", 3_000_000, 1_000_001, 1_999_999),
        ("Konsumsi", 1_000_000, 0, 1_000_000),
    ]
    assert rows[0].percent == Decimal("33.3")
    assert rows[1].percent == Decimal("0.0")
    total = ledger.realisation_total(rows)
    assert (total.planned, total.spent, total.percent) == (4_000_000, 1_000_001, Decimal("25.0"))
    entry = Spending.objects.get(source="aid.purchase:12")
    assert (entry.program, entry.budget_line, entry.created_by, entry.paid_for) == (
        program,
        line,
        officer,
        "Pemotong lontar",
    )
    assert other.spendings.count() == 0


def test_realisation_rounds_half_up_not_half_even(officer, program):
    line = make_line(program, planned=2_000)
    spend(program, line, 1_001, officer)  # 50.05 %
    assert ledger.line_realisation(program=program)[0].percent == Decimal("50.1")


def test_realisation_of_all_lines_takes_one_query(officer, program, django_assert_num_queries):
    lines = [make_line(program, name=f"Line {i}", planned=1_000_000, position=i) for i in range(6)]
    for line in lines:
        spend(program, line, 1_000, officer)
    with django_assert_num_queries(1):
        rows = ledger.line_realisation(program=program)
        assert [r.spent for r in rows] == [1_000] * 6


def test_an_entry_that_would_pass_the_plan_is_refused_naming_the_line_plan_spent_and_after(officer, program):
    line = make_line(program, planned=10_000_000)
    spend(program, line, 9_500_000, officer)
    with pytest.raises(ValidationError) as caught:
        spend(program, line, 600_000, officer)
    error = caught.value
    assert error.code == "budget_exceeded"
    message = error.messages[0]
    assert "Peralatan usaha" in message
    assert "Rp 10.000.000" in message and "Rp 9.500.000" in message and "Rp 10.100.000" in message
    assert Spending.objects.count() == 1


def test_an_entry_that_fills_the_line_exactly_is_kept_with_a_warning(officer, program):
    line = make_line(program, planned=10_000_000)
    entry = spend(program, line, 10_000_000, officer)
    assert entry.pk
    assert len(entry.warnings) == 1 and "100,0%" in entry.warnings[0]
    assert ledger.line_realisation(program=program)[0].status == "spent"


def test_an_entry_past_ninety_percent_carries_a_warning_and_below_it_none(officer, program):
    line = make_line(program, planned=1_000_000)
    assert spend(program, line, 900_000, officer).warnings == []  # exactly 90 %: not past it
    entry = spend(program, line, 34_000, officer)
    assert len(entry.warnings) == 1
    assert "Peralatan usaha" in entry.warnings[0] and "93,4%" in entry.warnings[0]
    assert ledger.line_realisation(program=program)[0].status == "warning"


@pytest.mark.parametrize("amount", [0, -5_000, 1.5, Decimal("1000"), "1000", True])
def test_an_amount_that_is_not_whole_rupiah_above_zero_is_refused(officer, program, amount):
    line = make_line(program)
    with pytest.raises(ValidationError) as caught:
        spend(program, line, amount, officer)
    assert caught.value.error_dict["amount"][0].code == "amount_invalid"
    assert not Spending.objects.exists()


def test_the_database_itself_refuses_a_zero_amount(officer, program):
    from django.db import IntegrityError

    line = make_line(program)
    with pytest.raises(IntegrityError), transaction.atomic():
        Spending.objects.create(
            program=program, budget_line=line, spent_on=DAY, amount=0, description="x", created_by=officer
        )


def test_an_entry_on_another_programmes_line_is_refused(officer, program, klungkung):
    other = ProgramFactory(office=klungkung, code="KLK-LAIN-2026")
    line = make_line(other)
    with pytest.raises(ValidationError) as caught:
        spend(program, line, 1_000, officer)
    assert caught.value.error_dict["budget_line"][0].code == "budget_line_foreign"


def test_an_entry_without_a_description_is_refused(officer, program):
    line = make_line(program)
    with pytest.raises(ValidationError) as caught:
        spend(program, line, 1_000, officer, description="   ")
    assert caught.value.error_dict["description"][0].code == "required"


def test_only_an_officer_or_administrator_of_the_programmes_office_may_record(
    program, outsider, viewer, verifier, admin_user
):
    line = make_line(program)
    for user in (outsider, viewer, verifier):
        with pytest.raises(PermissionDenied):
            spend(program, line, 1_000, user)
    province = UserFactory(
        username="prov", office=OfficeFactory(name="Disnaker Bali", region_code="51"), roles=["officer"]
    )
    with pytest.raises(PermissionDenied):
        spend(program, line, 1_000, province)
    assert spend(program, line, 1_000, admin_user).pk


def test_a_closed_programmes_ledger_no_longer_changes(officer, program):
    line = make_line(program)
    entry = spend(program, line, 1_000, officer)
    program.status = Stage.CLOSED
    program.save()
    with pytest.raises(ValidationError) as caught:
        spend(program, line, 1_000, officer)
    assert caught.value.code == "ledger_closed"
    with pytest.raises(ValidationError):
        ledger.spending_cancel(spending=entry, reason="Salah catat", by=officer)


def test_a_cancelled_entry_stays_listed_with_its_reason_and_no_longer_counts(officer, program):
    line = make_line(program, planned=1_000_000)
    entry = spend(program, line, 800_000, officer)
    ledger.spending_cancel(spending=entry, reason="  Salah   nominal ", by=officer)
    entry.refresh_from_db()
    assert entry.is_cancelled and entry.cancelled_by == officer and entry.cancel_reason == "Salah nominal"
    assert ledger.line_realisation(program=program)[0].spent == 0
    assert list(ledger.spending_list(program=program)) == [entry]
    # The history keeps the entry as first recorded and the cancellation with who and why.
    history = list(entry.history.order_by("history_date"))
    assert [h.cancelled_at is None for h in history] == [True, False]
    assert history[1].history_user == officer and history[1].history_change_reason == "Salah nominal"
    # The freed amount may be spent again.
    assert spend(program, line, 1_000_000, officer).pk


def test_cancelling_twice_or_without_a_reason_is_refused(officer, program):
    line = make_line(program)
    entry = spend(program, line, 1_000, officer)
    with pytest.raises(ValidationError) as caught:
        ledger.spending_cancel(spending=entry, reason="  ", by=officer)
    assert caught.value.error_dict["reason"][0].code == "required"
    ledger.spending_cancel(spending=entry, reason="Ganda", by=officer)
    with pytest.raises(ValidationError) as caught:
        ledger.spending_cancel(spending=entry, reason="Ganda", by=officer)
    assert caught.value.code == "spending_cancelled"


def test_an_outsider_cannot_cancel_an_entry(officer, outsider, program):
    entry = spend(program, make_line(program), 1_000, officer)
    with pytest.raises(PermissionDenied):
        ledger.spending_cancel(spending=entry, reason="x", by=outsider)
    entry.refresh_from_db()
    assert not entry.is_cancelled


def test_an_administrators_revision_records_old_new_reason_who_and_lets_the_entry_pass(
    officer, admin_user, program
):
    line = make_line(program, planned=10_000_000)
    spend(program, line, 9_000_000, officer)
    with pytest.raises(ValidationError):
        spend(program, line, 2_000_000, officer)
    revision = ledger.budget_revise(
        budget_line=line, new_planned=11_000_000, reason="Revisi DIPA", by=admin_user
    )
    assert (revision.old_planned, revision.new_planned, revision.reason, revision.by) == (
        10_000_000,
        11_000_000,
        "Revisi DIPA",
        admin_user,
    )
    assert revision.at is not None
    line.refresh_from_db()
    assert line.planned == 11_000_000
    assert line.history.latest().history_change_reason == "Revisi DIPA"
    assert spend(program, line, 2_000_000, officer).pk
    assert list(ledger.revision_list(program=program)) == [revision]


def test_only_an_administrator_of_the_office_may_revise_a_plan(officer, program, gianyar):
    line = make_line(program)
    foreign_admin = UserFactory(username="adm.gia", office=gianyar, roles=["admin", "officer"])
    for user in (officer, foreign_admin):
        with pytest.raises(PermissionDenied):
            ledger.budget_revise(budget_line=line, new_planned=5_000_000, reason="x", by=user)
    line.refresh_from_db()
    assert line.planned == 10_000_000
    assert not BudgetRevision.objects.exists()


def test_a_revision_below_what_is_spent_or_past_the_total_budget_is_refused(officer, admin_user, program):
    line = make_line(program, planned=10_000_000)
    make_line(program, name="Pelatihan", planned=80_000_000, position=1)  # total budget 100.000.000
    spend(program, line, 6_000_000, officer)
    cases = [
        (5_000_000, "plan_below_spent"),
        (20_000_001, "lines_over_total"),
        (10_000_000, "plan_unchanged"),
    ]
    for new, code in cases:
        with pytest.raises(ValidationError) as caught:
            ledger.budget_revise(budget_line=line, new_planned=new, reason="Revisi", by=admin_user)
        assert caught.value.error_dict["new_planned"][0].code == code
    with pytest.raises(ValidationError) as caught:
        ledger.budget_revise(budget_line=line, new_planned=8_000_000, reason="", by=admin_user)
    assert caught.value.error_dict["reason"][0].code == "required"
    assert ledger.budget_revise(budget_line=line, new_planned=20_000_000, reason="Geser", by=admin_user).pk


def test_a_pdf_receipt_is_kept_in_the_private_storage_under_a_random_name(officer, program, settings):
    upload = SimpleUploadedFile("kwitansi toko.pdf", pdf_bytes(), content_type="application/pdf")
    entry = spend(program, make_line(program), 1_000, officer, receipt=upload)
    assert entry.receipt_name == "kwitansi toko.pdf"
    assert entry.receipt.name.startswith("receipts/") and entry.receipt.name.endswith(".pdf")
    assert "kwitansi" not in entry.receipt.name
    path = entry.receipt.path
    assert path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    with open(path, "rb") as fh:
        assert fh.read() == pdf_bytes()
    with pytest.raises(ValueError):
        entry.receipt.url  # noqa: B018 - private files have no URL


def test_a_jpeg_receipt_is_turned_upright_and_loses_its_exif_and_gps(officer, program):
    upload = SimpleUploadedFile("struk.jpg", jpeg_with_gps(), content_type="image/jpeg")
    entry = spend(program, make_line(program), 1_000, officer, receipt=upload)
    with Image.open(entry.receipt.path) as image:
        assert image.format == "JPEG"
        assert image.size == (20, 40)  # rotated by its orientation
        assert not image.getexif()


@pytest.mark.parametrize(
    "name,content",
    [
        ("kwitansi.pdf", b"MZ\x90\x00 not a pdf at all"),
        ("struk.jpg", b"\xff\xd8\xff\xe0 broken jpeg"),
        ("kwitansi.pdf", b"%PDF-1.4 cut off before its end"),
        ("gambar.gif", b"GIF89a\x01\x00\x01\x00"),
    ],
)
def test_a_receipt_that_is_not_a_pdf_jpeg_or_png_by_its_content_is_refused(officer, program, name, content):
    with pytest.raises(ValidationError) as caught:
        spend(program, make_line(program), 1_000, officer, receipt=SimpleUploadedFile(name, content))
    assert caught.value.error_dict["receipt"][0].code == "receipt_type"
    assert not Spending.objects.exists()


def test_a_receipt_over_the_size_limit_is_refused(officer, program, settings):
    settings.RECEIPT_MAX_BYTES = 100
    upload = SimpleUploadedFile("kwitansi.pdf", pdf_bytes() + b"x" * 200 + b"\n%%EOF\n")
    with pytest.raises(ValidationError) as caught:
        spend(program, make_line(program), 1_000, officer, receipt=upload)
    assert caught.value.error_dict["receipt"][0].code == "receipt_size"


def test_a_decompression_bomb_receipt_is_refused(officer, program, monkeypatch):
    monkeypatch.setattr(ledger, "RECEIPT_MAX_PIXELS", 100)
    out = io.BytesIO()
    Image.new("L", (200, 200)).save(out, format="PNG")
    with pytest.raises(ValidationError) as caught:
        spend(
            program, make_line(program), 1_000, officer, receipt=SimpleUploadedFile("a.png", out.getvalue())
        )
    assert caught.value.error_dict["receipt"][0].code == "receipt_size"


def test_the_line_row_is_locked_while_an_entry_is_checked(officer, program, django_assert_num_queries):
    """The lock is what keeps two entries at once from both passing: the line is read FOR UPDATE."""
    from django.test.utils import CaptureQueriesContext

    line = make_line(program)
    with CaptureQueriesContext(connection) as queries:
        spend(program, line, 1_000, officer)
    line_reads = [q["sql"] for q in queries.captured_queries if 'FROM "programs_budgetline"' in q["sql"]]
    assert line_reads, "the line is read again inside the transaction"
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in line_reads[0]


@pytest.mark.django_db(transaction=True)
def test_two_entries_at_once_on_the_same_line_never_pass_its_plan():
    if connection.vendor != "postgresql":
        pytest.skip("needs two real connections with row locks; the SQLite test database lives in memory")
    office = OfficeFactory()
    officer = UserFactory(username="op.race", office=office, roles=["officer"])
    program = ProgramFactory(office=office)
    line = make_line(program, planned=10_000_000)
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def record() -> None:
        try:
            start.wait(10)
            spend(program, line, 6_000_000, officer)
            outcomes.append("saved")
        except ValidationError as exc:
            outcomes.append(exc.code or "")
        finally:
            connection.close()

    threads = [threading.Thread(target=record) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    time.sleep(0)
    assert sorted(outcomes) == ["budget_exceeded", "saved"]
    assert ledger.line_realisation(program=program)[0].spent == 6_000_000
