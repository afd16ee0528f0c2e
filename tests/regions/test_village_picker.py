"""The village picker and the cascading selects, both limited to the user's jurisdiction."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import login
from tests.factories import UserFactory
from tunas.regions.models import District, Village
from tunas.regions.selectors import village_search

pytestmark = pytest.mark.django_db

SEMARAPURA_KAJA = "51.05.03.1008"


def found_codes(client: Client, q: str) -> list[str]:
    response = client.get(reverse("regions:village_search"), {"q": q, "format": "json"})
    assert response.status_code == 200
    return [row["code"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    "typed", ["semarapura", "Semarapura", "kaja", "SEMARAPURA KAJA", "kaja semara", " semarapura  kaja "]
)
def test_typing_part_of_the_name_finds_semarapura_kaja(officer, typed):
    assert SEMARAPURA_KAJA in found_codes(login(officer), typed)


@pytest.mark.parametrize("typed", ["5105031008", "51.05.03.1008", "51.05.03.10"])
def test_typing_the_code_finds_the_village(officer, typed):
    assert SEMARAPURA_KAJA in found_codes(login(officer), typed)


def test_the_json_answer_names_the_district_regency_and_postal_code(officer):
    response = login(officer).get(
        reverse("regions:village_search"), {"q": "semarapura kaja", "format": "json"}
    )
    assert response.json()["results"] == [
        {
            "code": SEMARAPURA_KAJA,
            "name": "Semarapura Kaja",
            "district": "Klungkung",
            "regency": "Kabupaten Klungkung",
            "postal_code": "80712",
        }
    ]


def test_the_search_stays_inside_the_users_regency(officer, outsider):
    # Ubud lies in Gianyar (51.04): the Klungkung officer must not find it, the Gianyar one must.
    ubud = (
        Village.objects.filter(name="Ubud", code__startswith="51.04.").values_list("code", flat=True).first()
    )
    assert ubud
    assert found_codes(login(officer), "ubud") == []
    assert ubud in found_codes(login(outsider), "ubud")
    assert all(code.startswith("51.05.") for code in found_codes(login(officer), "a"))
    assert found_codes(login(outsider), "semarapura") == []


def test_a_province_office_searches_its_whole_province(bali_province):
    user = UserFactory(office=bali_province, roles=["viewer"])
    codes = found_codes(login(user), "kaja")
    assert codes
    assert all(code.startswith("51.") for code in codes)
    assert any(not code.startswith("51.05.") for code in codes)


def test_the_search_returns_at_most_20_villages(officer):
    assert len(found_codes(login(officer), "a")) == 20


def test_an_empty_search_finds_nothing(officer):
    assert found_codes(login(officer), "  ") == []


def test_the_search_answers_htmx_with_clickable_options(officer):
    response = login(officer).get(
        reverse("regions:village_search"), {"q": "semarapura kaja"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert f'data-village-code="{SEMARAPURA_KAJA}"' in html
    assert 'data-village-label="Semarapura Kaja"' in html


def test_the_search_asks_one_query_whatever_it_finds(officer, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(village_search(query="a", within="51.05"))


def test_a_user_without_an_office_is_refused(klungkung):
    orphan = UserFactory(office=None)
    assert login(orphan).get(reverse("regions:village_search"), {"q": "kaja"}).status_code == 403


def test_the_picker_needs_a_signed_in_user():
    response = Client().get(reverse("regions:village_search"), {"q": "kaja", "format": "json"})
    assert response.status_code == 302


def _options(response) -> list[str]:
    return re.findall(r'<option value="([\d.]+)"', response.content.decode())


def test_the_regency_lists_its_districts(officer):
    response = login(officer).get(reverse("regions:children"), {"parent": "51.05"})
    assert response.status_code == 200
    assert sorted(_options(response)) == ["51.05.01", "51.05.02", "51.05.03", "51.05.04"]


def test_the_district_lists_its_villages(officer):
    response = login(officer).get(reverse("regions:children"), {"parent": "51.05.03"})
    options = _options(response)
    assert SEMARAPURA_KAJA in options
    assert set(options) == set(District.objects.get(code="51.05.03").villages.values_list("code", flat=True))


def test_the_parent_may_be_typed_without_dots(officer):
    assert sorted(_options(login(officer).get(reverse("regions:children"), {"parent": "5105"}))) == [
        "51.05.01", "51.05.02", "51.05.03", "51.05.04",
    ]  # fmt: skip


def test_the_cascade_does_not_open_another_regency(officer):
    client = login(officer)
    assert client.get(reverse("regions:children"), {"parent": "51.04"}).status_code == 404
    assert client.get(reverse("regions:children"), {"parent": "51.04.01"}).status_code == 404


@pytest.mark.parametrize("parent", ["51", "", "52.01"])
def test_a_regency_user_cannot_list_the_areas_around_its_regency(officer, parent):
    assert login(officer).get(reverse("regions:children"), {"parent": parent}).status_code == 404


def test_a_province_user_lists_the_regencies_of_its_province(bali_province):
    user = UserFactory(office=bali_province, roles=["viewer"])
    client = login(user)
    options = _options(client.get(reverse("regions:children"), {"parent": "51"}))
    assert len(options) == 9  # eight regencies and Denpasar
    assert all(code.startswith("51.") for code in options)
    assert client.get(reverse("regions:children"), {"parent": "52"}).status_code == 404


def test_a_malformed_parent_is_not_found(officer):
    assert login(officer).get(reverse("regions:children"), {"parent": "5"}).status_code == 404


def test_the_region_browser_offers_the_users_regency_only(officer):
    response = login(officer).get(reverse("regions:browser"))
    assert response.status_code == 200
    assert [r.code for r in response.context["regencies"]] == ["51.05"]
