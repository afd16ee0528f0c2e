"""Another office's people are never shown: only "registered in a programme of <office>, <year>, <stage>"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import GroupFactory, ProgramFactory
from tunas.registry import services
from tunas.registry.models import GroupStatus, Membership, Verification

from .helpers import BATUBULAN_GIANYAR, english, person_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def gianyar_member(gianyar):
    program = ProgramFactory(
        office=gianyar, code="GIA-TKM-2026", fiscal_year=2026, aid_date=dt.date(2018, 9, 6)
    )
    group = GroupFactory(program=program, village_id=BATUBULAN_GIANYAR, name="Ukir Batubulan")
    data = person_data(full_name="Ni Wayan Rahasia", village_id=BATUBULAN_GIANYAR, district="51.04.01")
    return services.member_register(group=group, data=data)


def test_a_duplicate_warning_does_not_show_another_offices_person(as_officer, program, gianyar_member):
    other = gianyar_member.person
    data = person_data(
        full_name=other.full_name, birth_date=other.birth_date, sex=other.sex, district="51.05.03"
    )
    group = GroupFactory(program=program)
    m = services.member_register(group=group, data=data)
    assert m.warnings, "the same name and birth date is a possible duplicate"
    page = english(as_officer).get(reverse("registry:member_detail", args=[m.pk])).content.decode()
    assert "registered in a programme of Disnaker Gianyar, 2026" in page
    assert other.nik not in page and other.nik[-4:] not in page.split("Another NIK")[1][:200]
    assert "Ukir Batubulan" not in page


def test_the_history_shows_another_offices_registration_as_one_sentence(
    as_officer, program, gianyar_member, gianyar
):
    person = gianyar_member.person
    data = person_data(
        nik=person.nik, full_name=person.full_name, birth_date=person.birth_date, sex=person.sex
    )
    group = GroupFactory(program=program)
    m = services.member_register(group=group, data=data)
    page = english(as_officer).get(reverse("registry:member_detail", args=[m.pk])).content.decode()
    assert "Registered in a programme of Disnaker Gianyar, 2026" in page
    assert "GIA-TKM-2026" not in page
    assert "Ukir Batubulan" not in page


def test_the_recent_aid_refusal_names_another_office_without_its_programme_code(program, gianyar):
    aided = ProgramFactory(office=gianyar, code="GIA-TKM-2025", fiscal_year=2025, aid_date=dt.date.today())
    group = GroupFactory(program=aided, village_id=BATUBULAN_GIANYAR)
    data = person_data(village_id=BATUBULAN_GIANYAR, district="51.04.01")
    m = services.member_register(group=group, data=data)
    Membership.objects.filter(pk=m.pk).update(verification=Verification.APPROVED)
    type(group).objects.filter(pk=group.pk).update(status=GroupStatus.VERIFIED)
    with pytest.raises(Exception) as refused:
        services.member_register(group=GroupFactory(program=program), data=data)
    text = " ".join(getattr(refused.value, "messages", [str(refused.value)]))
    assert "GIA-TKM-2025" not in text
    assert "Disnaker Gianyar" in text
