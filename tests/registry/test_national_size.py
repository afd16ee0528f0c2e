"""Registry at national size: counts kept on write, lists that seek instead of counting and skipping, and
search that matches words as people type them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.conftest import login
from tests.factories import GroupFactory
from tunas.core.pagination import encode_cursor
from tunas.registry import counts, services
from tunas.registry.models import Group, GroupStatus, Membership, ProgramSummary, Verification

from .helpers import english, group_with_members, person_data

pytestmark = pytest.mark.django_db


def recount(group: Group) -> dict[str, int]:
    rows = Membership.objects.filter(group=group)
    active = rows.exclude(verification=Verification.REJECTED)
    return {
        "member_count": active.count(),
        "pending_count": rows.filter(verification=Verification.PENDING).count(),
        "approved_count": rows.filter(verification=Verification.APPROVED).count(),
        "rejected_count": rows.filter(verification=Verification.REJECTED).count(),
        "women_count": active.filter(person__sex="F").count(),
        "men_count": active.filter(person__sex="M").count(),
    }


def kept(group: Group) -> dict[str, int]:
    group.refresh_from_db()
    return {name: getattr(group, name) for name in recount(group)}


def test_registering_deciding_and_removing_keep_the_groups_counts_equal_to_a_recount(
    program, officer, verifier
):
    group, _members = group_with_members(program, 3, by=officer)
    woman = services.member_register(group=group, data=person_data(sex="F"), by=officer)
    assert (
        kept(group)
        == recount(group)
        == {
            "member_count": 4,
            "pending_count": 4,
            "approved_count": 0,
            "rejected_count": 0,
            "women_count": 1,
            "men_count": 3,
        }
    )
    first, second = list(group.memberships.exclude(pk=woman.pk))[:2]
    services.member_verify(membership=first, approve=True, reason="", by=verifier)
    services.member_verify(membership=second, approve=False, reason="Bekerja sebagai ASN", by=verifier)
    services.membership_remove(membership=woman, by=officer)
    assert kept(group) == recount(group)
    assert (group.member_count, group.approved_count, group.rejected_count, group.women_count) == (2, 1, 1, 0)


def test_the_programme_summary_follows_every_registration_in_the_same_transaction(program, officer, verifier):
    group, _members = group_with_members(program, 2, by=officer)
    GroupFactory(program=program)  # no members: not waiting for the verifiers
    summary = ProgramSummary.objects.get(program=program)
    assert (summary.groups, summary.groups_waiting, summary.members, summary.pending_in_queue) == (2, 1, 2, 2)
    for m in group.memberships.all():
        services.member_verify(membership=m, approve=True, reason="", by=verifier)
    summary.refresh_from_db()
    assert (summary.pending_in_queue, summary.approved) == (0, 2)


def test_rebuild_counts_repairs_counts_changed_around_the_services(program, officer):
    group, _members = group_with_members(program, 3, by=officer)
    Group.objects.filter(pk=group.pk).update(member_count=99, pending_count=0)
    ProgramSummary.objects.filter(program=program).update(members=0)
    call_command("rebuild_counts", stdout=open("/dev/null", "w"))  # noqa: SIM115 - the command's output is not the point
    assert kept(group) == recount(group)
    assert ProgramSummary.objects.get(program=program).members == 3


def test_an_import_leaves_the_counts_as_a_recount_finds_them(program, officer, tmp_path):
    from tunas.registry.importing.importer import import_participants

    from .test_import import participant, write_xlsx

    GroupFactory(program=program, name="Lontar Besang")
    sheet = write_xlsx(tmp_path / "p.xlsx", [participant(Kelompok="Lontar Besang") for _ in range(4)])
    report = import_participants(program=program, source=sheet, by=officer)
    assert report.created == 4
    group = Group.objects.get(program=program, name="Lontar Besang")
    assert kept(group) == recount(group) and group.member_count == 4
    assert ProgramSummary.objects.get(program=program).members == 4


def test_the_home_cards_read_the_summaries_not_the_rows(program, officer):
    for i in range(3):
        group_with_members(program, 2, by=officer, name=f"Kelompok {i}")
    client = login(officer)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("core:home"))
    membership_table = Membership._meta.db_table
    counting_rows = [
        q["sql"] for q in queries if "COUNT" in q["sql"].upper() and membership_table in q["sql"]
    ]
    assert counting_rows == []


@pytest.mark.parametrize("url_name", ["registry:member_list", "registry:group_list"])
def test_a_deep_page_of_a_list_seeks_without_offset_in_the_same_number_of_queries(url_name, program, officer):
    for i in range(6):
        group_with_members(program, 5, by=officer, name=f"Kelompok {i:02d}")
    client = login(officer)
    url = reverse(url_name)
    with CaptureQueriesContext(connection) as first:
        page_one = client.get(url)
    cursor = page_one.context["page"].next_cursor if url_name == "registry:member_list" else None
    if cursor is None:  # six groups fit one page: seek from the third one instead
        third = Group.objects.order_by("program__code", "name", "pk")[2]
        cursor = encode_cursor([third.program.code, third.name, third.pk])
    with CaptureQueriesContext(connection) as deep:
        page = client.get(url, {"after": cursor})
    assert page.status_code == 200 and page.context["page"].items
    assert len(deep) == len(first)
    assert not any(" OFFSET " in q["sql"].upper() for q in deep)


def test_the_member_list_pages_through_everyone_once_by_next_links(program, officer):
    for i in range(3):
        group_with_members(program, 12, by=officer, name=f"Kelompok {i}")
    client = login(officer)
    seen, params = [], {}
    while True:
        page = client.get(reverse("registry:member_list"), params).context["page"]
        seen += [m.pk for m in page]
        if not page.next_cursor:
            break
        params = {"after": page.next_cursor}
    assert sorted(seen) == sorted(Membership.objects.values_list("pk", flat=True)) and len(seen) == 36


def test_name_search_finds_every_typed_word_in_any_order_and_spacing(program, officer):
    group = GroupFactory(program=program)
    services.member_register(
        group=group, data=person_data(full_name="Ni Made Sari Dewi", sex="F"), by=officer
    )
    services.member_register(group=group, data=person_data(full_name="I Made Sudarma"), by=officer)
    client = english(login(officer))

    def names(q):
        return sorted(
            m.person.full_name for m in client.get(reverse("registry:member_list"), {"q": q}).context["page"]
        )

    assert names("sari   MADE") == ["Ni Made Sari Dewi"]
    assert names("made") == ["I Made Sudarma", "Ni Made Sari Dewi"]
    assert names("ᬫᬤᬾ") == []  # any alphabet, never an error


def test_a_whole_nik_is_searched_by_exact_match_on_the_normalised_number(program, officer):
    group = GroupFactory(program=program)
    member = services.member_register(group=group, data=person_data(), by=officer)
    nik = member.person.nik
    spaced = f"{nik[:6]} {nik[6:12]}.{nik[12:]}"
    client = login(officer)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("registry:member_list"), {"q": spaced}).context["page"]
    assert [m.pk for m in page] == [member.pk]
    assert any(f"'{nik}'" in q["sql"] or nik in q["sql"] for q in queries)


def test_a_selected_group_moves_on_but_never_back_and_keeps_its_counts(program, officer):
    group = GroupFactory(program=program, status=GroupStatus.VERIFIED)
    services.group_progress_to(group=group, status=GroupStatus.EQUIPPED, by=officer)
    services.group_progress_to(group=group, status=GroupStatus.TRAINED, by=officer)
    group.refresh_from_db()
    assert group.status == GroupStatus.EQUIPPED
    forming = GroupFactory(program=program)
    with translation.override("en"), pytest.raises(ValidationError, match="selected"):
        services.group_progress_to(group=forming, status=GroupStatus.TRAINED, by=officer)


def test_the_set_based_rebuild_finds_what_the_services_kept_in_a_mixed_world(program, officer, verifier):
    from tests.factories import MembershipFactory, ProgramFactory

    from .test_home_and_programme_tabs import DUPLICATE

    other = ProgramFactory(office=program.office, code="KLK-LAIN-2025", fiscal_year=2025, group_size_min=3)
    a, members = group_with_members(program, 4, by=officer)
    services.member_verify(membership=members[0], approve=False, reason="ASN", by=verifier)
    services.member_verify(membership=members[1], approve=True, reason="", by=verifier)
    MembershipFactory(group=a, warnings=DUPLICATE)
    MembershipFactory(group=GroupFactory(program=other, status=GroupStatus.DISSOLVED))
    MembershipFactory(group=GroupFactory(program=other, status=GroupStatus.VERIFIED))
    GroupFactory(program=other)

    def snapshot():
        groups = sorted(Group.objects.values_list("pk", *(f for f in recount(a)), "warning_count"))
        summaries = sorted(
            tuple(v for k, v in row.items() if k != "updated_at") for row in ProgramSummary.objects.values()
        )
        return groups, summaries

    kept_by_services = snapshot()
    Group.objects.update(member_count=7, warning_count=3)
    ProgramSummary.objects.update(members=0, groups_undersized=9)
    counts.rebuild_all()
    assert snapshot() == kept_by_services


@pytest.mark.skipif(connection.vendor != "postgresql", reason="similar words need pg_trgm (PostgreSQL)")
def test_a_name_typed_with_a_slip_is_found_by_similar_words_when_nothing_contains_it(program, officer):
    group = GroupFactory(program=program)
    services.member_register(group=group, data=person_data(full_name="I Made Sudarma"), by=officer)
    client = english(login(officer))

    def names(q):
        return [
            m.person.full_name for m in client.get(reverse("registry:member_list"), {"q": q}).context["page"]
        ]

    assert names("sudarmo") == ["I Made Sudarma"]
    assert names("made sudarma") == ["I Made Sudarma"]
