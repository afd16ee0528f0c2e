"""Cash aid: a transfer per group is a spending entry, its accountability report is due 30 days later, the
purchases never pass the money, the remaining balance is returned, and a submitted report is locked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.conftest import login
from tunas.aid import selectors, services
from tunas.aid.models import CashTransfer
from tunas.programs.models import AidForm, Spending

from .factories import aid_program, selected_group
from .images import jpeg_bytes, pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def money_program(klungkung):
    return aid_program(klungkung, code="KLK-UANG-2026", aid_form=AidForm.MONEY)


@pytest.fixture
def cash_group(money_program):
    return selected_group(money_program, name="Tenun Cepuk Tanglad")


def transfer(group, by, *, amount=10_000_000, day=dt.date(2026, 10, 15), account="0123 4567 8901"):
    return services.transfer_record(
        group=group,
        budget_line=group.program.budget_lines.get(),
        bank="BPD Bali",
        account_holder="Kelompok Tenun",
        account_number=account,
        amount=amount,
        transferred_on=day,
        proof=SimpleUploadedFile("b.pdf", pdf_bytes()),
        by=by,
    )


def chapters() -> dict:
    return {
        "introduction": "Kelompok menerima bantuan uang usaha.",
        "business_idea": "Tenun cepuk untuk upacara.",
        "results": "Dua lembar kain per minggu.",
        "problems": "Harga benang naik.",
        "strategy": "Membeli benang bersama.",
        "closing": "Demikian laporan ini.",
    }


def test_a_transfer_is_a_spending_entry_and_opens_a_report_due_30_days_later(cash_group, officer):
    t = transfer(cash_group, officer)
    assert Spending.objects.get().source == f"aid.transfer:{t.pk}"
    assert t.report.due_on == dt.date(2026, 11, 14)


def test_the_account_number_is_stored_as_digits_and_shown_masked(cash_group, officer):
    t = transfer(cash_group, officer)
    page = login(officer).get(reverse("aid:report_detail", args=[t.report.pk])).content.decode()
    assert t.account_number == "012345678901"
    assert "••••••••8901" in page and "012345678901" not in page


def test_an_account_number_with_letters_is_refused_beside_it(cash_group, officer):
    with pytest.raises(ValidationError) as exc:
        transfer(cash_group, officer, account="12AB")
    assert set(exc.value.error_dict) == {"account_number"}
    assert not CashTransfer.objects.exists()


def test_a_zero_transfer_is_refused(cash_group, officer):
    with pytest.raises(ValidationError) as exc:
        transfer(cash_group, officer, amount=0)
    assert set(exc.value.error_dict) == {"amount"}


def test_cash_cannot_be_recorded_for_a_programme_that_gives_goods(goods_program, group, officer):
    with pytest.raises(ValidationError) as exc:
        transfer(group, officer)
    assert exc.value.code == "cash_not_money"


def test_a_second_transfer_past_the_aid_per_group_warns_with_the_sum(cash_group, officer):
    transfer(cash_group, officer, amount=8_000_000)
    second = transfer(cash_group, officer, amount=3_000_000)
    assert any("Rp 11.000.000" in w for w in second.warnings)


def test_report_purchases_never_pass_the_money_transferred(cash_group, officer):
    report = transfer(cash_group, officer).report
    services.report_purchase_add(
        report=report, bought_on=dt.date(2026, 10, 16), description="Benang", amount=9_000_000, by=officer
    )
    with pytest.raises(ValidationError) as exc:
        services.report_purchase_add(
            report=report, bought_on=dt.date(2026, 10, 17), description="Alat", amount=1_000_001, by=officer
        )
    assert exc.value.error_dict["amount"][0].code == "report_over_transfer"


def test_a_purchase_dated_before_the_transfer_is_refused(cash_group, officer):
    report = transfer(cash_group, officer).report
    with pytest.raises(ValidationError) as exc:
        services.report_purchase_add(
            report=report, bought_on=dt.date(2026, 10, 1), description="Benang", amount=1, by=officer
        )
    assert exc.value.error_dict["bought_on"][0].code == "date_before_transfer"


def test_returning_more_than_the_remaining_balance_is_refused(cash_group, officer):
    report = transfer(cash_group, officer).report
    services.report_purchase_add(
        report=report, bought_on=dt.date(2026, 10, 16), description="Benang", amount=9_500_000, by=officer
    )
    with pytest.raises(ValidationError) as exc:
        services.report_save(
            report=report, chapters={}, returned_amount=500_001, expected_version=None, by=officer
        )
    assert exc.value.error_dict["returned_amount"][0].code == "returned_over_balance"


def test_a_report_is_submitted_only_when_complete_and_is_then_locked(cash_group, officer):
    report = transfer(cash_group, officer).report
    with pytest.raises(ValidationError) as exc:
        services.report_submit(report=report, expected_version=None, by=officer)
    assert exc.value.code == "report_incomplete"
    services.report_purchase_add(
        report=report,
        bought_on=dt.date(2026, 10, 16),
        description="Benang",
        amount=9_500_000,
        receipt=SimpleUploadedFile("k.pdf", pdf_bytes()),
        photo=SimpleUploadedFile("f.jpg", jpeg_bytes()),
        by=officer,
    )
    report = services.report_save(
        report=report,
        chapters=chapters(),
        returned_amount=500_000,
        returned_on=dt.date(2026, 11, 10),
        expected_version=None,
        by=officer,
    )
    report = services.report_submit(report=report, expected_version=report.version, by=officer)
    assert report.status == "submitted"
    with pytest.raises(ValidationError) as exc:
        services.report_purchase_add(
            report=report, bought_on=dt.date(2026, 10, 18), description="X", amount=1, by=officer
        )
    assert exc.value.code == "report_submitted"


def test_an_overdue_report_is_listed_and_counted_on_the_officers_home(cash_group, officer, outsider):
    report = transfer(cash_group, officer, day=dt.date(2026, 9, 1)).report  # due 1 October
    assert list(selectors.reports_overdue(user=officer)) == [report]
    assert list(selectors.reports_overdue(user=outsider)) == []
    page = login(officer).get(reverse("aid:reports_overdue")).content.decode()
    assert cash_group.name in page
    assert reverse("aid:reports_overdue") in login(officer).get(reverse("core:home")).content.decode()


def test_a_report_due_later_is_not_overdue(cash_group, officer):
    transfer(cash_group, officer, day=dt.date(2026, 11, 20))
    assert not selectors.reports_overdue(user=officer, today=dt.date(2026, 12, 1)).exists()


def test_the_report_page_records_a_purchase_with_its_receipt(cash_group, officer):
    report = transfer(cash_group, officer).report
    response = login(officer).post(
        reverse("aid:report_purchase_add", args=[report.pk]),
        {
            "bought_on": "2026-10-20",
            "description": "Benang katun",
            "quantity": "10",
            "amount": "Rp 2.500.000",
            "receipt": SimpleUploadedFile("k.pdf", pdf_bytes()),
        },
    )
    assert response.status_code == 302
    row = report.purchases.get()
    assert row.amount == 2_500_000 and row.receipt


def test_a_cash_programme_leaves_the_aid_stage_only_when_every_selected_group_has_its_transfer(
    money_program, cash_group, officer
):
    from tunas.programs.lifecycle import missing_for_next_stage

    other = selected_group(money_program, name="Lukis Kamasan")
    transfer(cash_group, officer)
    missing = " ".join(missing_for_next_stage(money_program))
    assert "Lukis Kamasan" in missing and "Tenun Cepuk" not in missing
    transfer(other, officer)
    assert not any("Lukis Kamasan" in m for m in missing_for_next_stage(money_program))
