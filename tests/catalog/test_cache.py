"""The public pages are cached, and a cached page is dropped the moment what it shows changes: a product,
a group's profile or its consent, the group in the registry, a member's consent."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import MembershipFactory, PersonFactory
from tunas.catalog import services
from tunas.registry.models import GroupStatus

from .factories import ProductFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def product(bali_regions):
    return ProductFactory(name="Kipas Lontar", slug="kipas-lontar")


def _page(url: str):
    return Client().get(url)


def test_a_second_visit_is_served_from_the_cache(product, django_assert_max_num_queries):
    url = reverse("catalog:product", args=[product.slug])
    assert _page(url).get("X-Catalog-Cache") is None
    with django_assert_max_num_queries(1):  # the registry's two newest history rows, in one statement
        response = _page(url)
    assert response["X-Catalog-Cache"] == "hit" and "Kipas Lontar" in response.content.decode()


def test_a_product_saved_through_the_service_shows_at_once(product, officer):
    url = reverse("catalog:product", args=[product.slug])
    _page(url)
    product.group.program.office = officer.office
    product.group.program.save()
    product.name = "Kipas Lontar Besar"
    services.product_save(product=product, publish=True, expected_version=product.version, by=officer)
    assert "Kipas Lontar Besar" in _page(url).content.decode()


def test_a_group_dissolved_in_the_registry_disappears_at_once(product):
    url = reverse("catalog:product", args=[product.slug])
    assert _page(url).status_code == 200
    group = product.group
    group.status = GroupStatus.DISSOLVED
    group.save()
    assert _page(url).status_code == 404


def test_a_member_withdrawing_consent_disappears_from_the_group_page_at_once(product):
    member = MembershipFactory(
        group=product.group,
        person=PersonFactory(full_name="Ni Made Setuju"),
        consent_public=True,
        verification="approved",
    )
    url = reverse("catalog:group", args=[product.group.catalog_profile.slug])
    assert "Ni Made Setuju" in _page(url).content.decode()
    member.consent_public = False
    member.save()
    assert "Ni Made Setuju" not in _page(url).content.decode()
