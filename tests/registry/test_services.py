"""The registry's writes: groups, registration, edits with optimistic locking, verification and removal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tests.factories import GroupFactory, MembershipFactory, PersonFactory, ProgramFactory
from tunas.core.errors import ConflictError
from tunas.regions.models import Hamlet, Village
from tunas.registry import services
from tunas.registry.models import Group, GroupStatus, Membership, Person, Role, Verification

from .helpers import BATUBULAN_GIANYAR, PIKAT, SEMARAPURA_KAJA, group_with_members, person_data

pytestmark = pytest.mark.django_db


def error_codes(exc: ValidationError) -> set[str]:
    if hasattr(exc, "error_dict"):
        return {e.code for errors in exc.error_dict.values() for e in errors}
    return {e.code for e in exc.error_list}


# Groups -----------------------------------------------------------------------------------------------------


def new_group(program, **fields) -> Group:
    values = {
        "program": program,
        "name": "Kerajinan Lontar Besang",
        "business_type": "kerajinan",
        "village_id": SEMARAPURA_KAJA,
    }
    values.update(fields)
    return Group(**values)


def test_a_group_name_is_unique_in_its_programme_whatever_the_case(program):
    services.group_save(group=new_group(program), expected_version=None)
    with pytest.raises(ValidationError) as caught:
        services.group_save(group=new_group(program, name="KERAJINAN lontar besang"), expected_version=None)
    assert "name" in caught.value.error_dict


def test_the_same_group_name_may_be_used_in_another_programme(program, klungkung):
    services.group_save(group=new_group(program), expected_version=None)
    other = ProgramFactory(office=klungkung)
    assert services.group_save(group=new_group(other), expected_version=None).pk


def test_a_group_outside_the_office_jurisdiction_is_domicile_outside(program):
    with pytest.raises(ValidationError) as caught:
        services.group_save(group=new_group(program, village_id=BATUBULAN_GIANYAR), expected_version=None)
    assert error_codes(caught.value) == {"domicile_outside"}


def test_a_hamlet_of_another_village_is_refused(program):
    hamlet = Hamlet.objects.create(village_id=PIKAT, name="Sente", kind="dusun")
    with pytest.raises(ValidationError) as caught:
        services.group_save(group=new_group(program, hamlet=hamlet), expected_version=None)
    assert "hamlet" in caught.value.error_dict


def test_a_typed_hamlet_is_added_to_the_village_list_and_reused_next_time(program, officer):
    group, created = services.group_save_with_hamlet(
        group=new_group(program), hamlet_text="Banjar Besang", expected_version=None, by=officer
    )
    assert created
    assert (group.hamlet.name, group.hamlet.kind, group.hamlet.created_by) == ("Besang", "banjar", officer)
    second, created_again = services.group_save_with_hamlet(
        group=new_group(program, name="Lain"), hamlet_text="besang", expected_version=None, by=officer
    )
    assert not created_again
    assert second.hamlet == group.hamlet


def test_a_typed_hamlet_is_not_kept_when_the_group_cannot_be_saved(program):
    services.group_save(group=new_group(program), expected_version=None)
    with pytest.raises(ValidationError):
        services.group_save_with_hamlet(
            group=new_group(program), hamlet_text="Banjar Baru Sekali", expected_version=None
        )
    assert not Hamlet.objects.filter(name="Baru Sekali").exists()


def test_a_stale_group_edit_is_refused_as_a_conflict(program):
    group = services.group_save(group=new_group(program), expected_version=None)
    stale = Group.objects.get(pk=group.pk)
    group.name = "Nama Baru"
    services.group_save(group=group, expected_version=1)
    stale.name = "Nama Lain"
    with pytest.raises(ConflictError):
        services.group_save(group=stale, expected_version=1)
    assert Group.objects.get(pk=group.pk).name == "Nama Baru"


# Registration -----------------------------------------------------------------------------------------------


def test_registration_creates_the_person_and_a_pending_membership(program, officer):
    group = GroupFactory(program=program)
    data = person_data(kk="5105030101100001", phone="+6281234500001", income_before=500_000)
    m = services.member_register(group=group, data=data, role=Role.CHAIR, by=officer)
    assert m.verification == Verification.PENDING
    assert (m.program, m.role) == (program, Role.CHAIR)
    person = Person.objects.get(nik=data.nik)
    assert (m.kk, m.phone, m.income_before) == ("5105030101100001", "+6281234500001", 500_000)
    assert (person.created_by, person.owner_office) == (officer, program.office)
    assert person.name_key == data.full_name.lower()


def test_a_person_known_by_nik_is_reused_with_their_corrected_name(program, klungkung):
    data = person_data(full_name="I Wayan Lama")
    earlier = services.member_register(
        group=GroupFactory(program=ProgramFactory(office=klungkung, aid_date=None)), data=data
    )
    Membership.objects.filter(pk=earlier.pk).update(verification=Verification.REJECTED, holds_place=False)
    data.full_name = "I Wayan Baru"
    services.member_register(group=GroupFactory(program=program), data=data)
    assert Person.objects.filter(nik=data.nik).count() == 1
    assert Person.objects.get(nik=data.nik).full_name == "I Wayan Baru"


def test_a_group_has_one_chair(program):
    group = GroupFactory(program=program)
    services.member_register(group=group, data=person_data(), role=Role.CHAIR)
    with pytest.raises(ValidationError) as caught:
        services.member_register(group=group, data=person_data(), role=Role.CHAIR)
    assert "role" in caught.value.error_dict


def test_a_rejected_chair_no_longer_holds_the_role(program):
    group = GroupFactory(program=program)
    chair = services.member_register(group=group, data=person_data(), role=Role.CHAIR)
    Membership.objects.filter(pk=chair.pk).update(verification=Verification.REJECTED)
    assert services.member_register(group=group, data=person_data(), role=Role.CHAIR).pk


def test_nobody_joins_a_rejected_or_trained_group(program):
    for status in (GroupStatus.REJECTED, GroupStatus.TRAINED, GroupStatus.DISSOLVED):
        group = GroupFactory(program=program, status=status)
        with pytest.raises(ValidationError) as caught:
            services.member_register(group=group, data=person_data())
        assert error_codes(caught.value) == {"value_invalid"}


# Edits ------------------------------------------------------------------------------------------------------


def test_an_edit_changes_the_person_and_bumps_the_version(program):
    group, [m] = group_with_members(program, 1)
    data = person_data(nik=m.person.nik, full_name="Ni Made Baru", sex="M", village_id=PIKAT)
    m = services.member_update(membership=m, data=data, role=Role.TREASURER, expected_version=1)
    m.refresh_from_db()
    assert (m.person.full_name, m.village_id, m.role, m.version) == (
        "Ni Made Baru",
        PIKAT,
        "bendahara",
        2,
    )


def test_a_stale_edit_is_a_conflict_and_changes_nothing(program):
    group, [m] = group_with_members(program, 1)
    original = m.person.full_name
    services.member_update(
        membership=Membership.objects.get(pk=m.pk),
        data=person_data(nik=m.person.nik, full_name=original),
        role=m.role,
        expected_version=1,
    )
    stale = Membership.objects.get(pk=m.pk)
    with pytest.raises(ConflictError):
        services.member_update(
            membership=stale,
            data=person_data(nik=m.person.nik, full_name="Terlambat"),
            role=m.role,
            expected_version=1,
        )
    assert Person.objects.get(pk=m.person_id).full_name == original


def test_an_edit_to_another_persons_nik_is_refused(program):
    group, [first] = group_with_members(program, 1)
    stranger = PersonFactory()
    with pytest.raises(ValidationError) as caught:
        services.member_update(
            membership=first,
            data=person_data(nik=stranger.nik, birth_date=stranger.birth_date),
            role=first.role,
            expected_version=1,
        )
    assert error_codes(caught.value) == {"value_invalid"}


def test_an_edit_to_the_nik_of_someone_in_the_programme_is_duplicate_in_program(program):
    group, [first, second] = group_with_members(program, 2)
    with pytest.raises(ValidationError) as caught:
        services.member_update(
            membership=first, data=person_data(nik=second.person.nik), role=first.role, expected_version=1
        )
    assert error_codes(caught.value) == {"duplicate_in_program"}


def test_an_edit_that_makes_a_new_duplicate_reopens_the_warning(program, officer):
    group, [m] = group_with_members(program, 1)
    MembershipFactory(phone="+6281299998888")
    m.warnings_resolved_by = officer
    m.save()
    m = services.member_update(
        membership=m,
        data=person_data(nik=m.person.nik, phone="+6281299998888"),
        role=m.role,
        expected_version=m.version,
    )
    assert [w["code"] for w in m.warnings] == ["possible_duplicate"]
    assert m.warnings_resolved_by is None


def test_member_save_registers_with_a_typed_hamlet(program, officer):
    group = GroupFactory(program=program)
    m, created = services.member_save(
        group=group, data=person_data(), hamlet_text="Dusun Sente Baru", role=Role.MEMBER, by=officer
    )
    assert created
    assert m.hamlet.name == "Sente Baru"
    assert m.hamlet.village == Village.objects.get(code=SEMARAPURA_KAJA)


# Verification -----------------------------------------------------------------------------------------------


def test_rejecting_a_member_needs_a_reason(program, verifier):
    group, [m] = group_with_members(program, 1)
    with pytest.raises(ValidationError) as caught:
        services.member_verify(membership=m, approve=False, reason="  ", by=verifier)
    assert error_codes(caught.value) == {"required"}


def test_a_decision_keeps_who_and_when(program, verifier):
    group, [m] = group_with_members(program, 1)
    services.member_verify(membership=m, approve=False, reason="Sudah bekerja sebagai PNS", by=verifier)
    m.refresh_from_db()
    assert (m.verification, m.verified_by, m.verification_reason) == (
        "rejected",
        verifier,
        "Sudah bekerja sebagai PNS",
    )
    assert m.verified_at is not None


def test_a_group_is_verified_only_when_no_member_waits(program, verifier):
    group, [a, b] = group_with_members(program, 2)
    services.member_verify(membership=a, approve=True, reason="", by=verifier)
    with pytest.raises(ValidationError):
        services.group_verify(group=group, approve=True, reason="", by=verifier)
    services.member_verify(membership=b, approve=True, reason="", by=verifier)
    services.group_verify(group=group, approve=True, reason="", by=verifier)
    group.refresh_from_db()
    assert (group.status, group.verified_by) == (GroupStatus.VERIFIED, verifier)


def test_a_group_below_the_minimum_size_cannot_be_verified(klungkung, verifier):
    program = ProgramFactory(office=klungkung, group_size_min=2)
    group, [a, b] = group_with_members(program, 2)
    services.member_verify(membership=a, approve=True, reason="", by=verifier)
    services.member_verify(membership=b, approve=False, reason="Tidak hadir", by=verifier)
    with pytest.raises(ValidationError):
        services.group_verify(group=group, approve=True, reason="", by=verifier)


def test_rejecting_a_group_needs_a_reason(program, verifier):
    group, _members = group_with_members(program, 1)
    with pytest.raises(ValidationError):
        services.group_verify(group=group, approve=False, reason="", by=verifier)
    services.group_verify(group=group, approve=False, reason="Usaha belum berjalan", by=verifier)
    assert Group.objects.get(pk=group.pk).status == GroupStatus.REJECTED


def test_decisions_are_fixed_once_the_group_is_verified(program, verifier):
    group, [m] = group_with_members(program, 1)
    services.member_verify(membership=m, approve=True, reason="", by=verifier)
    services.group_verify(group=group, approve=True, reason="", by=verifier)
    with pytest.raises(ValidationError):
        services.member_verify(membership=m, approve=False, reason="Berubah pikiran", by=verifier)


def test_a_member_joining_a_verified_group_can_still_be_decided(program, verifier):
    group, [m] = group_with_members(program, 1)
    services.member_verify(membership=m, approve=True, reason="", by=verifier)
    services.group_verify(group=group, approve=True, reason="", by=verifier)
    late = services.member_register(group=Group.objects.get(pk=group.pk), data=person_data())
    services.member_verify(membership=late, approve=True, reason="", by=verifier)
    assert Membership.objects.get(pk=late.pk).verification == Verification.APPROVED


def test_a_trained_group_cannot_be_verified_again(program, verifier):
    group = GroupFactory(program=program, status=GroupStatus.TRAINED)
    with pytest.raises(ValidationError):
        services.group_verify(group=group, approve=False, reason="Terlambat", by=verifier)


# Removal and warnings ---------------------------------------------------------------------------------------


def test_a_member_waiting_for_verification_can_be_removed_and_the_person_stays(program):
    group, [m] = group_with_members(program, 1)
    services.membership_remove(membership=m)
    assert not Membership.objects.filter(pk=m.pk).exists()
    assert Person.objects.filter(pk=m.person_id).exists()


def test_a_decided_member_cannot_be_removed(program, verifier):
    group, [a, b] = group_with_members(program, 2)
    services.member_verify(membership=a, approve=True, reason="", by=verifier)
    services.member_verify(membership=b, approve=False, reason="Alasan", by=verifier)
    for m in (a, b):
        with pytest.raises(ValidationError):
            services.membership_remove(membership=Membership.objects.get(pk=m.pk))


def test_an_officer_resolves_a_duplicate_warning(program, officer):
    MembershipFactory(phone="+6281200007777")
    m = services.member_register(
        group=GroupFactory(program=program), data=person_data(phone="+6281200007777")
    )
    services.membership_warnings_resolve(membership=m, by=officer)
    assert Membership.objects.get(pk=m.pk).warnings_resolved_by == officer


def test_there_is_nothing_to_resolve_without_warnings(program, officer):
    group, [m] = group_with_members(program, 1)
    with pytest.raises(ValidationError):
        services.membership_warnings_resolve(membership=m, by=officer)


def test_a_birth_date_that_differs_from_the_nik_says_which_date_the_nik_holds(program):
    from django.utils import translation

    data = person_data(birth_date=dt.date(1985, 3, 12))
    data.birth_date = dt.date(1985, 3, 13)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.member_register(group=GroupFactory(program=program), data=data)
    [message] = refused.value.message_dict["birth_date"]
    assert "The NIK holds 12 March 1985." in message
