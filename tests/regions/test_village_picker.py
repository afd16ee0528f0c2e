"""The village picker and the cascading selects, both limited to the user's jurisdiction."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.conftest import code_shown, login
from tests.factories import UserFactory
from tunas.regions import selectors
from tunas.regions.forms import VillageField
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


# Typos, "not found", and a form posted with text but no village picked --------------------------------------

PIKAT = "51.05.04.2010"


def english(client: Client) -> Client:
    client.cookies["tunas_language"] = "en"
    return client


def found_names(client: Client, q: str) -> list[str]:
    response = client.get(reverse("regions:village_search"), {"q": q, "format": "json"})
    return [row["name"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("Smarapura", "Semarapura Kaja"),
        ("semarapur kaja", "Semarapura Kaja"),
        ("smarapura kaja", "Semarapura Kaja"),
        ("kaja smarapura", "Semarapura Kaja"),
        ("semarpura kangin", "Semarapura Kangin"),
        ("pikt", "Pikat"),
        ("dawan kalr", "Dawan Kaler"),
    ],
)
def test_a_typo_still_finds_the_village(officer, typed, first):
    names = found_names(login(officer), typed)
    assert names[0] == first


def test_a_typo_finds_every_village_sharing_the_name_and_the_closest_first(officer):
    names = found_names(login(officer), "Smarapura")
    assert names[0] == "Semarapura Kaja"
    assert {"Semarapura Kangin", "Semarapura Kauh", "Semarapura Klod", "Semarapura Tengah"} <= set(names)
    assert all(name.startswith("Semarapura") for name in names)


def test_a_typo_in_one_word_is_not_carried_by_the_other_word(bali_province):
    # "kaja" alone would match Sanur Kaja (Denpasar); "smarapura" is far from "Sanur".
    user = UserFactory(office=bali_province, roles=["viewer"])
    assert found_names(login(user), "smarapura kaja") == ["Semarapura Kaja"]


def test_the_typo_search_stays_inside_the_users_regency(outsider):
    assert found_codes(login(outsider), "Smarapura") == []


def test_a_province_office_finds_a_typo_in_its_province(bali_province):
    user = UserFactory(office=bali_province, roles=["viewer"])
    codes = found_codes(login(user), "Smarapura")
    assert SEMARAPURA_KAJA in codes
    assert all(code.startswith("51.") for code in codes)


def test_the_national_office_finds_a_typo_among_a_bounded_set_of_names(django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        names = [v.name for v in village_search(query="Smarapura", within="")]
    assert names[0] == "Semarapura Kaja"
    # The national search compares only names starting like the typed word, never the 83,762 villages.
    typed = selectors._name_words("Smarapura")
    candidates = Village.objects.filter(selectors._candidates_q(typed)).count()
    assert 0 < candidates < selectors.FUZZY_MAX_CANDIDATES


@pytest.mark.parametrize("within", ["", "51", "51.05"])
def test_two_letters_are_too_few_for_a_typo_search(within):
    assert village_search(query="zq", within=within) == []
    assert selectors.village_codes_like(query="sm", within=within) == []


def test_a_typo_search_asks_three_queries_at_most(django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert village_search(query="Smarapura", within="51.05")


def test_nothing_near_the_typed_name_is_found(officer):
    assert found_codes(login(officer), "Xyzzy") == []


def test_the_picker_says_no_village_has_the_typed_name(officer):
    response = english(login(officer)).get(
        reverse("regions:village_search"),
        {"target": "village", "village__search": "Xyzzy"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "No village named “Xyzzy” in your area. Check the spelling, or type the Kemendagri code." in html
    assert "data-village-code" not in html


def test_the_picker_says_no_village_has_the_typed_code(officer):
    response = english(login(officer)).get(
        reverse("regions:village_search"), {"q": "51.04.01.2001"}, HTTP_HX_REQUEST="true"
    )
    assert "No village with the code “51.04.01.2001” in your area." in response.content.decode()


def test_the_not_found_line_escapes_what_was_typed(officer):
    response = english(login(officer)).get(
        reverse("regions:village_search"), {"q": "<b>xyzzy</b>"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "<b>xyzzy</b>" not in html
    assert "&lt;b&gt;xyzzy&lt;/b&gt;" in html


def test_an_empty_search_says_nothing(officer):
    response = login(officer).get(reverse("regions:village_search"), {"q": " "}, HTTP_HX_REQUEST="true")
    assert response.content.decode().strip() == ""


class VillageForm(forms.Form):
    village = VillageField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].limit_to("51.05")  # type: ignore[attr-defined]


def test_a_picked_village_is_taken():
    form = VillageForm({"village": SEMARAPURA_KAJA, "village__search": "Semarapura Kaja"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["village"].code == SEMARAPURA_KAJA


@pytest.mark.parametrize("typed", ["5105031008", "51.05.03.1008", "51 05 03 1008"])
def test_a_code_typed_in_the_box_is_taken_without_a_pick(typed):
    form = VillageForm({"village": "", "village__search": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["village"].code == SEMARAPURA_KAJA


def test_an_exact_name_typed_in_the_box_is_taken_when_one_village_bears_it():
    form = VillageForm({"village": "", "village__search": "  pikat "})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["village"].code == PIKAT


def test_a_name_two_villages_bear_must_be_picked_from_the_list():
    name = (
        Village.objects.filter(code__startswith="51.")
        .values("name")
        .annotate(n=Count("code"))
        .filter(n__gt=1)
        .order_by("name")
        .values_list("name", flat=True)
        .first()
    )
    assert name
    form = VillageForm({"village": "", "village__search": name})
    form.fields["village"].limit_to("51")  # type: ignore[attr-defined]
    assert not form.is_valid()
    assert form.errors.as_data()["village"][0].code == "village_unknown"


def test_text_without_a_pick_keeps_the_text_and_asks_to_pick_from_the_list():
    with translation.override("en"):
        form = VillageForm({"village": "", "village__search": "Smarapura"})
        assert not form.is_valid()
        error = form.errors.as_data()["village"][0]
        html = str(form["village"])
        message = form.errors["village"][0]
    assert error.code == "village_unknown"
    assert message == (
        "No village is picked for “Smarapura”. Pick a village from the list that opens as you type, or type "
        "its Kemendagri code."
    )
    assert 'name="village__search"' in html and 'value="Smarapura"' in html
    assert 'type="hidden" name="village" value=""' in html


def test_nothing_typed_and_nothing_picked_is_required():
    form = VillageForm({"village": "", "village__search": "  "})
    assert not form.is_valid()
    assert form.errors.as_data()["village"][0].code == "required"


def test_a_picked_code_outside_the_area_is_unknown():
    form = VillageForm({"village": "51.04.01.2001", "village__search": "Ubud"})
    assert not form.is_valid()
    assert form.errors.as_data()["village"][0].code == "invalid_choice"


def test_a_form_coming_back_shows_the_picked_village_in_the_box():
    form = VillageForm({"village": SEMARAPURA_KAJA, "village__search": "Semarapura Kaja"})
    html = str(form["village"])
    assert f'type="hidden" name="village" value="{SEMARAPURA_KAJA}"' in html
    assert 'value="Semarapura Kaja"' in html
    assert "Semarapura Kaja, Klungkung (51.05.03.1008)" in html


def test_the_group_page_keeps_the_typed_village_and_asks_to_pick_one(officer, program):
    response = english(login(officer)).post(
        reverse("registry:group_create", args=[program.code]),
        {"name": "Lontar", "business_type": "kerajinan", "village": "", "village__search": "Smarapura"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "No village is picked for “Smarapura”. Pick a village from the list" in html
    assert code_shown("village_unknown") in html
    assert 'name="village__search"' in html and 'value="Smarapura"' in html
    assert 'aria-invalid="true"' in html
