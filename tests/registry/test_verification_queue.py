"""The verification queue for hundreds of members: decisions in place (htmx), the re-check beside each
member, filters, "approve all without problems", the group summary, pagination, queries and permissions."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.conftest import code_shown, login
from tests.factories import GroupFactory, ProgramFactory, UserFactory
from tunas.registry import services
from tunas.registry.models import Group, GroupStatus, Membership, Verification
from tunas.registry.views import QUEUE_PAGE_SIZE

from .helpers import BATUBULAN_GIANYAR, english, group_with_members, person_data

pytestmark = pytest.mark.django_db

QUEUE = "registry:verification_queue"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def as_verifier(verifier):
    return english(login(verifier))


def decide(client, m, *, approve=True, reason="", htmx=True, version=None, **extra):
    body = {
        "decision": "approve" if approve else "reject",
        "reason": reason,
        "version": m.version if version is None else version,
        "next": reverse(QUEUE),
        **extra,
    }
    return client.post(reverse("registry:member_verify", args=[m.pk]), body, **(HTMX if htmx else {}))


def queue_page(client, **params):
    return client.get(reverse(QUEUE), params)


def shown(response) -> dict[str, list[int]]:
    return {item.group.name: [row.pk for row in item.rows] for item in response.context["queue"]}


def with_category_error(m):
    """The member's declared categories no longer include one the programme allows (re-check: an error)."""
    Membership.objects.filter(pk=m.pk).update(categories=[])
    return m


def possible_duplicates(program, group):
    """Two people with one name and birth date under different NIKs: one registered earlier in another
    group, then one in ``group`` (who carries the stored warning an officer can mark as checked)."""
    elsewhere = services.member_register(
        group=GroupFactory(program=program, name="Kelompok Lain"), data=person_data(full_name="Ni Luh Kembar")
    )
    ours = services.member_register(group=group, data=person_data(full_name="Ni Luh Kembar"))
    return ours, elsewhere


# Deciding in place ------------------------------------------------------------------------------------------


def test_an_htmx_approval_answers_with_only_the_member_row_and_saves_it(as_verifier, program, verifier):
    group, [m, other] = group_with_members(program, 2, name="Lontar Besang")
    response = decide(as_verifier, m)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="member-{m.pk}"')
    assert "<html" not in html and "Lontar Besang" not in html
    assert other.person.full_name not in html
    assert "Verified" in html and "Decided by Test" in html
    # Beside the row, out of band: the group's tally and the page's waiting count.
    assert f'id="group-summary-{group.pk}" class="queue-summary" hx-swap-oob="true"' in html
    assert 'id="queue-waiting-total" hx-swap-oob="true"' in html
    # In a <template>: after a <tr> the browser would parse the summary's forms in table mode, emptied.
    assert html.index("<template>") < html.index('id="group-summary-') < html.index("</template>")
    m.refresh_from_db()
    assert (m.verification, m.verified_by) == (Verification.APPROVED, verifier)


def test_the_row_of_a_decided_member_keeps_its_version_and_offers_to_change_the_decision(
    as_verifier, program
):
    group, [m] = group_with_members(program, 1)
    html = decide(as_verifier, m, approve=False, reason="Sudah bekerja tetap").content.decode()
    m.refresh_from_db()
    assert "Rejected" in html and "Sudah bekerja tetap" in html
    assert "Change the decision" in html
    assert f'name="version" value="{m.version}"' in html
    assert f'hx-post="{reverse("registry:member_verify", args=[m.pk])}"' in html
    assert f'hx-target="#member-{m.pk}"' in html and 'hx-swap="outerHTML"' in html


def test_an_htmx_rejection_without_a_reason_is_refused_in_the_row_with_the_required_code(
    as_verifier, program
):
    group, [m] = group_with_members(program, 1)
    html = decide(as_verifier, m, approve=False, reason="  ").content.decode()
    assert html.lstrip().startswith(f'<tr id="member-{m.pk}"')
    assert code_shown("required") in html and "the decision was not saved" in html
    assert 'aria-invalid="true"' in html
    assert Membership.objects.get(pk=m.pk).verification == Verification.PENDING


def test_a_stale_htmx_decision_shows_the_conflict_and_what_the_other_verifier_decided_in_the_row(
    program, verifier, klungkung
):
    group, [m] = group_with_members(program, 1)
    other = UserFactory(username="verifikator2", office=klungkung, roles=["verifier"], first_name="Komang")
    first, second = english(login(verifier)), english(login(other))
    seen = m.version
    decide(first, m, approve=False, reason="Pegawai tetap", version=seen)
    html = decide(second, m, approve=True, version=seen).content.decode()
    assert html.lstrip().startswith(f'<tr id="member-{m.pk}"')
    assert code_shown("conflict") in html
    assert "Meanwhile Test recorded: Rejected" in html
    m.refresh_from_db()
    assert (m.verification, m.verified_by) == (Verification.REJECTED, verifier)
    # The row now carries the current version: a second look can still change the decision, knowingly.
    assert f'name="version" value="{m.version}"' in html


def test_without_javascript_a_decision_posts_and_comes_back_to_the_member_row(as_verifier, program):
    group, [m] = group_with_members(program, 1)
    page = queue_page(as_verifier).content.decode()
    nexts = set(re.findall(r'name="next" value="([^"]+)"', page))
    assert f"{reverse(QUEUE)}#member-{m.pk}" in nexts
    response = decide(as_verifier, m, htmx=False, next=f"{reverse(QUEUE)}#member-{m.pk}")
    assert response.status_code == 302 and response["Location"] == f"{reverse(QUEUE)}#member-{m.pk}"
    assert Membership.objects.get(pk=m.pk).verification == Verification.APPROVED


def test_decisions_stay_open_while_the_group_forms_and_close_once_it_is_verified(
    as_verifier, program, verifier
):
    group, [m] = group_with_members(program, 1)
    services.member_verify(membership=m, approve=True, reason="", by=verifier)
    assert "Change the decision" in queue_page(as_verifier).content.decode()
    response = as_verifier.post(
        reverse("registry:group_verify", args=[group.pk]),
        {"decision": "approve", "next": reverse(QUEUE)},
        **HTMX,
    )
    html = response.content.decode()
    assert html.lstrip().startswith(f'<section class="card mb-3 queue-group" id="queue-group-{group.pk}"')
    assert f"The group {group.name} is verified." in html
    assert "Change the decision" not in html
    assert Group.objects.get(pk=group.pk).status == GroupStatus.VERIFIED


def test_a_member_who_joined_a_verified_group_is_decided_in_place_too(as_verifier, program, verifier):
    group, [m] = group_with_members(program, 1, name="Lontar Besang")
    services.member_verify(membership=m, approve=True, reason="", by=verifier)
    services.group_verify(group=group, approve=True, reason="", by=verifier)
    late = services.member_register(group=group, data=person_data())
    page = queue_page(as_verifier).content.decode()
    assert "Members who joined verified groups" in page and f'id="member-{late.pk}"' in page
    assert shown(queue_page(as_verifier)) == {}
    html = decide(as_verifier, late, row="late").content.decode()
    assert html.lstrip().startswith(f'<tr id="member-{late.pk}"') and "Lontar Besang" in html
    assert "hx-swap-oob" not in html
    assert Membership.objects.get(pk=late.pk).verification == Verification.APPROVED


# The re-check beside each member ----------------------------------------------------------------------------


def test_each_member_shows_the_re_check_with_its_sentence_and_code(as_verifier, program):
    group, [clean, broken] = group_with_members(program, 2, name="Lontar Besang")
    with_category_error(broken)
    first, _second = possible_duplicates(program, group)
    page = queue_page(as_verifier).content.decode()
    rows = {
        m.pk: re.search(rf'<tr id="member-{m.pk}".*?</tr>', page, re.S).group(0)
        for m in (clean, broken, first)
    }
    assert "No problem found" in rows[clean.pk]
    assert "Not eligible" in rows[broken.pk]
    assert "Choose at least one target category the programme allows." in rows[broken.pk]
    assert "<code>category_missing</code>" in rows[broken.pk]
    assert "Check the warnings" in rows[first.pk] and "<code>possible_duplicate</code>" in rows[first.pk]


def test_a_warning_an_officer_checked_no_longer_counts_as_open(as_verifier, program, officer):
    group, _members = group_with_members(program, 0)
    ours, _elsewhere = possible_duplicates(program, group)
    services.membership_warnings_resolve(membership=ours, by=officer)
    page = queue_page(as_verifier).content.decode()
    row = re.search(rf'<tr id="member-{ours.pk}".*?</tr>', page, re.S).group(0)
    assert "No problem found" in row and "Checked by an officer" in row


# Filters ----------------------------------------------------------------------------------------------------


def test_the_filters_show_waiting_decided_or_members_with_warnings(as_verifier, program, verifier):
    group, [waiting, approved, rejected, broken] = group_with_members(program, 4, name="Lontar Besang")
    services.member_verify(membership=approved, approve=True, reason="", by=verifier)
    services.member_verify(membership=rejected, approve=False, reason="Pindah", by=verifier)
    with_category_error(broken)
    settled, [done] = group_with_members(program, 1, name="Sudah Diputus")
    services.member_verify(membership=done, approve=True, reason="", by=verifier)

    assert shown(queue_page(as_verifier)) == {
        "Lontar Besang": [m.pk for m in sorted([waiting, approved, rejected, broken], key=_name)],
        "Sudah Diputus": [done.pk],
    }
    assert shown(queue_page(as_verifier, show="waiting")) == {
        "Lontar Besang": [m.pk for m in sorted([waiting, broken], key=_name)]
    }
    assert shown(queue_page(as_verifier, show="decided")) == {
        "Lontar Besang": [m.pk for m in sorted([approved, rejected], key=_name)],
        "Sudah Diputus": [done.pk],
    }
    assert shown(queue_page(as_verifier, show="warnings")) == {"Lontar Besang": [broken.pk]}
    # Decided members stay visible with their badge, and the page says what the filter hides.
    decided = queue_page(as_verifier, show="decided").content.decode()
    assert "Pindah" in decided and "2 other members of this group are not shown by this filter." in decided


def _name(m):
    return m.person.full_name


def test_the_filters_stay_in_the_url_with_the_programme(as_verifier, program, klungkung):
    group_with_members(program, 1, name="Di Program Ini")
    group_with_members(ProgramFactory(office=klungkung), 1, name="Di Program Lain")
    response = queue_page(as_verifier, program=program.code, show="waiting")
    assert list(shown(response)) == ["Di Program Ini"]
    page = response.content.decode()
    assert f"?program={program.code}&amp;show=decided" in page
    assert 'name="show" value="waiting"' in page  # the programme select keeps the filter


def test_an_unknown_filter_shows_every_member(as_verifier, program):
    group, [m] = group_with_members(program, 1, name="Lontar Besang")
    assert shown(queue_page(as_verifier, show="everything")) == {"Lontar Besang": [m.pk]}


def test_a_filter_without_matches_says_so(as_verifier, program):
    group_with_members(program, 1)
    page = queue_page(as_verifier, show="warnings").content.decode()
    assert "No group matches this filter." in page


# Approve all without problems -------------------------------------------------------------------------------


@pytest.fixture
def mixed_group(program):
    """A group of four waiting members: two without problems, one not eligible, one possible duplicate."""
    group, [a, b, broken] = group_with_members(program, 3, name="Lontar Besang")
    with_category_error(broken)
    duplicate, _elsewhere = possible_duplicates(program, group)
    return group, [a, b], [broken, duplicate]


def approve_all(client, group, *, confirm=False, seen=(), htmx=True):
    body = {"group": group.pk, "next": reverse(QUEUE)}
    if confirm:
        body["confirm"] = "1"
        body["seen"] = [f"{m.pk}:{m.version}" for m in seen]
    url = reverse("registry:queue_approve_without_problems")
    return client.post(url, body, **(HTMX if htmx else {}))


def test_approve_all_first_shows_what_it_will_do_then_approves_exactly_the_members_without_problems(
    as_verifier, mixed_group, verifier
):
    group, clean, problems = mixed_group
    summary = approve_all(as_verifier, group).content.decode()
    assert "2 of 4 waiting members have no problem and will be approved." in summary
    assert "2 need a look:" in summary
    for m in problems:
        assert m.person.full_name in summary
    assert "<code>category_missing</code>" in summary and "<code>possible_duplicate</code>" in summary
    assert "Approve 2 members" in summary and 'name="confirm" value="1"' in summary
    assert Membership.objects.filter(group=group, verification=Verification.APPROVED).count() == 0

    seen = re.findall(r'name="seen" value="(\d+):(\d+)"', summary)
    assert sorted(int(pk) for pk, _version in seen) == sorted(m.pk for m in clean)
    html = approve_all(as_verifier, group, confirm=True, seen=clean).content.decode()
    assert html.lstrip().startswith(f'<section class="card mb-3 queue-group" id="queue-group-{group.pk}"')
    assert "2 members are approved." in html and "2 members still need a look." in html
    approved = Membership.objects.filter(group=group, verification=Verification.APPROVED)
    assert sorted(approved.values_list("pk", flat=True)) == sorted(m.pk for m in clean)
    assert set(approved.values_list("verified_by", flat=True)) == {verifier.pk}
    assert set(
        Membership.objects.filter(pk__in=[m.pk for m in problems]).values_list("verification", flat=True)
    ) == {Verification.PENDING}


def test_approve_all_says_so_when_every_waiting_member_needs_a_look(as_verifier, program):
    group, members = group_with_members(program, 2)
    for m in members:
        with_category_error(m)
    summary = approve_all(as_verifier, group).content.decode()
    assert "None of the 2 waiting members can be approved together: each needs a look." in summary
    assert 'name="confirm"' not in summary and "Cancel" in summary


def test_approve_all_leaves_waiting_a_member_that_changed_after_the_summary(as_verifier, mixed_group):
    group, [a, b], _problems = mixed_group
    seen = [Membership.objects.get(pk=a.pk), Membership.objects.get(pk=b.pk)]
    Membership.objects.filter(pk=b.pk).update(version=b.version + 5)  # someone edited b meanwhile
    html = approve_all(as_verifier, group, confirm=True, seen=seen).content.decode()
    assert "1 member is approved." in html
    assert "1 member changed after the summary was shown and still waits; check them again." in html
    assert Membership.objects.get(pk=a.pk).verification == Verification.APPROVED
    assert Membership.objects.get(pk=b.pk).verification == Verification.PENDING


def test_approve_all_without_javascript_shows_the_summary_on_the_queue_page(as_verifier, mixed_group):
    group, clean, _problems = mixed_group
    response = approve_all(as_verifier, group, htmx=False)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse(QUEUE)}?review={group.pk}#queue-group-{group.pk}"
    page = as_verifier.get(response["Location"]).content.decode()
    assert "2 of 4 waiting members have no problem and will be approved." in page
    response = approve_all(as_verifier, group, confirm=True, seen=clean, htmx=False)
    assert response["Location"] == f"{reverse(QUEUE)}#queue-group-{group.pk}"
    assert Membership.objects.filter(group=group, verification=Verification.APPROVED).count() == 2


def test_the_service_approves_the_waiting_members_without_problems_and_says_what_it_did(
    mixed_group, verifier, officer
):
    group, clean, [broken, duplicate] = mixed_group
    services.membership_warnings_resolve(membership=duplicate, by=officer)  # checked: different people
    result = services.members_approve_without_problems(group=group, by=verifier)
    assert sorted(m.pk for m in result.approved) == sorted(m.pk for m in [*clean, duplicate])
    assert [(m.pk, [p.code for p in check.errors]) for m, check in result.needs_look] == [
        (broken.pk, ["category_missing"])
    ]
    assert result.changed == []
    assert Membership.objects.get(pk=broken.pk).verification == Verification.PENDING
    again = services.members_approve_without_problems(group=group, by=verifier)
    assert again.approved == [] and len(again.needs_look) == 1


def test_approve_all_refuses_a_group_that_no_longer_takes_decisions(as_verifier, program, verifier):
    group, [m] = group_with_members(program, 1)
    services.member_verify(membership=m, approve=False, reason="Pindah", by=verifier)
    services.group_verify(group=group, approve=False, reason="Bubar", by=verifier)
    html = approve_all(as_verifier, group, confirm=True, seen=[]).content.decode()
    assert "decisions on its members can no longer change" in html and code_shown("value_invalid") in html


# The group summary ------------------------------------------------------------------------------------------


def test_the_group_summary_counts_decisions_against_the_group_size_and_disables_verify_while_members_wait(
    as_verifier, klungkung, verifier
):
    program = ProgramFactory(office=klungkung, group_size_min=2, group_size_max=5)
    group, [a, b, c] = group_with_members(program, 3, name="Lontar Besang")
    services.member_verify(membership=a, approve=True, reason="", by=verifier)
    services.member_verify(membership=b, approve=False, reason="Pindah", by=verifier)
    page = queue_page(as_verifier).content.decode()
    start = page.index(f'<div id="group-summary-{group.pk}"')
    summary = page[start : page.index("</section>", start)]
    assert "Verified: 1" in summary and "Rejected: 1" in summary and "Waiting for verification: 1" in summary
    assert "needs 2 to 5" in summary
    verify = re.search(r"<button[^>]*>Verify the group</button>", summary).group(0)
    assert "disabled" in verify and f'aria-describedby="group-{group.pk}-blocked"' in verify
    assert "1 member still waits for a decision" in summary

    # The last decision, made in place, brings the tally up to date: now too few verified members.
    html = decide(as_verifier, c, approve=False, reason="Tidak hadir").content.decode()
    oob = html[html.index(f'<div id="group-summary-{group.pk}"') :]
    assert "Waiting for verification: 0" in oob
    assert "The group has 1 verified member; the programme needs at least 2" in oob
    assert "disabled" in re.search(r"<button[^>]*>Verify the group</button>", oob).group(0)
    assert "Approve all without problems" not in oob


def test_the_verify_button_is_enabled_once_every_member_is_decided(as_verifier, program, verifier):
    group, [a] = group_with_members(program, 1)
    html = decide(as_verifier, a).content.decode()
    oob = html[html.index(f'<div id="group-summary-{group.pk}"') :]
    assert "Every member is decided: the group can be verified." in oob
    assert "disabled" not in re.search(r"<button[^>]*>Verify the group</button>", oob).group(0)


# Pagination and queries -------------------------------------------------------------------------------------


def test_the_queue_is_paginated_by_group(as_verifier, program):
    for i in range(QUEUE_PAGE_SIZE + 2):
        group_with_members(program, 1, name=f"Kelompok {i:02d}")
    first = queue_page(as_verifier)
    assert len(first.context["queue"]) == QUEUE_PAGE_SIZE and first.context["page"].has_next
    second = queue_page(as_verifier, after=first.context["page"].next_cursor)
    assert not second.context["page"].has_next
    assert [item.group.name for item in second.context["queue"]] == [
        f"Kelompok {QUEUE_PAGE_SIZE:02d}",
        f"Kelompok {QUEUE_PAGE_SIZE + 1:02d}",
    ]


@pytest.mark.parametrize("groups", [3, 30])
@pytest.mark.parametrize("show", ["", "warnings"])
def test_the_queue_page_issues_a_bounded_number_of_queries(
    as_verifier, program, groups, show, verifier, django_assert_max_num_queries
):
    for i in range(groups):
        group, members = group_with_members(program, 3, name=f"Kelompok {i:02d}")
        services.member_verify(membership=members[0], approve=True, reason="", by=verifier)
        with_category_error(members[1])
    with django_assert_max_num_queries(20):
        response = queue_page(as_verifier, show=show)
    assert response.status_code == 200
    assert len(response.context["queue"]) == min(groups, QUEUE_PAGE_SIZE)


def test_a_decision_in_place_issues_a_bounded_number_of_queries(
    as_verifier, program, django_assert_max_num_queries
):
    group, members = group_with_members(program, 20)
    with django_assert_max_num_queries(30):
        assert decide(as_verifier, members[5]).status_code == 200


# Permissions ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "officer"])
def test_viewers_and_officers_may_not_use_the_queue(role, request, program):
    group, [m] = group_with_members(program, 1)
    client = login(request.getfixturevalue(role))
    assert client.get(reverse(QUEUE)).status_code == 403
    assert decide(client, m).status_code == 403
    assert approve_all(client, group, confirm=True, seen=[m]).status_code == 403
    assert approve_all(client, group).status_code == 403
    assert Membership.objects.get(pk=m.pk).verification == Verification.PENDING


def test_a_verifier_of_another_regency_sees_nothing_of_klungkung_and_changes_nothing(gianyar, program):
    group, [m] = group_with_members(program, 1, name="Lontar Besang")
    theirs = ProgramFactory(office=gianyar, code="GIA-TKM-2026")
    services.member_register(
        group=GroupFactory(program=theirs, village_id=BATUBULAN_GIANYAR, name="Ukir Gianyar"),
        data=person_data(village_id=BATUBULAN_GIANYAR, district="51.04.01"),
    )
    outsider = english(login(UserFactory(username="verifikator.gianyar", office=gianyar, roles=["verifier"])))
    for show in ["", "waiting", "warnings", "decided"]:
        response = queue_page(outsider, show=show)
        assert "Lontar Besang" not in shown(response)
        page = response.content.decode()
        assert m.person.full_name not in page and m.person.nik not in page
    assert list(shown(queue_page(outsider))) == ["Ukir Gianyar"]
    assert decide(outsider, m).status_code == 404
    assert approve_all(outsider, group).status_code == 404
    assert approve_all(outsider, group, confirm=True, seen=[m]).status_code == 404
    assert (
        outsider.post(
            reverse("registry:group_verify", args=[group.pk]), {"decision": "reject", "reason": "x"}, **HTMX
        ).status_code
        == 404
    )
    assert Membership.objects.get(pk=m.pk).verification == Verification.PENDING
    assert Group.objects.get(pk=group.pk).status == GroupStatus.FORMING


def test_approve_all_answers_not_found_without_a_group(as_verifier):
    url = reverse("registry:queue_approve_without_problems")
    assert as_verifier.post(url, {"group": "x"}).status_code == 404
    assert as_verifier.get(url).status_code == 405
