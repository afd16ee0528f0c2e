"""Offices with a jurisdiction, users with one office and roles, and the user pages for administrators."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.conftest import login
from tests.factories import OfficeFactory, UserFactory
from tunas.accounts.models import Office, User
from tunas.accounts.roles import ROLES_MANAGING_PROGRAMMES, ROLES_SEEING_FULL_NIK, Role
from tunas.accounts.selectors import user_list_visible
from tunas.accounts.services import office_upsert, user_save, user_set_roles

pytestmark = pytest.mark.django_db


def test_every_role_is_a_django_group_named_by_its_key():
    assert set(Role.values) == {"admin", "officer", "verifier", "instructor", "mentor", "viewer", "group_rep"}
    assert set(Role.values) <= set(Group.objects.values_list("name", flat=True))


def test_roles_are_set_replaced_and_read_through_groups(klungkung):
    user = UserFactory(office=klungkung)
    user_set_roles(user=user, roles=["officer", "verifier", "not-a-role"])
    assert set(user.groups.values_list("name", flat=True)) == {"officer", "verifier"}
    assert user.roles == frozenset({"officer", "verifier"})
    user_set_roles(user=user, roles=["viewer"])
    assert user.roles == frozenset({"viewer"})
    assert User.objects.get(pk=user.pk).roles == frozenset({"viewer"})


@pytest.mark.parametrize(
    ("roles", "manages", "full_nik"),
    [
        (["admin"], True, True),
        (["officer"], True, True),
        (["verifier"], False, True),
        (["instructor"], False, False),
        (["mentor"], False, False),
        (["viewer"], False, False),
        (["group_rep"], False, False),
    ],
)
def test_what_each_role_may_do(klungkung, roles, manages, full_nik):
    user = UserFactory(office=klungkung, roles=roles)
    assert user.manages_programmes is manages
    assert user.sees_full_nik is full_nik
    assert set(ROLES_MANAGING_PROGRAMMES) == {"admin", "officer"}
    assert set(ROLES_SEEING_FULL_NIK) == {"admin", "officer", "verifier"}


def test_role_labels_are_words_in_the_active_language(admin_user):
    with translation.override("en"):
        assert admin_user.role_labels == ["Administrator", "Programme officer"]


@pytest.mark.parametrize(
    ("level", "code", "ok"),
    [
        (Office.Level.REGENCY, "51.05", True),
        (Office.Level.PROVINCE, "51", True),
        (Office.Level.NATIONAL, "", True),
        (Office.Level.REGENCY, "51", False),
        (Office.Level.PROVINCE, "51.05", False),
        (Office.Level.NATIONAL, "51", False),
        (Office.Level.REGENCY, "51.99", False),
        (Office.Level.PROVINCE, "20", False),
    ],
)
def test_an_office_jurisdiction_must_fit_its_level_and_exist(level, code, ok):
    office = Office(name="Dinas", level=level, region_code=code)
    if ok:
        office.full_clean()
    else:
        with pytest.raises(ValidationError) as error:
            office.full_clean()
        assert "region_code" in error.value.message_dict


def test_office_upsert_is_idempotent():
    first = office_upsert(
        name="Dinas Tenaga Kerja Kabupaten Bangli", level=Office.Level.REGENCY, region_code="51.06"
    )
    again = office_upsert(
        name="Dinas Tenaga Kerja Kabupaten Bangli", level=Office.Level.REGENCY, region_code="51.06"
    )
    assert first.pk == again.pk
    assert Office.objects.filter(region_code="51.06").count() == 1


def test_the_jurisdiction_follows_the_office(klungkung, bali_province):
    national = OfficeFactory(name="Kementerian Ketenagakerjaan", level=Office.Level.NATIONAL, region_code="")
    assert UserFactory(office=klungkung).jurisdiction == "51.05"
    assert UserFactory(office=bali_province).jurisdiction == "51"
    assert UserFactory(office=national).jurisdiction == ""
    assert UserFactory(office=None).jurisdiction is None
    assert UserFactory(office=None, is_superuser=True).jurisdiction == ""


def test_a_user_belongs_to_one_office(klungkung, gianyar):
    user = user_save(user=User(username="wayan", email="w@example.org"), office=klungkung, roles=["officer"])
    assert user.office == klungkung
    user = user_save(user=user, office=gianyar, roles=["officer"])
    assert User.objects.get(pk=user.pk).office == gianyar


# ---- The user pages --------------------------------------------------------------------------------

USER_PAGES = ["accounts:user_list", "accounts:user_create"]


@pytest.mark.parametrize("url_name", USER_PAGES)
@pytest.mark.parametrize("who", ["officer", "verifier", "mentor", "instructor", "viewer", "outsider"])
def test_the_user_pages_are_for_administrators_only(request, url_name, who):
    client = login(request.getfixturevalue(who))
    assert client.get(reverse(url_name)).status_code == 403


def test_editing_a_user_is_for_administrators_only(officer, verifier):
    client = login(officer)
    url = reverse("accounts:user_edit", args=[verifier.pk])
    assert client.get(url).status_code == 403
    assert (
        client.post(url, {"username": "hijacked", "roles": ["admin"], "email": "x@example.org"}).status_code
        == 403
    )
    verifier.refresh_from_db()
    assert verifier.username == "verifikator"


@pytest.mark.parametrize("url_name", USER_PAGES)
def test_the_user_pages_send_anonymous_visitors_to_sign_in(url_name):
    response = Client().get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_user_list_shows_the_administrators_office_only(admin_user, officer, outsider):
    response = login(admin_user).get(reverse("accounts:user_list"))
    assert response.status_code == 200
    listed = {u.username for u in response.context["users"]}
    assert {"admin", "operator"} <= listed
    assert "operator.gianyar" not in listed
    assert "operator.gianyar" not in response.content.decode()


def test_a_province_administrator_sees_the_users_of_its_regencies(bali_province, officer, outsider):
    province_admin = UserFactory(username="admin.bali", office=bali_province, roles=["admin"])
    listed = {u.username for u in user_list_visible(user=province_admin)}
    assert {"operator", "operator.gianyar", "admin.bali"} <= listed


def test_an_administrator_cannot_open_a_user_of_another_office(admin_user, outsider):
    client = login(admin_user)
    url = reverse("accounts:user_edit", args=[outsider.pk])
    assert client.get(url).status_code == 404
    assert (
        client.post(url, {"username": "x", "email": "x@example.org", "roles": ["viewer"]}).status_code == 404
    )
    outsider.refresh_from_db()
    assert outsider.roles == frozenset({"officer"})


def test_an_administrator_creates_a_user_in_the_own_office_with_roles(admin_user):
    response = login(admin_user).post(
        reverse("accounts:user_create"),
        {
            "username": "ni.kadek",
            "first_name": "Ni Kadek",
            "last_name": "Sari",
            "email": "kadek@example.org",
            "phone": "081234567890",
            "is_active": "on",
            "roles": ["verifier", "mentor"],
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="ni.kadek")
    assert user.office == admin_user.office
    assert user.roles == frozenset({"verifier", "mentor"})
    assert not user.has_usable_password()


def test_a_new_user_needs_an_e_mail_address_to_set_a_first_password(admin_user):
    response = login(admin_user).post(
        reverse("accounts:user_create"), {"username": "tanpa.email", "roles": ["viewer"], "is_active": "on"}
    )
    assert response.status_code == 200
    assert 'id="id_email-error"' in response.content.decode()
    assert not User.objects.filter(username="tanpa.email").exists()


def test_a_user_needs_at_least_one_role(admin_user):
    response = login(admin_user).post(
        reverse("accounts:user_create"),
        {"username": "tanpa.peran", "email": "p@example.org", "is_active": "on"},
    )
    assert response.status_code == 200
    assert 'id="id_roles-error"' in response.content.decode()
    assert not User.objects.filter(username="tanpa.peran").exists()


def test_an_administrator_changes_a_users_roles_and_keeps_the_password(admin_user, viewer):
    response = login(admin_user).post(
        reverse("accounts:user_edit", args=[viewer.pk]),
        {
            "username": viewer.username,
            "email": "pimpinan@example.org",
            "is_active": "on",
            "roles": ["officer"],
        },
    )
    assert response.status_code == 302
    user = User.objects.get(pk=viewer.pk)
    assert user.roles == frozenset({"officer"})
    assert user.office == viewer.office
    assert user.has_usable_password()


def test_the_edit_form_shows_the_current_roles_ticked(admin_user, verifier):
    html = login(admin_user).get(reverse("accounts:user_edit", args=[verifier.pk])).content.decode()
    boxes = dict(re.findall(r'<input type="checkbox" name="roles" value="(\w+)"([^>]*)>', html))
    assert set(boxes) == set(Role.values)
    assert [key for key, attrs in boxes.items() if "checked" in attrs] == ["verifier"]


def test_the_user_list_asks_the_same_number_of_queries_for_3_or_30_users(
    admin_user, django_assert_max_num_queries
):
    client = login(admin_user)
    for i in range(2):
        UserFactory(username=f"few{i}", office=admin_user.office, roles=["officer", "mentor"])
    with django_assert_max_num_queries(10) as few:
        assert client.get(reverse("accounts:user_list")).status_code == 200
    for i in range(27):
        UserFactory(username=f"many{i}", office=admin_user.office, roles=["viewer"])
    with django_assert_max_num_queries(10) as many:
        response = client.get(reverse("accounts:user_list"))
    assert response.context["page"].paginator.count == 30
    assert len(many.captured_queries) == len(few.captured_queries)


def test_where_tunas_sends_no_mail_a_new_user_gets_a_first_password_shown_once(admin_user, settings):
    from tunas.accounts.models import User

    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

    client = login(admin_user)
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "operator.baru",
            "first_name": "Komang",
            "last_name": "",
            "email": "",
            "roles": ["officer"],
        },
        follow=True,
    )
    page = response.content.decode()
    assert "operator.baru" in page
    password = page.split("operator.baru: ")[1].split(" ")[0]
    assert len(password) == 12
    user = User.objects.get(username="operator.baru")
    assert user.check_password(password)
    assert password not in client.get(reverse("accounts:user_list")).content.decode()


def test_an_administrator_gives_a_new_first_password_and_others_cannot(admin_user, officer):
    url = reverse("accounts:user_first_password", args=[officer.pk])
    assert login(officer).post(url).status_code == 403
    old = officer.password
    login(admin_user).post(url)
    officer.refresh_from_db()
    assert officer.password != old
