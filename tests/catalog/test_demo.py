"""The demo's catalogue: the four 2018 groups' products with prices, both languages and drawn pictures, an
exhibition; loading it again changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tunas.catalog.models import Exhibition, GroupProfile, PhotoStatus, Product, ProductPhoto, ProductStatus
from tunas.demo.catalog import PROFILES, load_catalog
from tunas.demo.foundation import load_foundation
from tunas.demo.registry import load_registry
from tunas.registry.models import Group, GroupStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def program_2018():
    result = load_foundation()
    result.update(load_registry(result["programs"]))
    program = result["programs"]["KLK-TKM-2018"]
    Group.objects.filter(program=program, status=GroupStatus.VERIFIED).update(status=GroupStatus.EQUIPPED)
    return program, result


def _counts():
    return (
        GroupProfile.objects.count(),
        Product.objects.count(),
        ProductPhoto.objects.count(),
        Exhibition.objects.count(),
        list(Product.objects.order_by("pk").values_list("version", flat=True)),
    )


def test_the_four_2018_groups_have_published_products_with_pictures_and_one_exhibition(program_2018):
    program, result = program_2018
    load_catalog(program, result)
    assert GroupProfile.objects.filter(group__program=program, consent_publish=True).count() == 4
    products = Product.objects.filter(group__program=program)
    assert products.count() == sum(len(p.products) for p in PROFILES)
    assert set(products.values_list("status", flat=True)) == {ProductStatus.PUBLISHED}
    for product in products:
        assert product.price > 0 and product.description_id and product.description_en
        assert product.photos.filter(status=PhotoStatus.READY).exists()
    assert Exhibition.objects.get().groups.count() == 4
    page = Client().get(reverse("catalog:products"), {"q": "ijuk"}).content.decode()
    assert "Tali Ijuk 10 Meter" in page and "Sapu Ijuk" in page


def test_loading_the_demo_catalogue_twice_changes_nothing_the_second_time(program_2018):
    program, result = program_2018
    load_catalog(program, result)
    before = _counts()
    load_catalog(program, result)
    assert _counts() == before
