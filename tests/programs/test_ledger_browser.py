"""The Budget tab in a real browser, on a phone (360 px) and a laptop: an officer records an entry with its
receipt scan, sees the warning past 90 %, and nothing on the page is wider than the screen.

Screenshots: test-artifacts/ledger-*.png.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.conftest import (  # noqa: F401 - fixtures
    DESKTOP,
    PHONE,
    klungkung_world,
    screenshot,
    sign_in,
)
from tunas.programs import ledger
from tunas.programs.models import BudgetLine, Spending

from .test_ledger import pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ledger_world(klungkung_world):  # noqa: F811 - the fixture imported above
    program, officer = klungkung_world["program"], klungkung_world["officer"]
    tools = BudgetLine.objects.create(program=program, name="Bantuan peralatan usaha", planned=40_000_000)
    BudgetLine.objects.create(program=program, name="Honorarium instruktur", planned=6_000_000, position=1)
    BudgetLine.objects.create(program=program, name="Konsumsi pelatihan", planned=4_000_000, position=2)
    ledger.spending_record(
        program=program,
        budget_line=tools,
        spent_on=dt.date(2026, 11, 10),
        amount=35_000_000,
        description="Alat kukus dan cetakan jajan Bali",
        paid_for="Kelompok Jajan Sengguan",
        source="aid.purchase:1",
        by=officer,
    )
    return {**klungkung_world, "tools": tools}


@pytest.mark.parametrize("viewport,name", [(PHONE, "phone"), (DESKTOP, "laptop")])
def test_an_officer_records_spending_with_a_receipt_and_sees_the_warning(
    page_factory,  # noqa: F811 - the fixture imported above
    ledger_world,
    viewport,
    name,
    tmp_path,
):
    program = ledger_world["program"]
    page = page_factory(viewport=viewport)
    sign_in(page, "operator")
    page.goto(f"{page.base}/program/{program.code}/?tab=budget")
    assert page.locator("#budget-realisation").is_visible()
    assert "87,5%" in page.locator("#budget-realisation").inner_text()
    screenshot(page, f"ledger-tab-{name}")

    receipt = tmp_path / "kwitansi.pdf"
    receipt.write_bytes(pdf_bytes())
    page.locator("#spending-add summary").click()
    page.select_option("#id_spending_budget_line", str(ledger_world["tools"].pk))
    page.fill("#id_spending_spent_on", "2026-11-20")
    page.fill("#id_spending_amount", "2.500.000")
    page.fill("#id_spending_description", "Pemotong dan pengukir lontar")
    page.set_input_files("#id_spending_receipt", str(receipt))
    page.locator("#spending-add button[type=submit]").click()
    page.wait_for_load_state("networkidle")

    assert "93,8%" in page.content()
    assert page.locator(".alert-warning, .alert").filter(has_text="93,8%").count() >= 1
    entry = Spending.objects.get(description="Pemotong dan pengukir lontar")
    assert entry.amount == 2_500_000 and entry.receipt
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], "the page is wider than the screen"
    screenshot(page, f"ledger-recorded-{name}")
