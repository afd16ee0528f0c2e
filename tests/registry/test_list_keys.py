"""Each membership keeps copies of its programme's office, its person's name and its group's name, so the
member lists filter and sort on the membership row alone: the copies equal the originals after every
service that writes them, and the lists' first step reads them through an index, without a join."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import login
from tests.factories import GroupFactory, MembershipFactory, OfficeFactory, ProgramFactory, UserFactory
from tunas.accounts.roles import Role as UserRole
from tunas.demo import scale
from tunas.registry import counts, selectors, services
from tunas.registry.importing.importer import import_participants
from tunas.registry.models import Group, Membership, Person

from .helpers import group_with_members, person_data
from .test_import import participant, write_xlsx

pytestmark = pytest.mark.django_db

MEMBERSHIP = Membership._meta.db_table


def copies_match(memberships=None) -> list[tuple]:
    """Every membership whose copies differ from its programme's office, person's name or group's name."""
    rows = (memberships if memberships is not None else Membership.objects.all()).values_list(
        "pk",
        "office_id",
        "program__office_id",
        "person_name",
        "person__full_name",
        "group_name",
        "group__name",
    )
    return [
        row
        for row in rows
        if (row[1], row[3], row[5]) != (row[2], row[4], row[6]) or not row[3] or not row[5]
    ]


def test_a_registration_copies_its_office_person_and_group_names(program, officer):
    group = GroupFactory(program=program, name="Lontar Besang")
    m = services.member_register(group=group, data=person_data(full_name="Ni Made Sari"), by=officer)
    m.refresh_from_db()
    assert (m.office_id, m.person_name, m.group_name) == (program.office_id, "Ni Made Sari", "Lontar Besang")


def test_a_name_corrected_by_its_owner_office_reaches_every_registration_of_the_person(klungkung, officer):
    earlier = ProgramFactory(office=klungkung, code="KLK-TKM-2018", aid_date=dt.date(2018, 9, 4))
    first = services.member_register(group=GroupFactory(program=earlier), data=person_data(), by=officer)
    later = ProgramFactory(office=klungkung, code="KLK-TKM-2027", aid_date=None)
    data = person_data(nik=first.person.nik, birth_date=first.person.birth_date)
    second = services.member_register(group=GroupFactory(program=later), data=data, by=officer)
    corrected = person_data(
        nik=first.person.nik, full_name="I Made Nama Benar", birth_date=first.person.birth_date
    )
    edited = services.member_update(
        membership=second, data=corrected, role=second.role, expected_version=second.version, by=officer
    )
    assert edited.person_name == "I Made Nama Benar"
    assert set(Membership.objects.values_list("person_name", flat=True)) == {"I Made Nama Benar"}
    assert copies_match() == []


def test_a_name_corrected_while_registering_again_reaches_the_earlier_registration(klungkung, officer):
    earlier = ProgramFactory(office=klungkung, code="KLK-TKM-2018", aid_date=dt.date(2018, 9, 4))
    first = services.member_register(group=GroupFactory(program=earlier), data=person_data(), by=officer)
    later = ProgramFactory(office=klungkung, code="KLK-TKM-2027", aid_date=None)
    data = person_data(nik=first.person.nik, full_name="I Made Nama Baru", birth_date=first.person.birth_date)
    services.member_register(group=GroupFactory(program=later), data=data, by=officer)
    first.refresh_from_db()
    assert first.person_name == "I Made Nama Baru" and copies_match() == []


def test_a_renamed_group_renames_its_members_copies(program, officer):
    group, _members = group_with_members(program, 3, by=officer, name="Lontar Besang")
    group.refresh_from_db()
    group.name = "Lontar Besang Jaya"
    services.group_save(group=group, expected_version=group.version, by=officer)
    assert set(group.memberships.values_list("group_name", flat=True)) == {"Lontar Besang Jaya"}


def test_an_import_copies_the_names_and_a_known_persons_new_name_reaches_their_other_registrations(
    klungkung, program, officer, tmp_path
):
    earlier = ProgramFactory(office=klungkung, code="KLK-TKM-2018", aid_date=dt.date(2018, 9, 4))
    known = services.member_register(group=GroupFactory(program=earlier), data=person_data(), by=officer)
    GroupFactory(program=program, name="Lontar Besang")
    rows = [participant(Nama=f"Ni Luh Impor {i}") for i in range(3)]
    rows.append(
        participant(
            NIK=known.person.nik,
            Nama="I Made Nama Impor",
            Tanggal_Lahir=known.person.birth_date.strftime("%d-%m-%Y"),
        )
    )
    report = import_participants(program=program, source=write_xlsx(tmp_path / "p.xlsx", rows), by=officer)
    assert report.created == 4, report.errors
    imported = Membership.objects.filter(program=program)
    assert set(imported.values_list("group_name", flat=True)) == {"Lontar Besang"}
    assert {"Ni Luh Impor 0", "I Made Nama Impor"} <= set(imported.values_list("person_name", flat=True))
    known.refresh_from_db()
    assert known.person_name == "I Made Nama Impor"
    assert copies_match() == []


def test_memberships_made_around_the_services_get_their_copies_at_the_next_recount(program):
    # A factory writes the row alone, as raw data would be; the recount every service runs copies the names.
    m = MembershipFactory(group=GroupFactory(program=program, name="Kelompok Pantai"))
    m.refresh_from_db()
    assert (m.office_id, m.person_name, m.group_name) == (
        program.office_id,
        m.person.full_name,
        "Kelompok Pantai",
    )


def test_rebuild_list_keys_repairs_copies_changed_around_the_services(program, officer):
    group_with_members(program, 3, by=officer)
    Membership.objects.update(person_name="", group_name="stale", office=None)
    Person.objects.filter(pk=Membership.objects.first().person_id).update(full_name="Nama Diubah Langsung")
    assert counts.rebuild_list_keys() == 3
    assert copies_match() == []
    assert counts.rebuild_list_keys() == 0


def test_seed_scale_writes_the_copies_with_its_rows():
    scale.seed_scale(people=40, log=lambda text: None)
    seeded = Membership.objects.filter(office__email__endswith=scale.EMAIL_DOMAIN)
    assert seeded.count() >= 40
    assert copies_match(seeded) == []


# The lists' first step ------------------------------------------------------------------------------------


def _first_step(queries) -> str:
    """The keyset pager's first query: the page's keys only, sorted and cut (LIMIT 26)."""
    found = [
        q["sql"]
        for q in queries
        if re.match(rf'SELECT "{MEMBERSHIP}"\."id"( AS "pk")? FROM', q["sql"]) and "LIMIT 26" in q["sql"]
    ]
    assert len(found) == 1, [q["sql"] for q in queries if MEMBERSHIP in q["sql"]]
    return found[0]


def test_the_member_lists_first_step_filters_and_sorts_on_the_membership_row_alone(program, officer):
    for i in range(3):
        group_with_members(program, 4, by=officer, name=f"Kelompok {i}")
    with CaptureQueriesContext(connection) as queries:
        page = login(officer).get(reverse("registry:member_list")).context["page"]
    names = [m.person.full_name for m in page]
    assert names == sorted(names) and len(names) == 12
    sql = _first_step(queries)
    assert " JOIN " not in sql
    assert f'"{MEMBERSHIP}"."office_id" IN' in sql
    assert sql.split(" ORDER BY ")[1].startswith(f'"{MEMBERSHIP}"."person_name" ASC, ')


def test_the_programme_participants_tab_sorts_by_the_copied_group_and_person_names(program, officer):
    for name in ("Kelompok B", "Kelompok A"):
        group_with_members(program, 3, by=officer, name=name)
    with CaptureQueriesContext(connection) as queries:
        response = login(officer).get(
            reverse("programs:detail", args=[program.code]), {"tab": "participants"}
        )
    rows = [(m.group.name, m.person.full_name) for m in response.context["members_page"]]
    assert rows == sorted(rows) and len(rows) == 6
    sql = _first_step(queries)
    assert " JOIN " not in sql
    order = sql.split(" ORDER BY ")[1]
    assert order.startswith(
        f'"{MEMBERSHIP}"."group_name" ASC, "{MEMBERSHIP}"."group_id" ASC, "{MEMBERSHIP}"."person_name" ASC'
    )


def test_a_regency_officer_reads_the_members_of_the_offices_in_the_jurisdiction_only(
    program, officer, gianyar
):
    group_with_members(program, 2, by=officer)
    theirs = GroupFactory(program=ProgramFactory(office=gianyar), village_id="51.04.01.2001")
    MembershipFactory(group=theirs, village_id="51.04.01.2001")
    seen = selectors.membership_list_visible(user=officer)
    assert {m.office_id for m in seen} == {program.office_id} and seen.count() == 2
    province = UserFactory(
        office=OfficeFactory(name="Provinsi Bali", region_code="51"), roles=[UserRole.OFFICER]
    )
    assert selectors.membership_list_visible(user=province).count() == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL planner's plan")
def test_on_postgresql_a_regencys_page_by_name_is_an_index_scan_without_a_sort(program, officer):
    for i in range(3):
        group_with_members(program, 4, by=officer, name=f"Kelompok {i}")
    qs = selectors.membership_list_visible(user=officer).order_by("person_name", "pk")
    keys = qs.values_list("pk", flat=True)[:26]
    with connection.cursor() as cursor:
        # A dozen rows are read fastest whole; the question is whether an index gives the order at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        plan = keys.explain()
    assert "membership_office_name" in plan, plan
    assert "Sort" not in plan, plan


# The migration --------------------------------------------------------------------------------------------

BEFORE = [("registry", "0005_counts_and_list_indexes")]
AFTER = [("registry", "0006_list_keys_on_memberships")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_copies_the_names_of_the_registrations_already_there(bali_regions):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    office = OfficeFactory()
    program = ProgramFactory(office=office)
    person = old.get_model("registry", "Person").objects.create(
        nik="5105031705800001", full_name="I Wayan Lama", name_key="i wayan lama", sex="M",
        birth_date=dt.date(1980, 5, 17),
    )  # fmt: skip
    group = old.get_model("registry", "Group").objects.create(
        program_id=program.pk, name="Lontar", business_type="kerajinan", village_id="51.05.03.1008"
    )
    old.get_model("registry", "Membership").objects.create(
        program_id=program.pk, group=group, person=person, village_id="51.05.03.1008"
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    m = new.get_model("registry", "Membership").objects.get()
    assert (m.office_id, m.person_name, m.group_name) == (office.pk, "I Wayan Lama", "Lontar")

    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
    assert Group.objects.count() == 1
