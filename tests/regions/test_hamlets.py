"""Hamlets (banjar, dusun, lingkungan) have no official code: each village keeps a local list of them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from tests.conftest import login
from tunas.regions.models import Hamlet, Village
from tunas.regions.services import hamlet_get_or_create, split_hamlet_name

pytestmark = pytest.mark.django_db

SEMARAPURA_KAJA = "51.05.03.1008"


@pytest.mark.parametrize(
    ("typed", "kind", "name"),
    [
        ("Banjar Besang", "banjar", "Besang"),
        ("banjar besang", "banjar", "besang"),
        ("Br. Sengguan", "banjar", "Sengguan"),
        ("Br Sengguan", "banjar", "Sengguan"),
        ("Dusun Pasekan", "dusun", "Pasekan"),
        ("Dsn. Sente", "dusun", "Sente"),
        ("Lingkungan Gelgel", "lingkungan", "Gelgel"),
        ("Lingk. Gelgel", "lingkungan", "Gelgel"),
        ("  Banjar   Besang  Kawan ", "banjar", "Besang Kawan"),
        ("Sente", "dusun", "Sente"),
        ("Banjarangkan", "dusun", "Banjarangkan"),  # a name that merely starts with "Banjar"
    ],
)
def test_the_kind_word_is_read_from_the_name(typed, kind, name):
    assert split_hamlet_name(typed) == (kind, name)


def test_banjar_besang_is_stored_as_a_banjar_named_besang(officer):
    village = Village.objects.get(code=SEMARAPURA_KAJA)
    hamlet, created = hamlet_get_or_create(village=village, text="Banjar Besang", by=officer)
    assert created
    assert (hamlet.kind, hamlet.name, hamlet.created_by) == ("banjar", "Besang", officer)


@pytest.mark.parametrize("again", ["Banjar Besang", "banjar besang", "BESANG", "Br. Besang", "Dusun Besang"])
def test_the_same_hamlet_in_any_case_or_spelling_of_its_kind_is_found_not_added_twice(again):
    village = Village.objects.get(code=SEMARAPURA_KAJA)
    first, _ = hamlet_get_or_create(village=village, text="Banjar Besang")
    found, created = hamlet_get_or_create(village=village, text=again)
    assert not created
    assert found.pk == first.pk
    assert Hamlet.objects.filter(village=village).count() == 1


def test_the_same_name_may_exist_in_another_village():
    hamlet_get_or_create(village=Village.objects.get(code=SEMARAPURA_KAJA), text="Banjar Besang")
    _, created = hamlet_get_or_create(village=Village.objects.get(code="51.05.03.1011"), text="Banjar Besang")
    assert created


def test_the_database_refuses_a_case_variant_of_an_existing_hamlet():
    village = Village.objects.get(code=SEMARAPURA_KAJA)
    Hamlet.objects.create(village=village, name="Besang", kind="banjar")
    with pytest.raises(ValidationError):
        Hamlet(village=village, name="BESANG", kind="banjar").full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Hamlet.objects.create(village=village, name="besang", kind="banjar")


def test_an_officer_adds_a_hamlet_from_the_village_page(officer):
    client = login(officer)
    response = client.post(reverse("regions:hamlet_add", args=[SEMARAPURA_KAJA]), {"name": "Banjar Besang"})
    assert response.status_code == 302
    assert response["Location"] == reverse("regions:village", args=[SEMARAPURA_KAJA])
    hamlet = Hamlet.objects.get(village_id=SEMARAPURA_KAJA)
    assert (hamlet.kind, hamlet.name) == ("banjar", "Besang")

    client.cookies["tunas_language"] = "en"
    response = client.post(
        reverse("regions:hamlet_add", args=[SEMARAPURA_KAJA]), {"name": "banjar BESANG"}, follow=True
    )
    assert Hamlet.objects.filter(village_id=SEMARAPURA_KAJA).count() == 1
    assert "is already in the list" in response.content.decode()
    assert "Banjar Besang" in response.content.decode()


def test_an_empty_name_adds_nothing_and_says_what_to_do(officer):
    client = login(officer)
    client.cookies["tunas_language"] = "en"
    response = client.post(
        reverse("regions:hamlet_add", args=[SEMARAPURA_KAJA]), {"name": "   "}, follow=True
    )
    assert "Enter the hamlet" in response.content.decode()
    assert not Hamlet.objects.filter(village_id=SEMARAPURA_KAJA).exists()


def test_the_village_page_lists_its_hamlets_and_postal_code(officer):
    village = Village.objects.get(code=SEMARAPURA_KAJA)
    hamlet_get_or_create(village=village, text="Banjar Besang")
    response = login(officer).get(reverse("regions:village", args=[SEMARAPURA_KAJA]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Semarapura Kaja" in html
    assert "80712" in html
    assert "Besang" in html
    assert reverse("regions:hamlet_add", args=[SEMARAPURA_KAJA]) in html


@pytest.mark.parametrize("who", ["viewer", "verifier", "mentor", "instructor"])
def test_only_programme_managers_add_hamlets(request, who):
    client = login(request.getfixturevalue(who))
    response = client.post(reverse("regions:hamlet_add", args=[SEMARAPURA_KAJA]), {"name": "Banjar Besang"})
    assert response.status_code == 403
    assert not Hamlet.objects.exists()


def test_an_outsider_cannot_add_hamlets_to_another_regencys_village(outsider):
    client = login(outsider)
    response = client.post(reverse("regions:hamlet_add", args=[SEMARAPURA_KAJA]), {"name": "Banjar Besang"})
    assert response.status_code == 404
    assert client.get(reverse("regions:village", args=[SEMARAPURA_KAJA])).status_code == 404
    assert not Hamlet.objects.exists()


def test_adding_a_hamlet_needs_a_post_and_a_signed_in_user(officer):
    url = reverse("regions:hamlet_add", args=[SEMARAPURA_KAJA])
    assert login(officer).get(url).status_code == 405
    response = Client().post(url, {"name": "Banjar Besang"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not Hamlet.objects.exists()
