"""Every eligibility and NIK rule, each with the stable code and the field an operator sees it beside."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.factories import GroupFactory, MembershipFactory, PersonFactory, ProgramFactory, make_nik
from tunas.core.errors import message_for
from tunas.registry import services
from tunas.registry.eligibility import EligibilityContext, add_months, age_on, check_candidate
from tunas.registry.models import GroupStatus, Membership, Verification
from tunas.registry.services import member_register, member_update, member_verify

from .helpers import BATUBULAN_GIANYAR, person_data

NUSA_PENIDA_VILLAGE = "51.05.01.2001"  # Sakti, on the island of Nusa Penida

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
    with translation.override("en"):
        errors, _ = check_candidate(candidate, EligibilityContext(program, [candidate]))
    assert errors[0].message == "Age 66 on 1 November 2026; this programme accepts 18–60 years."


def test_the_age_is_counted_on_the_registration_closing_day(klungkung):
    """The 2026 demo case: an 18th birthday inside the registration window."""
    program = ProgramFactory(
        office=klungkung,
        min_age=18,
        registration_start=dt.date(2026, 11, 2),
        registration_end=dt.date(2026, 12, 18),
    )
    assert check(program, person_data(birth_date=dt.date(2008, 12, 10)))[0] == {}
    assert check(program, person_data(birth_date=dt.date(2008, 12, 20)))[0] == {
        "age_out_of_range": "birth_date"
    }


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


def test_a_rejection_frees_the_persons_place_in_the_programme(program, verifier):
    group = GroupFactory(program=program)
    data = person_data()
    m = member_register(group=group, data=data)
    services.member_verify(membership=m, approve=False, reason="Salah kelompok", by=verifier)
    again = member_register(group=GroupFactory(program=program), data=data)
    assert again.holds_place and not Membership.objects.get(pk=m.pk).holds_place


def test_a_rejected_group_frees_its_members_places(program, verifier):
    group = GroupFactory(program=program)
    data = person_data()
    member_register(group=group, data=data)
    services.group_verify(group=group, approve=False, reason="Usaha tidak jelas", by=verifier)
    assert member_register(group=GroupFactory(program=program), data=data).holds_place


def test_a_rejected_member_cannot_be_approved_again_once_placed_in_another_group(program, verifier):
    data = person_data()
    first = member_register(group=GroupFactory(program=program), data=data)
    services.member_verify(membership=first, approve=False, reason="Salah kelompok", by=verifier)
    member_register(group=GroupFactory(program=program, name="Kelompok Baru"), data=data)
    first = Membership.objects.get(pk=first.pk)
    with pytest.raises(ValidationError) as refused:
        services.member_verify(membership=first, approve=True, reason="", by=verifier)
    assert "Kelompok Baru" in str(refused.value)


# Earlier aid: aid received, and one programme at a time -----------------------------------------------------
# The test programme registers from 1 November 2026 and hands its aid over on 1 February 2027, so the
# twelve-month look-back starts on 1 February 2026. Today is 1 December 2026.


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: dt.date(2026, 12, 1))


def _member_of_other_programme(
    office, nik, *, aid_date, verification=Verification.APPROVED, group_status=GroupStatus.VERIFIED
):
    other = ProgramFactory(office=office, aid_date=aid_date)
    group = GroupFactory(program=other, status=group_status)
    person = PersonFactory(nik=nik, birth_date=dt.date(1985, 3, 12))
    MembershipFactory(group=group, person=person, verification=verification)
    return other


def test_aid_received_within_the_look_back_from_this_programmes_aid_date_is_recent_aid(program, klungkung):
    data = person_data()
    other = _member_of_other_programme(klungkung, data.nik, aid_date=dt.date(2026, 2, 1))
    errors, _ = check(program, data)
    assert errors == {"recent_aid": "nik"}
    candidate = data.candidate(None)
    message = check_candidate(candidate, EligibilityContext(program, [candidate]))[0][0].message
    assert other.code in message


def test_aid_thirteen_months_back_from_the_aid_date_is_no_obstacle(program, klungkung):
    """The 2026 demo case: aid received 13 months before this programme's aid date."""
    data = person_data()
    _member_of_other_programme(klungkung, data.nik, aid_date=dt.date(2026, 1, 1))
    assert check(program, data)[0] == {}


def test_a_recorded_handover_dates_the_aid_instead_of_the_programmes_planned_aid_date(program, klungkung):
    """Planned for January 2026 (13 months back: no obstacle), handed over in March 2026: recent aid."""
    from tunas.registry.extensions import AidDateSource, aid_date_sources
    from tunas.registry.models import Membership

    data = person_data()
    other = _member_of_other_programme(klungkung, data.nik, aid_date=dt.date(2026, 1, 1))
    group_id = Membership.objects.get(program=other).group_id
    late = AidDateSource(
        key="test_late",
        order=99,
        dates=lambda ids: {group_id: dt.date(2026, 3, 2)} if group_id in ids else {},
    )
    with aid_date_sources.register_temporarily(late):
        assert check(program, data)[0] == {"recent_aid": "nik"}
    assert check(program, data)[0] == {}


def test_aid_from_another_office_counts_too(program, gianyar):
    data = person_data()
    _member_of_other_programme(gianyar, data.nik, aid_date=dt.date(2026, 6, 1))
    assert check(program, data)[0] == {"recent_aid": "nik"}


def test_without_an_aid_date_the_look_back_runs_from_the_registration_closing_day(klungkung):
    program = ProgramFactory(
        office=klungkung,
        aid_date=None,
        registration_start=dt.date(2026, 11, 2),
        registration_end=dt.date(2026, 11, 30),
    )
    data = person_data()
    _member_of_other_programme(klungkung, data.nik, aid_date=dt.date(2025, 12, 1))
    assert check(program, data)[0] == {"recent_aid": "nik"}
    data = person_data()
    _member_of_other_programme(klungkung, data.nik, aid_date=dt.date(2025, 11, 29))
    assert check(program, data)[0] == {}


def test_an_open_registration_whose_aid_is_still_to_come_is_enrolled_elsewhere(program, gianyar):
    data = person_data()
    other = _member_of_other_programme(
        gianyar,
        data.nik,
        aid_date=dt.date(2027, 3, 1),
        verification=Verification.PENDING,
        group_status=GroupStatus.FORMING,
    )
    errors, _ = check(program, data)
    assert errors == {"enrolled_elsewhere": "nik"}
    candidate = data.candidate(None)
    with translation.override("en"):
        message = check_candidate(candidate, EligibilityContext(program, [candidate]))[0][0].message
    assert "Withdraw them there first" in message
    assert str(other.fiscal_year) in message and other.code not in message


def test_an_open_registration_without_an_aid_date_is_enrolled_elsewhere(program, klungkung):
    data = person_data()
    _member_of_other_programme(klungkung, data.nik, aid_date=None, verification=Verification.PENDING)
    assert check(program, data)[0] == {"enrolled_elsewhere": "nik"}


def test_a_pending_member_of_a_dissolved_group_has_received_nothing(program, klungkung):
    """The 2026 demo case: the group was dissolved before its aid."""
    data = person_data()
    _member_of_other_programme(
        klungkung,
        data.nik,
        aid_date=dt.date(2026, 6, 1),
        verification=Verification.PENDING,
        group_status=GroupStatus.DISSOLVED,
    )
    assert check(program, data)[0] == {}


def test_a_pending_member_in_a_programme_whose_aid_date_passed_received_nothing(program, klungkung):
    data = person_data()
    _member_of_other_programme(
        klungkung, data.nik, aid_date=dt.date(2026, 6, 1), verification=Verification.PENDING
    )
    assert check(program, data)[0] == {}


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


def test_the_look_back_follows_the_programme_setting(klungkung):
    program = ProgramFactory(office=klungkung, aid_lookback_months=24)
    data = person_data()
    _member_of_other_programme(klungkung, data.nik, aid_date=dt.date(2025, 3, 1))
    assert check(program, data)[0] == {"recent_aid": "nik"}


# Employment, neighbourhood, plausible categories ------------------------------------------------------------


@pytest.mark.parametrize("work", ["asn", "tni", "polri", "formal"])
def test_civil_servants_soldiers_police_and_formal_employees_are_refused(program, work):
    assert check(program, person_data(employment_before=work))[0] == {
        "employment_excluded": "employment_before"
    }


def test_informal_work_is_no_obstacle(program):
    assert check(program, person_data(employment_before="informal"))[0] == {}


def test_a_member_from_another_district_than_the_group_is_a_village_far_warning(program):
    """Nusa Penida (51.05.01) is an island: a member from there joining a group in Klungkung town."""
    group = GroupFactory(program=program, village_id="51.05.03.1008")
    data = person_data(village_id=NUSA_PENIDA_VILLAGE)
    candidate = data.candidate(group.pk)
    errors, warnings = check_candidate(candidate, EligibilityContext(program, [candidate]))
    assert [p.code for p in errors] == []
    assert [(p.code, p.field) for p in warnings] == [("village_far", "village")]
    same = person_data(village_id="51.05.03.1011").candidate(group.pk)
    assert check_candidate(same, EligibilityContext(program, [same]))[1] == []


@pytest.mark.parametrize(
    ("category", "birth", "sex"),
    [
        ("lansia", dt.date(1980, 1, 1), "M"),
        ("pemuda", dt.date(1980, 1, 1), "M"),
        ("purna_tugas", dt.date(1990, 1, 1), "M"),
        ("perempuan_kepala_keluarga", dt.date(1980, 1, 1), "M"),
    ],
)
def test_implausible_categories_are_warnings(program, category, birth, sex):
    data = person_data(categories=["penganggur", category], birth_date=birth, sex=sex)
    errors, warnings = check(program, data)
    assert errors == {}
    assert warnings == {"category_implausible": "categories"}


def test_plausible_categories_give_no_warning(program):
    data = person_data(categories=["lansia"], birth_date=dt.date(1960, 1, 1))
    assert check(program, data)[1] == {}


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
    member_verify(membership=m, approve=False, reason="Pegawai negeri", by=None)
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


def test_duplicate_in_program_names_the_group_the_person_is_in(program):
    data = person_data()
    member_register(group=GroupFactory(program=program, name="Lontar Besang"), data=data)
    candidate = data.candidate(None)
    [error] = check_candidate(candidate, EligibilityContext(program, [candidate]))[0]
    assert error.code == "duplicate_in_program"
    assert "Lontar Besang" in error.message
