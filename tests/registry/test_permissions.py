"""Who may see and change what: jurisdiction scoping, roles, POST-only state changes and CSRF."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import login
from tunas.registry.models import Membership, Verification

from .helpers import form_data, group_with_members

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(program, officer):
    group, [member] = group_with_members(program, 1, by=officer)
    return {"program": program, "group": group, "member": member}


def object_urls(world) -> list[str]:
    g, m, code = world["group"].pk, world["member"].pk, world["program"].code
    return [
        reverse("registry:group_detail", args=[g]),
        reverse("registry:group_edit", args=[g]),
        reverse("registry:member_add", args=[g]),
        reverse("registry:member_detail", args=[m]),
        reverse("registry:member_edit", args=[m]),
        reverse("registry:selection_record_pdf", args=[code]),
        reverse("registry:group_create", args=[code]),
    ]


def post_urls(world) -> list[str]:
    g, m = world["group"].pk, world["member"].pk
    return [
        reverse("registry:group_verify", args=[g]),
        reverse("registry:member_verify", args=[m]),
        reverse("registry:member_remove", args=[m]),
        reverse("registry:member_warnings_resolve", args=[m]),
    ]


# Jurisdiction -----------------------------------------------------------------------------------------------


def test_an_officer_of_another_regency_gets_not_found_on_every_klungkung_page(as_outsider, world):
    for url in object_urls(world):
        assert as_outsider.get(url).status_code == 404, url


def test_an_officer_of_another_regency_cannot_change_klungkung_members(outsider, world):
    client = login(outsider)
    client.post(reverse("registry:member_edit", args=[world["member"].pk]), form_data(full_name="Diubah"))
    client.post(reverse("registry:member_remove", args=[world["member"].pk]))
    member = Membership.objects.get(pk=world["member"].pk)
    assert member.person.full_name != "Diubah"


def test_an_officer_of_another_regency_sees_no_klungkung_rows_in_lists_or_exports(as_outsider, world):
    name = world["member"].person.full_name
    for url in [reverse("registry:group_list"), reverse("registry:member_list")]:
        response = as_outsider.get(url)
        assert response.context["page"].total.value == 0 and not response.context["page"].items
        assert name not in response.content.decode()
    for url in [reverse("registry:group_export"), reverse("registry:member_export")]:
        assert name.encode() not in as_outsider.get(url).content


def test_an_outside_verifier_cannot_decide_on_klungkung_members(gianyar, world):
    from tests.factories import UserFactory

    verifier = UserFactory(username="verifikator.gianyar", office=gianyar, roles=["verifier"])
    response = login(verifier).post(
        reverse("registry:member_verify", args=[world["member"].pk]),
        {"decision": "approve", "version": world["member"].version},
    )
    assert response.status_code == 404
    assert Membership.objects.get(pk=world["member"].pk).verification == Verification.PENDING


def test_the_province_office_sees_its_regencies_groups(bali_province, world):
    from tests.factories import UserFactory

    user = UserFactory(username="operator.bali", office=bali_province, roles=["officer"])
    assert login(user).get(reverse("registry:group_detail", args=[world["group"].pk])).status_code == 200


# Roles ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "mentor", "verifier"])
def test_only_officers_and_administrators_change_the_registry(role, world, request):
    client = login(request.getfixturevalue(role))
    g, m, code = world["group"].pk, world["member"].pk, world["program"].code
    for url in [
        reverse("registry:group_create", args=[code]),
        reverse("registry:group_edit", args=[g]),
        reverse("registry:member_add", args=[g]),
        reverse("registry:member_edit", args=[m]),
    ]:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("registry:member_add", args=[g]), form_data()).status_code == 403
    assert client.post(reverse("registry:member_remove", args=[m])).status_code == 403
    assert client.post(reverse("registry:member_warnings_resolve", args=[m])).status_code == 403
    assert Membership.objects.filter(group_id=g).count() == 1


@pytest.mark.parametrize("role", ["officer", "viewer", "mentor"])
def test_only_verifiers_and_administrators_decide(role, world, request):
    client = login(request.getfixturevalue(role))
    assert (
        client.post(
            reverse("registry:member_verify", args=[world["member"].pk]),
            {"decision": "approve", "version": world["member"].version},
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("registry:group_verify", args=[world["group"].pk]), {"decision": "reject", "reason": "x"}
        ).status_code
        == 403
    )
    assert Membership.objects.get(pk=world["member"].pk).verification == Verification.PENDING


def test_an_administrator_manages_and_verifies(admin_user, world):
    client = login(admin_user)
    assert client.get(reverse("registry:member_edit", args=[world["member"].pk])).status_code == 200
    client.post(
        reverse("registry:member_verify", args=[world["member"].pk]),
        {"decision": "approve", "version": world["member"].version},
    )
    assert Membership.objects.get(pk=world["member"].pk).verification == Verification.APPROVED


def test_a_viewer_reads_lists_and_pages_without_full_numbers(viewer, world):
    client = login(viewer)
    nik = world["member"].person.nik
    urls = [
        reverse("registry:member_list"),
        reverse("registry:group_detail", args=[world["group"].pk]),
        reverse("registry:member_detail", args=[world["member"].pk]),
        reverse("programs:detail", args=[world["program"].code]) + "?tab=participants",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert nik not in response.content.decode(), url
    assert nik.encode() not in client.get(reverse("registry:member_export")).content


def test_a_mentor_reads_no_group_until_groups_are_assigned_to_them(mentor, world):
    client = login(mentor)
    assert client.get(reverse("registry:group_detail", args=[world["group"].pk])).status_code == 403
    assert client.get(reverse("registry:member_detail", args=[world["member"].pk])).status_code == 403
    tab = client.get(reverse("programs:detail", args=[world["program"].code]) + "?tab=groups")
    assert world["group"].name not in tab.content.decode()


@pytest.mark.parametrize(
    "url_name", ["registry:group_list", "registry:member_list", "registry:member_export"]
)
def test_instructors_read_no_registry_lists(instructor, url_name):
    assert login(instructor).get(reverse(url_name)).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(world):
    client = Client()
    for url in object_urls(world) + [reverse("registry:group_list"), reverse("registry:verification_queue")]:
        response = client.get(url)
        assert response.status_code == 302 and "/akun/" in response["Location"], url


# POST only, with CSRF ---------------------------------------------------------------------------------------


def test_state_changes_refuse_get(admin_user, world):
    client = login(admin_user)
    for url in post_urls(world):
        assert client.get(url).status_code == 405, url
    assert Membership.objects.filter(pk=world["member"].pk, verification=Verification.PENDING).exists()


def test_state_changes_need_the_csrf_token(admin_user, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    for url in post_urls(world):
        assert client.post(url, {"decision": "approve"}).status_code == 403, url
    assert (
        client.post(reverse("registry:member_add", args=[world["group"].pk]), form_data()).status_code == 403
    )
    assert Membership.objects.filter(pk=world["member"].pk, verification=Verification.PENDING).exists()


def test_pages_carry_a_csrf_token_in_every_form(admin_user, world):
    client = login(admin_user)
    for url in [
        reverse("registry:group_detail", args=[world["group"].pk]),
        reverse("registry:member_detail", args=[world["member"].pk]),
    ]:
        page = client.get(url).content.decode()
        # The page's own forms (remove, approve, reject, ...) and the language switcher and sign-out.
        forms = page.count('method="post"')
        assert forms >= 4, url
        assert page.count('name="csrfmiddlewaretoken"') == forms, url
