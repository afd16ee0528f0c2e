"""A person's identity is one record nationally, corrected only by its owner office; what a person declares
for a programme stays on that registration, as it was; after a decision, a change goes back to the queue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.conftest import code_shown, login
from tests.factories import GroupFactory, ProgramFactory, UserFactory
from tunas.programs.models import Stage
from tunas.registry import documents, services
from tunas.registry.models import Membership, Person, Verification

from .helpers import BATUBULAN_GIANYAR, PIKAT, english, form_data, person_data

pytestmark = pytest.mark.django_db

GIANYAR_NIK = "5104014404850007"


def codes(exc: ValidationError) -> set[str]:
    return {e.code for errors in exc.error_dict.values() for e in errors}


@pytest.fixture
def gianyar_registration(gianyar):
    program = ProgramFactory(office=gianyar, code="GIA-TKM-2026", aid_date=dt.date(2018, 9, 6))
    group = GroupFactory(program=program, village_id=BATUBULAN_GIANYAR)
    data = person_data(
        nik=GIANYAR_NIK,
        full_name="Ni Komang Gianyar",
        sex="F",
        birth_date=dt.date(1985, 4, 4),
        village_id=BATUBULAN_GIANYAR,
        phone="+6281200000001",
    )
    return services.member_register(group=group, data=data)


def test_another_office_cannot_overwrite_a_persons_identity(as_officer, program, gianyar_registration):
    """Finding 1: Klungkung adds Gianyar's NIK with another name, village and phone."""
    group = GroupFactory(program=program)
    data = person_data(
        nik=GIANYAR_NIK,
        full_name="Ni Komang Klungkung",
        sex="F",
        birth_date=dt.date(1985, 4, 4),
        phone="+6281299999999",
    )
    with pytest.raises(ValidationError) as refused:
        services.member_register(group=group, data=data)
    assert codes(refused.value) == {"identity_mismatch"}
    assert "Ni Komang Gianyar" not in str(refused.value)
    gianyar_registration.refresh_from_db()
    person = Person.objects.get(nik=GIANYAR_NIK)
    assert person.full_name == "Ni Komang Gianyar"
    assert (gianyar_registration.village_id, gianyar_registration.phone) == (
        BATUBULAN_GIANYAR,
        "+6281200000001",
    )


def test_the_member_form_refuses_another_offices_person_with_the_code(
    as_officer, program, gianyar_registration
):
    group = GroupFactory(program=program)
    data = person_data(nik=GIANYAR_NIK, full_name="Nama Lain", sex="F", birth_date=dt.date(1985, 4, 4))
    page = english(as_officer).post(reverse("registry:member_add", args=[group.pk]), form_data(data))
    assert code_shown("identity_mismatch") in page.content.decode()
    assert Person.objects.get(nik=GIANYAR_NIK).full_name == "Ni Komang Gianyar"


def test_the_same_identity_may_register_elsewhere_and_each_registration_keeps_its_own_address(
    program, gianyar_registration
):
    data = person_data(
        nik=GIANYAR_NIK,
        full_name="NI KOMANG  GIANYAR",
        sex="F",
        birth_date=dt.date(1985, 4, 4),
        phone="+6281277777777",
    )
    m = services.member_register(group=GroupFactory(program=program), data=data)
    gianyar_registration.refresh_from_db()
    assert (m.village_id, m.phone) == ("51.05.03.1008", "+6281277777777")
    assert (gianyar_registration.village_id, gianyar_registration.phone) == (
        BATUBULAN_GIANYAR,
        "+6281200000001",
    )
    assert Person.objects.get(nik=GIANYAR_NIK).full_name == "Ni Komang Gianyar"


def test_a_later_programme_does_not_rewrite_an_earlier_programmes_records(klungkung, verifier):
    """Finding 2: a 2018 participant added to a 2027 group with a new village."""
    old = ProgramFactory(
        office=klungkung, code="KLK-TKM-2018", fiscal_year=2018, aid_date=dt.date(2018, 9, 4)
    )
    old_group = GroupFactory(program=old, name="Lontar Besang")
    data = person_data(village_id="51.05.03.1008", street="Banjar Besang")
    earlier = services.member_register(group=old_group, data=data)
    services.member_verify(membership=earlier, approve=True, reason="", by=verifier)
    services.group_verify(group=old_group, approve=True, reason="", by=verifier)
    rejected_programme = ProgramFactory(
        office=klungkung, code="KLK-TKM-2026", fiscal_year=2026, aid_date=None
    )
    rejected = services.member_register(
        group=GroupFactory(program=rejected_programme),
        data=person_data(
            nik=data.nik, full_name=data.full_name, birth_date=data.birth_date, village_id="51.05.03.1011"
        ),
    )
    services.member_verify(membership=rejected, approve=False, reason="Bukan sasaran", by=verifier)
    new = ProgramFactory(office=klungkung, code="KLK-TKM-2027", fiscal_year=2027, aid_date=None)
    services.member_register(
        group=GroupFactory(program=new, village_id=PIKAT),
        data=person_data(
            nik=data.nik, full_name=data.full_name, birth_date=data.birth_date, village_id=PIKAT
        ),
    )
    earlier.refresh_from_db()
    rejected.refresh_from_db()
    assert (earlier.village_id, earlier.street) == ("51.05.03.1008", "Banjar Besang")
    assert rejected.village_id == "51.05.03.1011"
    record = documents.selection_record_context(program=old, day=dt.date(2018, 8, 31))
    [entry] = record["groups"]
    assert entry["members"][0].village.code == "51.05.03.1008"


def test_an_identity_corrected_by_its_owner_sends_approved_open_registrations_back_to_the_queue(
    klungkung, verifier
):
    # The earlier programme handed its aid over long ago, but its group is still open (verified).
    program = ProgramFactory(office=klungkung, code="KLK-TKM-2018", aid_date=dt.date(2018, 9, 4))
    first = services.member_register(group=GroupFactory(program=program), data=person_data())
    services.member_verify(membership=first, approve=True, reason="", by=verifier)
    type(first.group).objects.filter(pk=first.group_id).update(status="verified")
    other = ProgramFactory(office=klungkung, code="KLK-TKM-2027", aid_date=None)
    data = person_data(
        nik=first.person.nik, full_name="I Made Nama Benar", birth_date=first.person.birth_date
    )
    services.member_register(group=GroupFactory(program=other), data=data)
    first.refresh_from_db()
    assert first.person.full_name == "I Made Nama Benar"
    assert (first.verification, first.verified_by) == (Verification.PENDING, None)


def test_editing_what_the_verifier_checked_sends_an_approved_member_back_to_the_queue(
    as_officer, program, verifier
):
    m = services.member_register(group=GroupFactory(program=program), data=person_data())
    services.member_verify(membership=m, approve=True, reason="", by=verifier)
    m.refresh_from_db()
    data = person_data(
        nik=m.person.nik, full_name=m.person.full_name, birth_date=m.person.birth_date, village_id=PIKAT
    )
    response = english(as_officer).post(
        reverse("registry:member_edit", args=[m.pk]), {**form_data(data), "version": m.version}, follow=True
    )
    m.refresh_from_db()
    assert (m.verification, m.verified_by, m.verified_at) == (Verification.PENDING, None, None)
    assert code_shown("back_to_verification") in response.content.decode()


def test_a_phone_change_after_a_decision_keeps_the_decision(program, verifier):
    m = services.member_register(group=GroupFactory(program=program), data=person_data())
    services.member_verify(membership=m, approve=True, reason="", by=verifier)
    m.refresh_from_db()
    data = person_data(
        nik=m.person.nik, full_name=m.person.full_name, birth_date=m.person.birth_date, phone="+6281211112222"
    )
    services.member_update(membership=m, data=data, role=m.role, expected_version=m.version)
    m.refresh_from_db()
    assert (m.verification, m.verified_by) == (Verification.APPROVED, verifier)


def test_the_beneficiary_cannot_be_swapped_after_verification(program, verifier):
    """Finding 6: an approved member edited to another NIK and name stays approved no more."""
    m = services.member_register(group=GroupFactory(program=program), data=person_data())
    services.member_verify(membership=m, approve=True, reason="", by=verifier)
    m.refresh_from_db()
    swapped = person_data(full_name="Orang Lain Sama Sekali")
    services.member_update(membership=m, data=swapped, role=m.role, expected_version=m.version)
    m.refresh_from_db()
    assert m.person.nik == swapped.nik
    assert (m.verification, m.verified_by) == (Verification.PENDING, None)


def test_a_closed_programme_is_read_only_for_everyone(program, admin_user):
    m = services.member_register(group=GroupFactory(program=program), data=person_data())
    type(program).objects.filter(pk=program.pk).update(status=Stage.CLOSED)
    m = Membership.objects.get(pk=m.pk)
    data = person_data(nik=m.person.nik, full_name="Diubah", birth_date=m.person.birth_date)
    with pytest.raises(ValidationError) as refused:
        services.member_update(
            membership=m, data=data, role=m.role, expected_version=m.version, by=admin_user, reason="x"
        )
    assert refused.value.code == "programme_closed"
    page = login(admin_user).get(reverse("registry:member_detail", args=[m.pk])).content.decode()
    assert reverse("registry:member_edit", args=[m.pk]) not in page


def test_past_verification_only_an_administrator_with_a_reason_may_change_registry_data(
    program, officer, admin_user
):
    m = services.member_register(group=GroupFactory(program=program), data=person_data())
    type(program).objects.filter(pk=program.pk).update(status=Stage.TRAINING)
    m = Membership.objects.get(pk=m.pk)
    data = person_data(
        nik=m.person.nik, full_name=m.person.full_name, birth_date=m.person.birth_date, phone="+6281233334444"
    )
    with pytest.raises(ValidationError) as refused:
        services.member_update(membership=m, data=data, role=m.role, expected_version=m.version, by=officer)
    assert refused.value.code == "registry_locked"
    with pytest.raises(ValidationError) as no_reason:
        services.member_update(
            membership=m, data=data, role=m.role, expected_version=m.version, by=admin_user
        )
    assert codes(no_reason.value) == {"required"}
    services.member_update(
        membership=m,
        data=data,
        role=m.role,
        expected_version=m.version,
        by=admin_user,
        reason="Nomor HP salah ketik",
    )
    m.refresh_from_db()
    assert m.phone == "+6281233334444"
    assert m.history.first().history_change_reason == "Nomor HP salah ketik"


def test_names_are_kept_in_one_unicode_form_without_invisible_characters(program):
    typed = "Ni Luh Se\u0301kar\u200b Sari"  # an e with a combining accent, and a zero-width space
    m = services.member_register(group=GroupFactory(program=program), data=person_data(full_name=typed))
    assert m.person.full_name == "Ni Luh S\u00e9kar Sari"


def test_a_name_with_direction_controls_is_refused_with_its_code(program):
    with pytest.raises(ValidationError) as refused:
        services.member_register(
            group=GroupFactory(program=program), data=person_data(full_name="I Made \u202eidnaW")
        )
    assert codes(refused.value) == {"text_control_characters"}


def test_zero_width_characters_cannot_defeat_the_duplicate_check(program):
    first = services.member_register(
        group=GroupFactory(program=program), data=person_data(full_name="I Ketut Kembar")
    )
    twin = person_data(full_name="I Ketut\u200b Kembar", birth_date=first.person.birth_date)
    second = services.member_register(group=GroupFactory(program=program), data=twin)
    assert [w["code"] for w in second.warnings] == ["possible_duplicate"]


def test_an_outsider_officer_sees_no_edit_of_another_offices_member(gianyar_registration, klungkung):
    officer = UserFactory(username="operator2", office=klungkung, roles=["officer"])
    assert (
        login(officer).get(reverse("registry:member_edit", args=[gianyar_registration.pk])).status_code == 404
    )
