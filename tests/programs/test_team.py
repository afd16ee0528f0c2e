"""The verification team page: the programme's own officers keep the team that signs its selection record."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import login
from tests.factories import UserFactory
from tunas.programs import numbering
from tunas.programs.models import DocumentKind, TeamPosition, VerificationTeamMember

from .helpers import english

pytestmark = pytest.mark.django_db


def url(program) -> str:
    return reverse("programs:team", args=[program.code])


def team_data(rows: list[tuple[str, str, str]], *, initial: int = 0, delete: tuple[int, ...] = ()) -> dict:
    data = {
        "team-TOTAL_FORMS": str(len(rows)),
        "team-INITIAL_FORMS": str(initial),
        "team-MIN_NUM_FORMS": "0",
        "team-MAX_NUM_FORMS": "30",
    }
    for i, (name, nip, position) in enumerate(rows):
        data[f"team-{i}-name"] = name
        data[f"team-{i}-nip"] = nip
        data[f"team-{i}-position"] = position
        if i in delete:
            data[f"team-{i}-DELETE"] = "on"
    return data


def saved(program) -> list[tuple[str, str, str]]:
    return [(m.name, m.nip, m.position) for m in numbering.verification_team_list(program=program)]


TEAM = [
    ("I Wayan Sumerta, S.Sos.", "197503102000031004", TeamPosition.CHAIR),
    ("Ni Luh Sukerti", "19820714 200604 2 012", TeamPosition.SECRETARY),
    ("Ni Kadek Ayu Lestari", "", TeamPosition.MEMBER),
]


# Who may open it --------------------------------------------------------------------------------------------


def test_an_officer_of_the_programme_office_opens_the_page_with_a_chair_secretary_and_member_to_fill(
    as_officer, program
):
    response = english(as_officer).get(url(program))
    assert response.status_code == 200
    formset = response.context["formset"]
    assert [f.initial["position"] for f in formset.forms] == ["ketua", "sekretaris", "anggota"]
    page = response.content.decode()
    assert "Verification team" in page
    assert reverse("registry:selection_record_pdf", args=[program.code]) in page
    assert "Not numbered yet" in page
    assert page.count("18 digits; leave empty for a member who is not a civil servant.") == 1  # first row


def test_an_administrator_of_the_office_may_keep_the_team(admin_user, program):
    response = login(admin_user).post(url(program), team_data(TEAM))
    assert response.status_code == 302


@pytest.mark.parametrize("role", ["viewer", "verifier"])
def test_other_roles_of_the_office_are_refused(role, request, program):
    client = login(request.getfixturevalue(role))
    assert client.get(url(program)).status_code == 403
    assert client.post(url(program), team_data(TEAM)).status_code == 403
    assert not VerificationTeamMember.objects.exists()


@pytest.mark.parametrize("role", ["mentor", "instructor"])
def test_roles_that_read_no_programme_find_no_team_page(role, request, program):
    client = login(request.getfixturevalue(role))
    assert client.get(reverse("programs:detail", args=[program.code])).status_code == 404
    assert client.get(url(program)).status_code == 404
    assert client.post(url(program), team_data(TEAM)).status_code == 404


def test_an_officer_of_another_regency_gets_not_found(as_outsider, program):
    assert as_outsider.get(url(program)).status_code == 404
    assert as_outsider.post(url(program), team_data(TEAM)).status_code == 404
    assert not VerificationTeamMember.objects.exists()


def test_a_province_officer_reads_the_programme_but_may_not_keep_its_team(bali_province, program):
    province_officer = UserFactory(username="operator.bali", office=bali_province, roles=["officer"])
    client = login(province_officer)
    assert client.get(reverse("programs:detail", args=[program.code])).status_code == 200
    assert client.get(url(program)).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client, program):
    response = client.get(url(program))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


# Editing ----------------------------------------------------------------------------------------------------


def test_saving_keeps_the_rows_in_order_and_nips_without_spaces(as_officer, program):
    response = as_officer.post(url(program), team_data([*TEAM, ("", "", TeamPosition.MEMBER)]))
    assert response.status_code == 302 and response["Location"] == url(program)
    assert saved(program) == [
        ("I Wayan Sumerta, S.Sos.", "197503102000031004", "ketua"),
        ("Ni Luh Sukerti", "198207142006042012", "sekretaris"),
        ("Ni Kadek Ayu Lestari", "", "anggota"),
    ]
    page = as_officer.get(url(program)).content.decode()
    assert "I Wayan Sumerta, S.Sos." in page and "Ni Kadek Ayu Lestari" in page


def test_add_a_row_returns_the_form_with_one_empty_row_more_and_saves_nothing(as_officer, program):
    response = as_officer.post(url(program), {**team_data(TEAM), "add_row": "1"})
    assert response.status_code == 200
    forms = response.context["formset"].forms
    assert len(forms) == 4
    assert forms[0]["name"].value() == "I Wayan Sumerta, S.Sos." and not forms[3]["name"].value()
    assert saved(program) == []


def test_a_row_marked_for_removal_leaves_the_team(as_officer, program):
    as_officer.post(url(program), team_data(TEAM))
    as_officer.post(url(program), team_data(TEAM, initial=3, delete=(1,)))
    assert [name for name, _nip, _position in saved(program)] == [
        "I Wayan Sumerta, S.Sos.",
        "Ni Kadek Ayu Lestari",
    ]


def test_a_nip_of_other_than_18_digits_is_refused_beside_the_field(as_officer, program):
    response = english(as_officer).post(
        url(program), team_data([("I Gede Darmawan", "1988110520110110", "anggota")])
    )
    assert response.status_code == 200
    assert "A NIP has exactly 18 digits." in response.content.decode()
    assert saved(program) == []


def test_a_nip_without_a_name_is_refused(as_officer, program):
    response = english(as_officer).post(url(program), team_data([("", "198811052011011003", "anggota")]))
    assert "Enter the name of the team member with this NIP." in response.content.decode()


def test_a_team_has_one_chair(as_officer, program):
    rows = [("I Wayan Sumerta", "", "ketua"), ("Ni Luh Sukerti", "", "ketua")]
    response = english(as_officer).post(url(program), team_data(rows))
    assert response.status_code == 200
    assert "A verification team has one chair; make the others members." in response.content.decode()
    assert saved(program) == []


def test_the_page_shows_the_number_once_the_record_is_numbered(as_officer, program):
    import datetime as dt

    numbering.document_number_issue(
        program=program, kind=DocumentKind.SELECTION_RECORD, day=dt.date(2018, 8, 31)
    )
    page = english(as_officer).get(url(program)).content.decode()
    assert "Numbered 001/BA-SELEKSI/DISPERINAKER/VIII/2018, dated 31 August 2018." in page
