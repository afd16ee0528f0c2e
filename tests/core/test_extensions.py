"""The contribution registries: an app plugs its pieces into lower layers without editing them."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.urls import reverse

from tests.factories import GroupFactory, MembershipFactory
from tunas.core.extensions import HomeCard, NavItem, Registry, home_cards, nav_items
from tunas.programs import lifecycle
from tunas.programs.extensions import (
    DossierSection,
    ProgramTab,
    StageCheck,
    dossier_sections,
    program_tabs,
    stage_checks,
)
from tunas.reports.generators import ReportGenerator, reports
from tunas.reports.renderers import Column

pytestmark = pytest.mark.django_db


class _Item:
    def __init__(self, key: str, order: int) -> None:
        self.key, self.order = key, order


def test_a_registry_refuses_a_key_registered_twice():
    registry: Registry[_Item] = Registry("things")
    registry.register(_Item("a", 1))
    with pytest.raises(ImproperlyConfigured, match="'a' is registered twice"):
        registry.register(_Item("a", 2))


def test_a_registry_reads_its_items_by_order_then_key():
    registry: Registry[_Item] = Registry("things")
    for key, order in [("c", 2), ("b", 1), ("a", 2)]:
        registry.register(_Item(key, order))
    assert [item.key for item in registry] == ["b", "a", "c"]


def test_a_temporary_registration_is_gone_after_its_block():
    registry: Registry[_Item] = Registry("things")
    with registry.register_temporarily(_Item("x", 0)):
        assert "x" in registry
    assert "x" not in registry


class ThrowAwayReport(ReportGenerator):
    code = "throwaway"
    title = "Throw-away report"
    description = "Registered by a test only."

    def is_available_to(self, user) -> bool:
        return True

    def columns(self, user) -> list[Column]:
        return [Column("word", "Word")]

    def rows(self, user, filters):
        return [{"word": "=1+1"}, {"word": "kuda"}]


def _tab_context(request, program):
    return {"throwaway_word": f"tab-of-{program.code}"}


THROWAWAY = {
    "tab": ProgramTab(
        key="throwaway",
        label="Throw-away tab",
        order=99,
        template="tests/throwaway_tab.html",
        context=_tab_context,
    ),
    "section": DossierSection(key="throwaway", order=99, build=lambda program: {"code": program.code}),
    "check": StageCheck(
        key="throwaway", stage="registration", order=99, missing=lambda program: ["Feed the throw-away."]
    ),
    "card": HomeCard(
        key="throwaway",
        order=99,
        template="core/partials/_stat_card.html",
        build=lambda user: {"count": 7, "label": "Throw-away things", "url": "/throwaway/"},
    ),
    "nav": NavItem(key="throwaway", order=99, label="Throw-away place", url_name="core:home"),
}


@pytest.fixture
def throwaway(settings, tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "throwaway_tab.html").write_text("<p id='throwaway'>{{ throwaway_word }}</p>")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], str(tmp_path)]},
    ]
    with (
        program_tabs.register_temporarily(THROWAWAY["tab"]),
        dossier_sections.register_temporarily(THROWAWAY["section"]),
        stage_checks.register_temporarily(THROWAWAY["check"]),
        home_cards.register_temporarily(THROWAWAY["card"]),
        nav_items.register_temporarily(THROWAWAY["nav"]),
        reports.register_temporarily(ThrowAwayReport()),
    ):
        yield


def test_a_new_app_plugs_a_tab_into_the_programme_page(throwaway, as_officer, program):
    url = reverse("programs:detail", args=[program.code])
    page = as_officer.get(url).content.decode()
    assert "Throw-away tab" in page and "?tab=throwaway" in page
    assert "tab-of-KLK-TST-2026" in as_officer.get(url, {"tab": "throwaway"}).content.decode()


def test_a_tab_asked_for_by_htmx_comes_as_the_partial_with_the_tab_row(throwaway, as_officer, program):
    url = reverse("programs:detail", args=[program.code])
    response = as_officer.get(url, {"tab": "throwaway"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="program-tab")
    body = response.content.decode()
    assert "tab-of-KLK-TST-2026" in body
    assert 'id="program-tabs" hx-swap-oob="true"' in body
    assert "<html" not in body


def test_a_new_app_plugs_a_section_into_the_dossier(throwaway, program):
    out = StringIO()
    call_command("export_program", program.code, "--json", stdout=out)
    assert json.loads(out.getvalue())["throwaway"] == {"code": "KLK-TST-2026"}


def test_a_new_app_plugs_a_check_into_what_is_missing(throwaway, program):
    assert program.status == "registration"
    assert "Feed the throw-away." in lifecycle.missing_for_next_stage(program)


def test_a_new_app_plugs_a_card_and_a_navigation_entry_into_the_home_page(throwaway, as_officer):
    page = as_officer.get(reverse("core:home")).content.decode()
    assert "Throw-away things" in page and "/throwaway/" in page
    assert "Throw-away place" in page


def test_a_new_app_plugs_a_report_into_the_report_list_and_its_cells_stay_text(throwaway, as_officer):
    page = as_officer.get(reverse("reports:list")).content.decode()
    assert "Throw-away report" in page
    csv = b"".join(as_officer.get(reverse("reports:download", args=["throwaway", "csv"])).streaming_content)
    assert "'=1+1" in csv.decode("utf-8-sig")


def test_without_the_registration_nothing_of_it_shows(as_officer, program):
    page = as_officer.get(reverse("programs:detail", args=[program.code])).content.decode()
    assert "Throw-away tab" not in page
    assert "throwaway" not in reports


def test_the_dossier_keeps_its_keys_and_their_order(program):
    """export_program --json is an interface: its keys and their order are pinned."""
    group = GroupFactory(program=program)
    MembershipFactory(group=group)
    out = StringIO()
    call_command("export_program", program.code, "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert list(data) == [
        "program", "groups", "trainings", "aid", "visits", "progress_reports", "products", "budget",
    ]  # fmt: skip
    assert list(data["program"]) == [
        "code", "name", "fiscal_year", "funding_source", "office", "budget_total", "budget_lines",
        "group_size_min", "group_size_max", "aid_form", "aid_per_group", "status", "eligibility", "stages",
    ]  # fmt: skip
    assert list(data["program"]["eligibility"]) == [
        "min_age", "max_age", "categories", "aid_lookback_months", "domicile_in_jurisdiction",
    ]  # fmt: skip
    assert list(data["program"]["stages"]) == [
        "registration_start", "registration_end", "verification_start", "verification_end",
        "training_start", "training_end", "aid_date", "mentoring_until", "evaluation_date",
    ]  # fmt: skip
    assert list(data["groups"][0]) == ["name", "business_type", "village_code", "hamlet", "status", "members"]
    assert list(data["groups"][0]["members"][0]) == [
        "nik", "name", "sex", "birth_date", "categories", "role", "verification",
    ]  # fmt: skip
