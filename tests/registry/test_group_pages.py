"""Group pages: the list with filters, sorting, export and bounded queries; create, edit, the group page."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import GroupFactory, ProgramFactory
from tunas.regions.models import Hamlet
from tunas.registry.models import Group, GroupStatus

from .helpers import PIKAT, SEMARAPURA_KAJA, english, group_with_members

pytestmark = pytest.mark.django_db

LIST_QUERY_BOUND = 12


@pytest.fixture
def as_officer(as_officer):
    return english(as_officer)


def sheet_rows(response) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(response.content))
    return list(workbook.active.iter_rows(values_only=True))


# The list ---------------------------------------------------------------------------------------------------


def test_the_group_list_shows_the_groups_of_the_office(as_officer, program):
    GroupFactory(program=program, name="Jajan Bali Sengguan")
    page = as_officer.get(reverse("registry:group_list")).content.decode()
    assert "Jajan Bali Sengguan" in page
    assert program.code in page


def test_an_empty_group_list_says_what_to_do_first(as_officer):
    page = as_officer.get(reverse("registry:group_list")).content.decode()
    assert "No groups yet" in page


def test_a_filter_without_result_offers_to_clear_it(as_officer, program):
    GroupFactory(program=program)
    page = as_officer.get(reverse("registry:group_list"), {"q": "tidak ada"}).content.decode()
    assert "No group matches these filters." in page


def test_the_group_list_filters_by_status_type_district_and_search(as_officer, program):
    GroupFactory(program=program, name="Lontar", business_type="kerajinan", village_id=SEMARAPURA_KAJA)
    GroupFactory(
        program=program,
        name="Keripik",
        business_type="olahan_pangan",
        village_id=PIKAT,
        status=GroupStatus.VERIFIED,
    )
    url = reverse("registry:group_list")

    def names(**params) -> set[str]:
        page = as_officer.get(url, params).context["page"]
        return {g.name for g in page}

    assert names(status="verified") == {"Keripik"}
    assert names(business_type="kerajinan") == {"Lontar"}
    assert names(district="51.05.04") == {"Keripik"}
    assert names(q="lont") == {"Lontar"}
    assert names(program=program.code) == {"Lontar", "Keripik"}


def test_the_group_list_sorts_by_member_count_both_ways(as_officer, program):
    group_with_members(program, 2, name="Dua")
    group_with_members(program, 1, name="Satu")
    url = reverse("registry:group_list")
    assert [g.name for g in as_officer.get(url, {"sort": "members"}).context["page"]] == ["Satu", "Dua"]
    assert [g.name for g in as_officer.get(url, {"sort": "-members"}).context["page"]] == ["Dua", "Satu"]


def test_an_unknown_sort_key_falls_back_to_the_default(as_officer, program):
    GroupFactory(program=program)
    response = as_officer.get(reverse("registry:group_list"), {"sort": "password"})
    assert response.status_code == 200
    assert response.context["sort"] == "program"


@pytest.mark.parametrize("rows", [3, 30])
def test_the_group_list_issues_a_bounded_number_of_queries(
    as_officer, program, rows, django_assert_max_num_queries
):
    for i in range(rows):
        group_with_members(program, 1, name=f"Kelompok {i:02d}")
    with django_assert_max_num_queries(LIST_QUERY_BOUND):
        response = as_officer.get(reverse("registry:group_list"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [3, 30])
def test_the_group_export_issues_a_bounded_number_of_queries(
    as_officer, program, rows, django_assert_max_num_queries
):
    for i in range(rows):
        group_with_members(program, 1, name=f"Kelompok {i:02d}")
    with django_assert_max_num_queries(LIST_QUERY_BOUND):
        response = as_officer.get(reverse("registry:group_export"))
    assert len(sheet_rows(response)) == rows + 1


def test_the_group_export_keeps_the_filters(as_officer, program):
    GroupFactory(program=program, name="Lontar", status=GroupStatus.VERIFIED)
    GroupFactory(program=program, name="Keripik")
    response = as_officer.get(reverse("registry:group_export"), {"status": "verified"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = sheet_rows(response)
    assert [r[1] for r in rows[1:]] == ["Lontar"]


# Create and edit --------------------------------------------------------------------------------------------


def test_an_officer_creates_a_group_with_a_new_hamlet(as_officer, program, officer):
    response = as_officer.post(
        reverse("registry:group_create", args=[program.code]),
        {
            "name": "Ngilur Bhuwana Sente",
            "business_type": "kerajinan",
            "business_description": "Tali ijuk",
            "village": PIKAT,
            "hamlet_name": "Dusun Sente",
        },
    )
    group = Group.objects.get(name="Ngilur Bhuwana Sente")
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:group_detail", args=[group.pk])
    assert (group.program, group.village_id, str(group.hamlet)) == (program, PIKAT, "Dusun Sente")
    assert Hamlet.objects.get(village_id=PIKAT, name="Sente").created_by == officer


def test_the_group_form_offers_the_villages_hamlets(as_officer, program):
    Hamlet.objects.create(village_id=SEMARAPURA_KAJA, name="Besang", kind="banjar")
    group = GroupFactory(program=program)
    page = as_officer.get(reverse("registry:group_edit", args=[group.pk])).content.decode()
    assert '<option value="Besang">Banjar Besang</option>' in page
    assert 'list="hamlet-options"' in page


def test_the_hamlet_options_follow_the_chosen_village(as_officer):
    Hamlet.objects.create(village_id=PIKAT, name="Sente", kind="dusun")
    page = as_officer.get(reverse("registry:hamlet_options"), {"village": PIKAT}).content.decode()
    assert "Sente" in page


def test_the_hamlet_options_stay_inside_the_users_jurisdiction(as_outsider):
    Hamlet.objects.create(village_id=PIKAT, name="Sente", kind="dusun")
    page = as_outsider.get(reverse("registry:hamlet_options"), {"village": PIKAT}).content.decode()
    assert "Sente" not in page


def test_a_group_form_error_is_shown_beside_its_field_with_its_code(as_officer, program):
    GroupFactory(program=program, name="Lontar")
    response = as_officer.post(
        reverse("registry:group_create", args=[program.code]),
        {"name": "LONTAR", "business_type": "kerajinan", "village": SEMARAPURA_KAJA},
    )
    assert response.status_code == 200
    assert "value_invalid" in response.context["form"].errors["name"][0]


def test_a_group_village_outside_the_office_is_unknown_to_the_picker(as_officer, program):
    response = as_officer.post(
        reverse("registry:group_create", args=[program.code]),
        {"name": "Luar", "business_type": "kerajinan", "village": "51.04.01.2001"},
    )
    assert "village_unknown" in response.context["form"].errors["village"][0]


def test_a_stale_group_edit_shows_the_conflict_and_keeps_the_typed_data(as_officer, program):
    group = GroupFactory(program=program, name="Lama")
    Group.objects.filter(pk=group.pk).update(version=2)
    response = as_officer.post(
        reverse("registry:group_edit", args=[group.pk]),
        {
            "name": "Nama yang saya ketik",
            "business_type": "kerajinan",
            "village": SEMARAPURA_KAJA,
            "version": 1,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "conflict" in page
    assert "Nama yang saya ketik" in page
    assert Group.objects.get(pk=group.pk).name == "Lama"


def test_an_edit_without_its_version_is_refused_as_stale(as_officer, program):
    group = GroupFactory(program=program, name="Lama")
    as_officer.post(
        reverse("registry:group_edit", args=[group.pk]),
        {"name": "Baru", "business_type": "kerajinan", "village": SEMARAPURA_KAJA},
    )
    assert Group.objects.get(pk=group.pk).name == "Lama"


# The group page ---------------------------------------------------------------------------------------------


def test_the_group_page_shows_who_where_what_and_the_status(as_officer, program):
    hamlet = Hamlet.objects.create(village_id=SEMARAPURA_KAJA, name="Besang", kind="banjar")
    group, members = group_with_members(
        program, 2, name="Lontar Besang", hamlet=hamlet, business_description="Anyaman lontar"
    )
    page = as_officer.get(reverse("registry:group_detail", args=[group.pk])).content.decode()
    for text in [
        "Lontar Besang",
        "Banjar Besang",
        "Semarapura Kaja",
        "Anyaman lontar",
        "Forming",
        members[0].person.full_name,
        members[0].person.nik,
        "Waiting for verification",
    ]:
        assert text in page


def test_the_group_page_offers_no_add_button_when_the_group_is_full(as_officer, klungkung):
    program = ProgramFactory(office=klungkung, group_size_min=1, group_size_max=1)
    group, _members = group_with_members(program, 1)
    page = as_officer.get(reverse("registry:group_detail", args=[group.pk])).content.decode()
    assert reverse("registry:member_add", args=[group.pk]) not in page
    assert "The group is full." in page


def test_the_group_page_asks_the_same_few_queries_for_3_members_as_for_20(as_officer, program):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(rows: int) -> int:
        group, _members = group_with_members(program, rows, name=f"Kelompok {rows}")
        with CaptureQueriesContext(connection) as queries:
            assert as_officer.get(reverse("registry:group_detail", args=[group.pk])).status_code == 200
        return len(queries)

    # The sections other apps add (trainings, aid, mentoring, products) ask a few each, never one per member.
    assert queries_for(3) == queries_for(20) <= LIST_QUERY_BOUND + 12


def test_a_new_group_form_renders_for_an_officer(as_officer, program):
    response = as_officer.get(reverse("registry:group_create", args=[program.code]))
    assert response.status_code == 200
    assert 'name="village"' in response.content.decode()
