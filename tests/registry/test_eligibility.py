"""Every eligibility and NIK rule, each with the stable code and the field an operator sees it beside."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import GroupFactory, MembershipFactory, PersonFactory, ProgramFactory, make_nik
from tunas.core.errors import message_for
from tunas.registry.eligibility import EligibilityContext, add_months, age_on, check_candidate
from tunas.registry.models import GroupStatus, Membership, Verification
from tunas.registry.services import member_register, member_update

from .helpers import BATUBULAN_GIANYAR, person_data

pytestmark = pytest.mark.django_db


def codes(exc: ValidationError) -> dict[str, set[str]]:
    """{field: {codes}} of a service's ValidationError."""
    return {name: {e.code for e in errors} for name, errors in exc.error_dict.items()}


def check(program, data, group=None, **context_kwargs):
    candidate = data.candidate(group.pk if group else None)
    context = EligibilityContext(program, [candidate], **context_kwargs)
    errors, warnings = check_candidate(candidate, context)
    return {p.code: p.field for p in errors}, {p.code: p.field for p in warnings}


def register_error(group, data) -> dict[str, set[str]]:
    with pytest.raises(ValidationError) as caught:
        member_register(group=group, data=data)
    return codes(caught.value)


# Age --------------------------------------------------------------------------------------------------------


def test_age_below_the_minimum_on_the_reference_date_is_age_out_of_range(program):
    # Registration opens 1 Nov 2026: someone turning 18 the day after is still 17.
    data = person_data(birth_date=dt.date(2008, 11, 2))
    errors, _ = check(program, data)
    assert errors == {"age_out_of_range": "birth_date"}


def test_age_reaching_the_minimum_on_the_reference_date_is_accepted(program):
    errors, _ = check(program, person_data(birth_date=dt.date(2008, 11, 1)))
    assert "age_out_of_range" not in errors


def test_age_above_a_configured_maximum_is_age_out_of_range(klungkung):
    program = ProgramFactory(office=klungkung, min_age=18, max_age=60)
    errors, _ = check(program, person_data(birth_date=dt.date(1960, 1, 1)))
    assert errors == {"age_out_of_range": "birth_date"}


def test_age_message_names_the_age_and_the_limits(klungkung):
    program = ProgramFactory(office=klungkung, min_age=18, max_age=60)
    data = person_data(birth_date=dt.date(1960, 1, 1))
    candidate = data.candidate(None)
    errors, _ = check_candidate(candidate, EligibilityContext(program, [candidate]))
    assert "(66 / 18–60)" in errors[0].message


def test_age_is_counted_in_whole_years_up_to_the_birthday():
    assert age_on(dt.date(1980, 5, 17), dt.date(2026, 5, 16)) == 45
    assert age_on(dt.date(1980, 5, 17), dt.date(2026, 5, 17)) == 46


# Categories -------------------------------------------------------------------------------------------------


def test_no_target_category_is_category_missing(program):
    errors, _ = check(program, person_data(categories=[]))
    assert errors == {"category_missing": "categories"}


def test_only_categories_the_programme_does_not_allow_is_category_missing(klungkung):
    program = ProgramFactory(office=klungkung, allowed_categories=["lansia", "disabilitas"])
    errors, _ = check(program, person_data(categories=["pemuda"]))
    assert errors == {"category_missing": "categories"}


def test_one_allowed_category_among_others_is_enough(klungkung):
    program = ProgramFactory(office=klungkung, allowed_categories=["lansia"])
    errors, _ = check(program, person_data(categories=["pemuda", "lansia"]))
    assert errors == {}


# Domicile ---------------------------------------------------------------------------------------------------


def test_address_outside_the_office_jurisdiction_is_domicile_outside(program):
    errors, _ = check(program, person_data(village_id=BATUBULAN_GIANYAR))
    assert errors == {"domicile_outside": "village"}


def test_domicile_is_checked_by_address_not_by_the_nik_prefix(program):
    # A NIK issued in Gianyar, but the person lives in Klungkung now: eligible.
    errors, _ = check(program, person_data(district="51.04.01"))
    assert errors == {}


def test_a_programme_open_to_any_domicile_accepts_outside_addresses(klungkung):
    program = ProgramFactory(office=klungkung, domicile_in_jurisdiction=False)
    errors, _ = check(program, person_data(village_id=BATUBULAN_GIANYAR))
    assert errors == {}


# One person, one group per programme ------------------------------------------------------------------------


def test_a_person_already_in_the_programme_is_duplicate_in_program(program):
    group = GroupFactory(program=program)
    data = person_data()
    member_register(group=group, data=data)
    other_group = GroupFactory(program=program)
    assert register_error(other_group, data) == {"nik": {"duplicate_in_program"}}


def test_a_person_rejected_in_the_programme_still_holds_their_place(program):
    group = GroupFactory(program=program)
    data = person_data()
    m = member_register(group=group, data=data)
    Membership.objects.filter(pk=m.pk).update(verification=Verification.REJECTED)
    assert register_error(GroupFactory(program=program), data) == {"nik": {"duplicate_in_program"}}


# Earlier aid ------------------------------------------------------------------------------------------------


def _member_of_other_programme(
    office, nik, *, aid_date, verification=Verification.APPROVED, group_status=GroupStatus.VERIFIED
):
    other = ProgramFactory(office=office, aid_date=aid_date)
    group = GroupFactory(program=other, status=group_status)
    person = PersonFactory(nik=nik, birth_date=dt.date(1985, 3, 12))
    MembershipFactory(group=group, person=person, verification=verification)
    return other


def test_aid_from_another_programme_within_the_look_back_is_recent_aid(program, klungkung):
    data = person_data()
    # Registration opens 1 Nov 2026; twelve months back is 1 Nov 2025.
    other = _member_of_other_programme(klungkung, data.nik, aid_date=dt.date(2025, 11, 1))
    errors, _ = check(program, data)
    assert errors == {"recent_aid": "nik"}
    candidate = data.candidate(None)
    message = check_candidate(candidate, EligibilityContext(program, [candidate]))[0][0].message
    assert other.code in message


def test_aid_from_another_office_counts_too(program, gianyar):
    data = person_data()
    _member_of_other_programme(gianyar, data.nik, aid_date=dt.date(2026, 6, 1))
    assert check(program, data)[0] == {"recent_aid": "nik"}


def test_aid_before_the_look_back_is_no_obstacle(program, klungkung):
    data = person_data()
    _member_of_other_programme(klungkung, data.nik, aid_date=dt.date(2025, 10, 31))
    assert check(program, data)[0] == {}


def test_aid_still_to_come_in_a_programme_running_alongside_is_recent_aid(program, klungkung):
    data = person_data()
    _member_of_other_programme(klungkung, data.nik, aid_date=dt.date(2027, 3, 1))
    assert check(program, data)[0] == {"recent_aid": "nik"}


def test_a_rejected_membership_elsewhere_does_not_count_as_aid(program, klungkung):
    data = person_data()
    _member_of_other_programme(
        klungkung, data.nik, aid_date=dt.date(2026, 6, 1), verification=Verification.REJECTED
    )
    assert check(program, data)[0] == {}


def test_a_membership_of_a_rejected_group_elsewhere_does_not_count_as_aid(program, klungkung):
    data = person_data()
    _member_of_other_programme(
        klungkung,
        data.nik,
        aid_date=dt.date(2026, 6, 1),
        verification=Verification.PENDING,
        group_status=GroupStatus.REJECTED,
    )
    assert check(program, data)[0] == {}


def test_a_programme_without_an_aid_date_is_no_obstacle(program, klungkung):
    data = person_data()
    _member_of_other_programme(klungkung, data.nik, aid_date=None)
    assert check(program, data)[0] == {}


def test_the_look_back_follows_the_programme_setting(klungkung):
    program = ProgramFactory(office=klungkung, aid_lookback_months=24)
    data = person_data()
    _member_of_other_programme(klungkung, data.nik, aid_date=dt.date(2025, 1, 1))
    assert check(program, data)[0] == {"recent_aid": "nik"}


def test_months_are_added_to_the_last_day_of_a_shorter_month():
    assert add_months(dt.date(2026, 3, 31), -1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 1), -12) == dt.date(2025, 11, 1)


# Group size -------------------------------------------------------------------------------------------------


def test_a_group_at_its_maximum_is_group_full(klungkung):
    program = ProgramFactory(office=klungkung, group_size_min=1, group_size_max=2)
    group = GroupFactory(program=program)
    member_register(group=group, data=person_data())
    member_register(group=group, data=person_data())
    assert register_error(group, person_data()) == {"group": {"group_full"}}


def test_rejected_members_free_their_place_in_the_group(klungkung):
    program = ProgramFactory(office=klungkung, group_size_min=1, group_size_max=1)
    group = GroupFactory(program=program)
    m = member_register(group=group, data=person_data())
    Membership.objects.filter(pk=m.pk).update(verification=Verification.REJECTED)
    assert member_register(group=group, data=person_data()).pk


def test_editing_a_member_of_a_full_group_is_not_group_full(klungkung):
    program = ProgramFactory(office=klungkung, group_size_min=1, group_size_max=1)
    group = GroupFactory(program=program)
    data = person_data()
    m = member_register(group=group, data=data)
    data.full_name = "I Made Baru"
    member_update(membership=m, data=data, role=m.role, expected_version=m.version)


def test_an_import_batch_counts_the_places_it_fills(klungkung):
    program = ProgramFactory(office=klungkung, group_size_min=1, group_size_max=1)
    group = GroupFactory(program=program)
    first, second = person_data().candidate(group.pk), person_data().candidate(group.pk)
    context = EligibilityContext(program, [first, second])
    assert check_candidate(first, context)[0] == []
    context.take_place(group.pk)
    assert [p.code for p in check_candidate(second, context)[0]] == ["group_full"]


# Possible duplicates ----------------------------------------------------------------------------------------


def test_same_name_and_birth_date_under_another_nik_is_a_possible_duplicate(program):
    PersonFactory(full_name="Ni Luh Sukerti", birth_date=dt.date(1985, 3, 12), sex="F")
    data = person_data(full_name="  ni luh   SUKERTI ", sex="F")
    errors, warnings = check(program, data)
    assert errors == {}
    assert warnings == {"possible_duplicate": "nik"}


def test_same_name_with_another_birth_date_is_not_a_duplicate(program):
    PersonFactory(full_name="Ni Luh Sukerti", birth_date=dt.date(1986, 3, 12), sex="F")
    assert check(program, person_data(full_name="Ni Luh Sukerti", sex="F"))[1] == {}


def test_same_phone_under_another_nik_is_a_possible_duplicate(program):
    earlier = MembershipFactory(phone="+6281234567890")
    assert earlier.phone == "+6281234567890"
    assert check(program, person_data(phone="+6281234567890"))[1] == {"possible_duplicate": "nik"}


def test_the_same_nik_is_the_same_person_not_a_duplicate(program):
    data = person_data(full_name="I Wayan Sama", phone="+6281200001111")
    MembershipFactory(
        person=PersonFactory(nik=data.nik, full_name="I Wayan Sama", birth_date=data.birth_date),
        phone="+6281200001111",
    )
    assert check(program, data)[1] == {}


def test_a_duplicate_warning_is_stored_on_the_membership_for_an_officer(program):
    PersonFactory(full_name="I Ketut Kembar", birth_date=dt.date(1985, 3, 12))
    m = member_register(group=GroupFactory(program=program), data=person_data(full_name="I Ketut Kembar"))
    assert [w["code"] for w in m.warnings] == ["possible_duplicate"]
    assert m.warnings_resolved_by is None


def test_correcting_a_members_nik_does_not_make_them_their_own_duplicate(program):
    group = GroupFactory(program=program)
    data = person_data(full_name="I Nyoman Koreksi")
    m = member_register(group=group, data=data)
    data.nik = make_nik(birth=data.birth_date, serial=7777)
    m = member_update(membership=m, data=data, role=m.role, expected_version=m.version)
    assert m.warnings == []
    assert m.person.nik == data.nik


# NIK rules through registration -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nik", "code"),
    [
        ("51050312345", "nik_format"),
        ("5100031203850001", "nik_format"),  # regency 00
        ("9905031203850001", "nik_province"),
        ("5105033203850001", "nik_date"),  # day 32
        ("5105031213850001", "nik_date"),  # month 13
        ("5105031203850000", "nik_serial"),
    ],
)
def test_structural_nik_errors_are_reported_beside_the_nik(program, nik, code):
    found = register_error(GroupFactory(program=program), person_data(nik=nik))
    assert code in found["nik"]


def test_a_nik_with_a_birth_date_in_the_future_is_nik_future(program):
    # Two-digit years above this year's mean the 1900s, so only a later day of this year lies ahead.
    today = dt.date.today()
    ahead = dt.date(today.year, 12, 31)
    if ahead <= today:
        pytest.skip("no later day left in this year")
    nik = f"510503{ahead.day:02d}{ahead.month:02d}{ahead.year % 100:02d}0001"
    found = register_error(GroupFactory(program=program), person_data(nik=nik))
    assert "nik_future" in found["nik"]


def test_a_woman_registered_as_a_man_is_nik_sex_mismatch_beside_the_sex(program):
    nik = make_nik(birth=dt.date(1985, 3, 12), sex="F", serial=4242)
    found = register_error(GroupFactory(program=program), person_data(nik=nik, sex="M"))
    assert found == {"sex": {"nik_sex_mismatch"}}


def test_another_birth_date_than_the_niks_is_nik_birthdate_mismatch_beside_the_birth_date(program):
    nik = make_nik(birth=dt.date(1985, 3, 13), serial=4243)
    found = register_error(GroupFactory(program=program), person_data(nik=nik))
    assert found == {"birth_date": {"nik_birthdate_mismatch"}}


def test_the_nik_message_says_which_digits_are_wrong(program):
    with pytest.raises(ValidationError) as caught:
        member_register(group=GroupFactory(program=program), data=person_data(nik="5105033503850001"))
    assert caught.value.error_dict["nik"][0].message == message_for("nik_date", "day")


def test_several_rules_broken_at_once_are_all_reported(program):
    data = person_data(birth_date=dt.date(2015, 1, 1), categories=[], village_id=BATUBULAN_GIANYAR)
    found = register_error(GroupFactory(program=program), data)
    assert found == {
        "birth_date": {"age_out_of_range"},
        "categories": {"category_missing"},
        "village": {"domicile_outside"},
    }


# The batch context ------------------------------------------------------------------------------------------


def test_the_context_reads_the_same_few_queries_for_30_candidates_as_for_3(program):
    group = GroupFactory(program=program)

    def queries(n: int) -> int:
        candidates = [person_data(phone=f"+62812000{i:05d}").candidate(group.pk) for i in range(n)]
        with CaptureQueriesContext(connection) as ctx:
            context = EligibilityContext(program, candidates)
            for c in candidates:
                check_candidate(c, context)
        return len(ctx.captured_queries)

    assert queries(30) == queries(3)
