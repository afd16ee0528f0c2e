"""The verification queue, decisions on members and groups (who and when), the selection-result record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from tests.conftest import code_shown, login
from tests.factories import GroupFactory, ProgramFactory, UserFactory
from tunas.registry import documents, services
from tunas.registry.models import Group, GroupStatus, Membership, Person, Verification

from .helpers import english, group_with_members

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_verifier(verifier):
    return english(login(verifier))


def approve_all(group, by):
    for m in group.memberships.all():
        services.member_verify(membership=m, approve=True, reason="", by=by)


# The queue --------------------------------------------------------------------------------------------------


def test_the_queue_lists_waiting_members_grouped_by_group(as_verifier, program):
    lontar, lontar_members = group_with_members(program, 2, name="Lontar Besang")
    jajan, jajan_members = group_with_members(program, 1, name="Jajan Sengguan")
    response = as_verifier.get(reverse("registry:verification_queue"))
    queue = {item.group.name: [row.pk for row in item.rows] for item in response.context["queue"]}
    assert queue == {
        "Lontar Besang": [m.pk for m in sorted(lontar_members, key=lambda m: m.person.full_name)],
        "Jajan Sengguan": [jajan_members[0].pk],
    }
    assert response.context["waiting_total"] == 3
    page = response.content.decode()
    assert lontar_members[0].person.nik in page  # a verifier checks the full NIK against the card


def test_the_queue_shows_groups_ready_for_a_group_decision_after_those_with_waiting_members(
    as_verifier, program, verifier
):
    ready, _members = group_with_members(program, 1, name="A Siap")
    approve_all(ready, verifier)
    waiting, _members = group_with_members(program, 1, name="B Menunggu")
    names = [
        item.group.name for item in as_verifier.get(reverse("registry:verification_queue")).context["queue"]
    ]
    assert names == ["B Menunggu", "A Siap"]


def test_the_queue_filters_by_programme(as_verifier, program, klungkung):
    group_with_members(program, 1, name="Di Program Ini")
    group_with_members(ProgramFactory(office=klungkung), 1, name="Di Program Lain")
    response = as_verifier.get(reverse("registry:verification_queue"), {"program": program.code})
    assert [item.group.name for item in response.context["queue"]] == ["Di Program Ini"]


def test_an_empty_queue_says_so(as_verifier):
    assert (
        "Nothing waits for verification."
        in as_verifier.get(reverse("registry:verification_queue")).content.decode()
    )


@pytest.mark.parametrize("groups", [2, 12])
def test_the_queue_issues_a_bounded_number_of_queries(
    as_verifier, program, groups, django_assert_max_num_queries
):
    for i in range(groups):
        group_with_members(program, 3, name=f"Kelompok {i:02d}")
    # The page re-checks every member's eligibility too: a few queries per programme, whatever the size.
    with django_assert_max_num_queries(16):
        response = as_verifier.get(reverse("registry:verification_queue"))
    assert response.status_code == 200


def test_an_officer_without_the_verifier_role_has_no_queue(as_officer):
    assert as_officer.get(reverse("registry:verification_queue")).status_code == 403


def test_an_administrator_verifies_too(admin_user):
    assert login(admin_user).get(reverse("registry:verification_queue")).status_code == 200


# Decisions --------------------------------------------------------------------------------------------------


def test_a_verifier_approves_a_member_and_returns_to_the_queue(as_verifier, program, verifier):
    group, [m] = group_with_members(program, 1)
    queue = reverse("registry:verification_queue")
    response = as_verifier.post(
        reverse("registry:member_verify", args=[m.pk]),
        {"decision": "approve", "version": m.version, "next": queue},
    )
    assert response["Location"] == queue
    m.refresh_from_db()
    assert (m.verification, m.verified_by) == (Verification.APPROVED, verifier)


def test_a_rejection_without_a_reason_is_refused_with_the_required_code(as_verifier, program):
    group, [m] = group_with_members(program, 1)
    response = as_verifier.post(
        reverse("registry:member_verify", args=[m.pk]),
        {"decision": "reject", "version": m.version},
        follow=True,
    )
    assert Membership.objects.get(pk=m.pk).verification == Verification.PENDING
    assert code_shown("required") in response.content.decode()


def test_a_rejection_keeps_its_reason_who_and_when_and_shows_them(as_verifier, program, verifier):
    group, [m] = group_with_members(program, 1)
    as_verifier.post(
        reverse("registry:member_verify", args=[m.pk]),
        {"decision": "reject", "reason": "Tercatat sebagai pegawai tetap", "version": m.version},
    )
    m.refresh_from_db()
    assert (m.verification, m.verification_reason, m.verified_by) == (
        Verification.REJECTED,
        "Tercatat sebagai pegawai tetap",
        verifier,
    )
    page = as_verifier.get(reverse("registry:member_detail", args=[m.pk])).content.decode()
    assert "Tercatat sebagai pegawai tetap" in page and "Decided by Test" in page


def test_a_next_address_on_another_site_is_ignored(as_verifier, program):
    group, [m] = group_with_members(program, 1)
    response = as_verifier.post(
        reverse("registry:member_verify", args=[m.pk]),
        {"decision": "approve", "version": m.version, "next": "https://example.com/"},
    )
    assert response["Location"] == reverse("registry:member_detail", args=[m.pk])


def test_a_verifier_verifies_a_group_once_every_member_is_decided(as_verifier, program, verifier):
    group, [m] = group_with_members(program, 1)
    url = reverse("registry:group_verify", args=[group.pk])
    as_verifier.post(url, {"decision": "approve"})
    assert Group.objects.get(pk=group.pk).status == GroupStatus.FORMING
    approve_all(group, verifier)
    as_verifier.post(url, {"decision": "approve"})
    group.refresh_from_db()
    assert (group.status, group.verified_by) == (GroupStatus.VERIFIED, verifier)
    page = as_verifier.get(reverse("registry:group_detail", args=[group.pk])).content.decode()
    assert "Decided by" in page


def test_a_verifier_rejects_a_group_with_a_reason(as_verifier, program):
    group, _members = group_with_members(program, 1)
    as_verifier.post(
        reverse("registry:group_verify", args=[group.pk]),
        {"decision": "reject", "reason": "Anggota dari desa yang berjauhan"},
    )
    group.refresh_from_db()
    assert (group.status, group.verification_note) == (
        GroupStatus.REJECTED,
        "Anggota dari desa yang berjauhan",
    )


def test_two_verifiers_deciding_the_same_member_at_once_the_second_is_refused_with_what_changed(
    program, verifier, klungkung
):
    group, [m] = group_with_members(program, 1)
    other = UserFactory(username="verifikator2", office=klungkung, roles=["verifier"], first_name="Komang")
    seen = m.version
    first, second = english(login(verifier)), english(login(other))
    url = reverse("registry:member_verify", args=[m.pk])
    first.post(url, {"decision": "reject", "reason": "Pegawai tetap", "version": seen})
    page = second.post(url, {"decision": "approve", "version": seen}, follow=True).content.decode()
    m.refresh_from_db()
    assert (m.verification, m.verified_by) == (Verification.REJECTED, verifier)
    assert code_shown("conflict") in page
    assert "Rejected" in page


def test_a_decision_posted_without_the_version_it_was_made_on_is_refused_as_stale(as_verifier, program):
    group, [m] = group_with_members(program, 1)
    as_verifier.post(reverse("registry:member_verify", args=[m.pk]), {"decision": "approve"})
    assert Membership.objects.get(pk=m.pk).verification == Verification.PENDING


def test_an_unknown_decision_changes_nothing(as_verifier, program):
    group, [m] = group_with_members(program, 1)
    as_verifier.post(reverse("registry:member_verify", args=[m.pk]), {"decision": "maybe"})
    assert Membership.objects.get(pk=m.pk).verification == Verification.PENDING


# The selection-result record --------------------------------------------------------------------------------


def verified_programme(program, verifier):
    group, members = group_with_members(program, 3, name="Ngilur Bhuwana Sente")
    services.member_verify(membership=members[2], approve=False, reason="Pindah domisili", by=verifier)
    for m in members[:2]:
        services.member_verify(membership=m, approve=True, reason="", by=verifier)
    services.group_verify(group=group, approve=True, reason="", by=verifier)
    GroupFactory(program=program, name="Belum Diverifikasi")
    return group, members


def test_the_selection_record_is_a_pdf(as_officer, program, verifier):
    verified_programme(program, verifier)
    response = as_officer.get(reverse("registry:selection_record_pdf", args=[program.code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert program.code.lower() in response["Content-Disposition"]


def test_the_selection_record_lists_verified_groups_and_members_with_masked_niks(program, verifier):
    group, members = verified_programme(program, verifier)
    # An Indonesian letter whatever the interface language (tests/registry/test_selection_record.py).
    with translation.override("en"):
        html = documents.selection_record_html(program=program, day=dt.date(2026, 12, 1))
    body, annex = html.split('<div class="annex">')
    assert "Ngilur Bhuwana Sente" in body and "Belum Diverifikasi" not in html
    for m in members[:2]:
        assert m.person.full_name in body
        assert m.person.nik not in html and m.person.nik_masked in html
    assert members[2].person.full_name not in body and members[2].person.full_name in annex
    assert "Selasa, 1 Desember 2026" in html and program.office.name in html
    assert "Klungkung, 1 Desember 2026" in html
    assert "Tim Verifikasi" in html and verifier.get_full_name() in html
    assert "PESERTA YANG TIDAK LOLOS SELEKSI" in annex


def test_the_programme_page_links_the_selection_record_once_a_group_passed(as_officer, program, verifier):
    url = reverse("programs:detail", args=[program.code]) + "?tab=groups"
    pdf = reverse("registry:selection_record_pdf", args=[program.code])
    assert pdf not in as_officer.get(url).content.decode()
    verified_programme(program, verifier)
    assert pdf in as_officer.get(url).content.decode()


def _selection_record_document(program):
    from django.conf import settings
    from weasyprint import HTML

    context = documents.selection_record_context(program=program, day=dt.date(2026, 12, 1))
    html = render_to_string("registry/pdf/selection_record.html", context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).render()


def test_the_selection_record_draws_balinese_script_with_an_embedded_font(program, verifier):
    group, members = verified_programme(program, verifier)
    Person.objects.filter(pk=members[0].person_id).update(full_name="ᬇᬤᬾᬯ ᬅᬕᬸᬂ Ni Wayan")
    document = _selection_record_document(program)
    document.write_pdf()
    assert "Noto Sans Balinese" in {font.family for font in document.fonts.values()}


def test_a_long_unbroken_name_wraps_inside_the_page(program, verifier):
    group, members = verified_programme(program, verifier)
    Person.objects.filter(pk=members[0].person_id).update(full_name="Sangatpanjang" * 11)
    document = _selection_record_document(program)
    for page in document.pages:
        right_edge = page.width - page._page_box.margin_right
        cells = [box for box in page._page_box.descendants() if type(box).__name__ == "TableCellBox"]
        assert cells
        assert max(cell.position_x + cell.margin_width() for cell in cells) <= right_edge + 1
