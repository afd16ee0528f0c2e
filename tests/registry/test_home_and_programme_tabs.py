"""What needs each role now on the home page, and the programme page's groups and participants tabs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import login
from tests.factories import GroupFactory, MembershipFactory, ProgramFactory
from tunas.registry import services
from tunas.registry.models import GroupStatus, Verification

from .helpers import english, group_with_members

pytestmark = pytest.mark.django_db

DUPLICATE = [{"code": "possible_duplicate", "message": "…"}]


def needs(client) -> dict[str, int]:
    cards = client.get(reverse("core:home")).context["stat_cards"]
    return {str(card["data"]["label"]): card["data"]["count"] for card in cards}


# Home -------------------------------------------------------------------------------------------------------


def test_an_officer_sees_groups_waiting_for_verification_and_open_duplicate_warnings(
    officer, program, gianyar
):
    group_with_members(program, 2)
    group_with_members(program, 1)
    GroupFactory(program=program)  # no members yet: nothing to verify
    GroupFactory(program=program, status=GroupStatus.VERIFIED)
    MembershipFactory(group=GroupFactory(program=program), warnings=DUPLICATE)
    MembershipFactory(group=GroupFactory(program=program), warnings=DUPLICATE, warnings_resolved_by=officer)
    MembershipFactory(
        group=GroupFactory(program=program), warnings=DUPLICATE, verification=Verification.REJECTED
    )
    MembershipFactory(group=GroupFactory(program=ProgramFactory(office=gianyar)), warnings=DUPLICATE)
    counts = needs(english(login(officer)))
    expected = {"Groups waiting for verification": 5, "Members with unresolved duplicate warnings": 1}
    assert {label: counts.get(label) for label in expected} == expected


def test_the_home_cards_link_to_the_filtered_lists(officer, program):
    page = english(login(officer)).get(reverse("core:home")).content.decode()
    assert reverse("registry:group_list") + "?status=forming" in page
    assert reverse("registry:member_list") + "?warnings=open" in page


def test_a_verifier_sees_the_size_of_the_queue_with_a_link(verifier, program):
    group_with_members(program, 3)
    client = english(login(verifier))
    assert needs(client) == {"Members waiting in the verification queue": 3}
    assert reverse("registry:verification_queue") in client.get(reverse("core:home")).content.decode()


def test_a_viewer_has_no_registry_work_waiting(viewer, program):
    group_with_members(program, 1)
    assert needs(login(viewer)) == {}


def test_the_home_page_issues_the_same_few_queries_for_3_groups_as_for_30(admin_user, program):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def home_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert login(admin_user).get(reverse("core:home")).status_code == 200
        return len(queries)

    for i in range(3):
        group_with_members(program, 1, name=f"Kelompok {i:02d}")
    few = home_queries()
    for i in range(3, 30):
        group_with_members(program, 1, name=f"Kelompok {i:02d}")
    assert home_queries() == few <= 35


# Programme tabs ---------------------------------------------------------------------------------------------


def tab(client, program, name: str, **params):
    return client.get(reverse("programs:detail", args=[program.code]), {"tab": name, **params})


def test_the_groups_tab_lists_the_programmes_groups_with_add_and_import(as_officer, program, klungkung):
    group_with_members(program, 2, name="Lontar Besang")
    GroupFactory(program=ProgramFactory(office=klungkung), name="Di Program Lain")
    page = tab(english(as_officer), program, "groups").content.decode()
    assert "Lontar Besang" in page and "Di Program Lain" not in page
    assert reverse("registry:group_create", args=[program.code]) in page
    assert reverse("registry:import_upload", args=[program.code]) in page


def test_the_groups_tab_empty_state_says_what_to_do_first(as_officer, program):
    page = tab(english(as_officer), program, "groups").content.decode()
    assert "No groups yet — add one or import a spreadsheet." in page


def test_the_groups_tab_searches_and_pages_keep_the_tab(as_officer, program):
    for i in range(30):
        GroupFactory(program=program, name=f"Lontar {i:02d}")
    for i in range(3):
        GroupFactory(program=program, name=f"Jajan {i:02d}")
    response = tab(english(as_officer), program, "groups", q="Lontar")
    assert response.context["groups_page"].total.value == 30
    pagination = response.content.decode().split('aria-label="Pages"')[1]
    assert "tab=groups" in pagination and "q=Lontar" in pagination
    assert "after=" in pagination and "page=" not in pagination


def test_the_participants_tab_lists_members_and_filters_by_verification(as_officer, program, verifier):
    group, [a, b] = group_with_members(program, 2)
    services.member_verify(membership=a, approve=True, reason="", by=verifier)
    response = tab(english(as_officer), program, "participants", verification="approved")
    assert [m.pk for m in response.context["members_page"]] == [a.pk]
    assert a.person.nik in response.content.decode()


def test_a_viewer_gets_the_tabs_without_add_or_import_buttons(viewer, program):
    group_with_members(program, 1)
    for name in ["groups", "participants"]:
        page = tab(login(viewer), program, name).content.decode()
        assert reverse("registry:import_upload", args=[program.code]) not in page
        assert reverse("registry:group_create", args=[program.code]) not in page


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize("name", ["groups", "participants"])
def test_the_programme_tabs_issue_a_bounded_number_of_queries(
    as_officer, program, rows, name, django_assert_max_num_queries
):
    for i in range(rows):
        group_with_members(program, 1, name=f"Kelompok {i:02d}")
    with django_assert_max_num_queries(16):
        assert tab(as_officer, program, name).status_code == 200
