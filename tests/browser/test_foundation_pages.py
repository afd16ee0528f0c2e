"""The foundation pages in a real browser, at phone and desktop widths."""

import pytest

from .conftest import DESKTOP, PHONE, screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("viewport,label", [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_officer_signs_in_and_sees_the_programme_list_without_horizontal_scroll(
    page_factory, klungkung_world, viewport, label
):
    page = page_factory(viewport)
    sign_in(page, "operator")
    page.goto(page.base + "/program/")
    assert page.locator("h1").inner_text() == "Program"
    assert page.get_by_role("link", name="KLK-TKM-2026").is_visible()
    # Nothing wider than the screen: a phone user never scrolls sideways.
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    screenshot(page, f"program-list-{label}")


def test_programme_page_shows_the_lifecycle_with_the_current_stage(page_factory, klungkung_world):
    page = page_factory(DESKTOP)
    sign_in(page, "operator")
    page.goto(page.base + "/program/KLK-TKM-2026/")
    current = page.locator(".stepper li.current")
    assert current.count() == 1
    assert current.inner_text().strip().endswith("Pendaftaran")
    screenshot(page, "program-detail-desktop")


def test_village_picker_finds_semarapura_kaja_by_part_of_its_name(page_factory, klungkung_world):
    page = page_factory(PHONE)
    sign_in(page, "operator")
    page.goto(page.base + "/wilayah/")
    page.fill("#village-q", "kaja")
    option = page.locator("[data-village-code='51.05.03.1008']")
    option.wait_for()
    assert "Semarapura Kaja" in option.inner_text()
    screenshot(page, "village-picker-phone")


def test_language_switcher_turns_the_page_into_english_and_back(page_factory, klungkung_world):
    page = page_factory(DESKTOP)
    page.goto(page.base + "/akun/masuk/")
    assert page.locator("h1").inner_text() == "Masuk ke Tunas"
    # Choosing a language submits the switcher's form; wait for the page it reloads.
    with page.expect_navigation():
        page.select_option("#language-select", "en")
    assert page.locator("h1").inner_text() == "Sign in to Tunas"
    with page.expect_navigation():
        page.select_option("#language-select", "id")
    assert page.locator("h1").inner_text() == "Masuk ke Tunas"


def test_outsider_from_another_regency_gets_not_found_on_a_klungkung_programme(page_factory, klungkung_world):
    page = page_factory(DESKTOP)
    sign_in(page, "operator.gianyar")
    response = page.goto(page.base + "/program/KLK-TKM-2026/")
    assert response.status == 404


def test_new_programme_form_refuses_minimum_above_maximum_and_keeps_the_input(page_factory, klungkung_world):
    page = page_factory(PHONE)
    sign_in(page, "operator")
    page.goto(page.base + "/program/baru/")
    page.fill("input[name=code]", "KLK-TKM-2027")
    page.fill("input[name=name]", "Wirausaha Baru 2027")
    page.fill("input[name=fiscal_year]", "2027")
    page.select_option("select[name=funding_source]", "apbd_kab")
    page.fill("input[name=budget_total]", "Rp 50.000.000")
    page.fill("input[name=aid_per_group]", "10.000.000")
    page.fill("input[name=group_size_min]", "12")
    page.fill("input[name=group_size_max]", "10")
    page.click("#program-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#form-errors").is_visible()
    assert page.locator("input[name=group_size_min].is-invalid").count() == 1
    assert page.input_value("input[name=code]") == "KLK-TKM-2027"
    screenshot(page, "program-form-error-phone")
