"""The audit trail in the app: a member's and a group's history, and the administrator's office-wide trail."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import login
from tests.factories import ProgramFactory

from .helpers import english, form_data, group_with_members, person_data

pytestmark = pytest.mark.django_db


def edit_name(client, membership, name: str) -> None:
    data = person_data(nik=membership.person.nik, full_name=name)
    response = client.post(
        reverse("registry:member_edit", args=[membership.pk]),
        {**form_data(data), "version": membership.version},
    )
    assert response.status_code == 302


def test_a_members_history_shows_who_changed_what_from_which_value_to_which(as_officer, officer, program):
    group, [m] = group_with_members(program, 1)
    old_name = m.person.full_name
    edit_name(as_officer, m, "I Made Nama Baru")
    page = english(as_officer).get(reverse("registry:member_trail", args=[m.pk])).content.decode()
    assert old_name in page and "I Made Nama Baru" in page
    assert officer.username in page or officer.get_full_name() in page
    assert m.person.nik not in page
    assert "••••••••••••" + m.person.nik[-4:] in page


def test_a_groups_history_shows_its_members_joining(as_officer, program):
    group, [m, _other] = group_with_members(program, 2)
    page = english(as_officer).get(reverse("registry:group_trail", args=[group.pk])).content.decode()
    assert m.person.full_name in page
    assert "created" in page


@pytest.mark.parametrize("role", ["viewer", "mentor"])
def test_roles_that_may_not_see_personal_data_do_not_see_its_history(role, request, program):
    group, [m] = group_with_members(program, 1)
    client = login(request.getfixturevalue(role))
    assert client.get(reverse("registry:member_trail", args=[m.pk])).status_code == 403
    assert client.get(reverse("registry:group_trail", args=[group.pk])).status_code == 403


def test_an_outsider_cannot_open_another_offices_history(program, gianyar):
    from tests.factories import UserFactory

    outsider = UserFactory(username="operator.gianyar", office=gianyar, roles=["officer", "admin"])
    group, [m] = group_with_members(program, 1)
    client = login(outsider)
    assert client.get(reverse("registry:member_trail", args=[m.pk])).status_code == 404
    assert client.get(reverse("registry:group_trail", args=[group.pk])).status_code == 404
    page = client.get(reverse("registry:office_trail")).content.decode()
    assert m.person.full_name not in page


def test_the_office_trail_is_the_administrators_and_filters_by_user(admin_user, officer, program):
    group, [m] = group_with_members(program, 1)
    edit_name(login(officer), m, "I Made Diubah Operator")
    assert login(officer).get(reverse("registry:office_trail")).status_code == 403
    client = english(login(admin_user))
    page = client.get(reverse("registry:office_trail"), {"who": officer.pk}).content.decode()
    assert "I Made Diubah Operator" in page
    page = client.get(reverse("registry:office_trail"), {"who": admin_user.pk}).content.decode()
    assert "I Made Diubah Operator" not in page


def test_the_office_trail_exports_its_changes_with_the_nik_masked(admin_user, officer, program):
    group, [m] = group_with_members(program, 1)
    edit_name(login(officer), m, "I Made Untuk Ekspor")
    response = login(admin_user).get(reverse("registry:office_trail_export"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "I Made Untuk Ekspor" in cells
    assert not any(m.person.nik in c for c in cells)


@pytest.mark.parametrize("changes", [2, 20])
def test_the_office_trail_issues_a_bounded_number_of_queries(
    admin_user, program, changes, django_assert_max_num_queries
):
    for i in range(changes):
        group_with_members(ProgramFactory(office=program.office), 1, name=f"Kelompok {i}")
    client = login(admin_user)
    with django_assert_max_num_queries(30):
        assert client.get(reverse("registry:office_trail")).status_code == 200
