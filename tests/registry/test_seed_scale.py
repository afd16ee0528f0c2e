"""seed_scale: a synthetic national registry that the registry's own rules and pages accept."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from tunas.accounts.models import Office, User
from tunas.core.nik import parse_nik
from tunas.demo import scale
from tunas.programs.models import Program, Stage
from tunas.regions.models import District, Hamlet, Regency
from tunas.registry.models import Group, GroupStatus, Membership, Person, Verification

PEOPLE = 300


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker):
    """Seeded once for the module (a few seconds), and removed after it, as --fresh removes it."""
    with django_db_blocker.unblock():
        call_command("seed_scale", people=PEOPLE, stdout=_Sink())
    yield
    with django_db_blocker.unblock():
        scale.wipe(log=lambda text: None)


@pytest.fixture
def seeded(_seeded_once, db):
    return scale


class _Sink:
    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass


def _signed_in(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_seed_scale_makes_the_people_asked_for_with_offices_for_the_nation_provinces_and_regencies(seeded):
    assert Person.objects.count() == PEOPLE
    assert Membership.objects.count() >= PEOPLE
    offices = Counter(Office.objects.values_list("level", flat=True))
    assert offices[Office.Level.NATIONAL] == 1
    assert offices[Office.Level.PROVINCE] == 38
    assert offices[Office.Level.REGENCY] == Regency.objects.count()
    # Every office has its officer, who may also verify; the benchmark's three have fixed names.
    assert User.objects.filter(office__level=Office.Level.REGENCY).count() == Regency.objects.count()
    for username in scale.USERNAMES.values():
        user = User.objects.get(username=username)
        assert user.manages_programmes and user.has_role("verifier")
    assert User.objects.get(username=scale.USERNAMES["national"]).office.level == Office.Level.NATIONAL


def test_seeded_programmes_span_stages_and_fiscal_years_and_pass_their_own_validation(seeded):
    programmes = list(Program.objects.all())
    assert len({p.status for p in programmes}) >= 3
    assert Stage.CLOSED in {p.status for p in programmes}
    assert len({p.fiscal_year for p in programmes}) >= 5
    for p in programmes[:50]:
        p.full_clean()


def test_every_seeded_nik_is_structurally_valid_for_the_persons_sex_birth_date_and_district(seeded):
    districts = set(District.objects.values_list("code", flat=True))
    for person in Person.objects.all():
        result = parse_nik(
            person.nik, sex=person.sex, birth_date=person.birth_date, district_exists=districts.__contains__
        )
        assert result.valid, (person.nik, result.errors)
        assert not result.warnings


def test_seeded_groups_hold_between_the_programmes_minimum_and_maximum_of_one_districts_people(seeded):
    active = Counter(
        Membership.objects.exclude(verification=Verification.REJECTED).values_list("group_id", flat=True)
    )
    districts = defaultdict(set)
    for group_id, village in Membership.objects.values_list("group_id", "village_id"):
        districts[group_id].add(village[:8])
    groups = list(Group.objects.select_related("program"))
    assert len(groups) >= PEOPLE // 20
    for group in groups:
        if group.status != GroupStatus.REJECTED:
            assert group.program.group_size_min <= active[group.pk] <= group.program.group_size_max, group
        assert districts[group.pk] == {group.village_id[:8]}


def test_seeded_verification_fits_the_stage_and_frees_the_places_of_closed_groups(seeded):
    registering = Membership.objects.filter(program__status=Stage.REGISTRATION)
    assert not registering.exclude(verification=Verification.PENDING).exists()
    assert not Membership.objects.filter(verification=Verification.REJECTED, holds_place=True).exists()
    closed_groups = Membership.objects.filter(group__status__in=[GroupStatus.REJECTED, GroupStatus.DISSOLVED])
    assert not closed_groups.filter(holds_place=True).exists()
    assert not Membership.objects.filter(
        verification=Verification.APPROVED, verified_by__isnull=True
    ).exists()
    # Nobody holds two places in one programme, and every member is of age on registration closing day.
    for m in Membership.objects.select_related("person", "program"):
        closing = m.program.registration_end
        age = (
            closing.year
            - m.person.birth_date.year
            - ((closing.month, closing.day) < (m.person.birth_date.month, m.person.birth_date.day))
        )
        assert age >= m.program.min_age


def test_the_national_officer_sees_seeded_people_on_the_member_list_and_a_regency_officer_only_theirs(seeded):
    national = _signed_in(scale.USERNAMES["national"])
    page = national.get("/peserta/")
    assert page.status_code == 200
    shown = [p for p in Person.objects.values_list("full_name", flat=True) if p in page.content.decode()]
    assert shown

    regency_user = User.objects.get(username=scale.USERNAMES["regency"])
    elsewhere = Membership.objects.exclude(
        program__office__region_code__startswith=regency_user.office.region_code
    )
    outsider_member = elsewhere.select_related("person").first()
    assert outsider_member is not None
    regency = _signed_in(scale.USERNAMES["regency"])
    assert regency.get(f"/peserta/{outsider_member.pk}/").status_code == 404
    assert national.get(f"/peserta/{outsider_member.pk}/").status_code == 200


def test_seed_scale_refuses_to_seed_twice_and_fresh_replaces_the_earlier_data(seeded):
    hamlets_before = Hamlet.objects.count()
    with pytest.raises(CommandError, match="--fresh"):
        call_command("seed_scale", people=PEOPLE, stdout=_Sink())
    call_command("seed_scale", people=100, fresh=True, seed=7, stdout=_Sink())
    assert Person.objects.count() == 100
    assert 100 <= Membership.objects.count() <= 120
    assert Office.objects.filter(level=Office.Level.NATIONAL).count() == 1
    assert User.objects.filter(username=scale.USERNAMES["national"]).count() == 1
    # The hamlets of the first run went with it: only the second run's are left.
    assert Hamlet.objects.count() < hamlets_before


def test_wipe_leaves_nothing_seeded_behind(seeded):
    scale.wipe(log=lambda text: None)
    assert not Person.objects.exists() and not Program.objects.exists() and not Group.objects.exists()
    assert not Office.objects.exists() and not User.objects.exists() and not Hamlet.objects.exists()
