"""Products as the group's chair, its mentor and officers edit them: approval before the first publication
and after a price change of more than half, who may edit, what an order number may be, stale edits."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from tests.conftest import login
from tests.factories import MembershipFactory, UserFactory
from tunas.catalog import services
from tunas.catalog.models import Product, ProductStatus
from tunas.core.errors import ConflictError
from tunas.registry.models import GroupStatus

from .factories import ProductFactory, ProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def profile(program, group_rep, mentor):
    return ProfileFactory(group__program=program, representative=group_rep, mentor=mentor)


def _new(group, **kw) -> Product:
    data = {
        "group": group,
        "name": "Kipas Lontar",
        "description_id": "Kipas anyaman.",
        "category": "kerajinan",
        "price": 40_000,
        "unit": "buah",
    } | kw
    return Product(**data)


def test_a_new_product_waits_for_an_officer_before_it_is_published(profile, group_rep, officer):
    product = services.product_save(
        product=_new(profile.group), publish=True, expected_version=None, by=group_rep
    )
    assert product.status == ProductStatus.PENDING and product.slug == "kipas-lontar"
    assert Client().get(reverse("catalog:product", args=[product.slug])).status_code == 404
    product = services.product_approve(product=product, expected_version=product.version, by=officer)
    assert product.status == ProductStatus.PUBLISHED and product.approved_price == 40_000
    assert Client().get(reverse("catalog:product", args=[product.slug])).status_code == 200


@pytest.mark.parametrize(
    ("new_price", "needs_approval"),
    [(60_000, False), (20_000, False), (60_001, True), (19_999, True), (200_000, True)],
)
def test_a_price_change_of_more_than_half_needs_approval_again(
    profile, group_rep, officer, new_price, needs_approval
):
    product = services.product_save(
        product=_new(profile.group), publish=True, expected_version=None, by=group_rep
    )
    product = services.product_approve(product=product, expected_version=product.version, by=officer)
    product.price = new_price
    product = services.product_save(
        product=product, publish=True, expected_version=product.version, by=group_rep
    )
    assert product.status == (ProductStatus.PENDING if needs_approval else ProductStatus.PUBLISHED)


@pytest.mark.parametrize("price", [0, -5])
def test_a_price_of_zero_or_less_is_refused(profile, officer, price):
    with pytest.raises(ValidationError) as error:
        services.product_save(
            product=_new(profile.group, price=price), publish=False, expected_version=None, by=officer
        )
    assert "price" in error.value.error_dict


def test_the_form_refuses_a_price_of_zero_beside_the_field(profile, officer):
    response = login(officer).post(
        reverse("catalog:product_create", args=[profile.group.pk]),
        {
            "name": "Kipas",
            "category": "kerajinan",
            "price": "0",
            "unit": "buah",
            "min_order": 1,
            "availability": "ready",
            "description_id": "Kipas.",
        },
    )
    assert response.status_code == 200 and not Product.objects.exists()
    assert response.context["form"].errors["price"]


def test_unpublishing_a_product_withdraws_it_from_the_public(profile, officer):
    product = ProductFactory(group=profile.group)
    product = services.product_save(
        product=product, publish=False, expected_version=product.version, by=officer
    )
    assert product.status == ProductStatus.HIDDEN


@pytest.mark.parametrize("status", [GroupStatus.FORMING, GroupStatus.DISSOLVED, GroupStatus.REJECTED])
def test_a_group_that_did_not_pass_selection_or_dissolved_cannot_list_products(profile, officer, status):
    profile.group.status = status
    profile.group.save()
    with pytest.raises(ValidationError) as error:
        services.product_save(product=_new(profile.group), publish=True, expected_version=None, by=officer)
    assert error.value.code == "group_not_selected"


def test_the_linked_chair_and_mentor_edit_but_another_chair_a_viewer_or_an_outsider_cannot(
    profile, group_rep, mentor, viewer, outsider, klungkung
):
    for editor in (group_rep, mentor):
        product = services.product_save(
            product=_new(profile.group, name=f"Produk {editor.username}"),
            publish=False,
            expected_version=None,
            by=editor,
        )
        assert product.pk
    other_chair = UserFactory(username="ketua.lain", office=klungkung, roles=["group_rep"])
    for stranger in (other_chair, viewer, outsider):
        with pytest.raises(PermissionDenied):
            services.product_save(
                product=_new(profile.group), publish=False, expected_version=None, by=stranger
            )


def test_only_an_officer_approves_and_a_chair_or_mentor_cannot(profile, group_rep, mentor):
    product = ProductFactory(group=profile.group, status=ProductStatus.PENDING)
    for user in (group_rep, mentor):
        with pytest.raises(PermissionDenied):
            services.product_approve(product=product, expected_version=product.version, by=user)


def test_only_an_officer_links_the_chairs_account_or_the_mentor(profile, group_rep, klungkung):
    other = UserFactory(username="pendamping.lain", office=klungkung, roles=["mentor"])
    profile.mentor = other
    with pytest.raises(PermissionDenied):
        services.profile_save(profile=profile, expected_version=profile.version, by=group_rep)


def test_the_order_number_cannot_be_a_members_own_phone_without_their_consent(profile, officer):
    MembershipFactory(group=profile.group, phone="+6281211112222", consent_public=False)
    profile.order_phone = "0812-1111-2222"
    with pytest.raises(ValidationError) as error:
        services.profile_save(profile=profile, expected_version=profile.version, by=officer)
    assert error.value.error_dict["order_phone"][0].code == "phone_not_consented"


def test_a_member_who_agreed_may_give_their_phone_for_orders_stored_as_plus_62(profile, officer):
    MembershipFactory(group=profile.group, phone="+6281211113333", consent_public=True)
    profile.order_phone = "0812 1111 3333"
    profile = services.profile_save(profile=profile, expected_version=profile.version, by=officer)
    assert profile.order_phone == "+6281211113333"


def test_recording_consent_keeps_who_and_when_in_the_history(program, officer):
    profile = ProfileFactory(group__program=program, consent_publish=False)
    profile.story_id = "Cerita baru."
    profile = services.profile_save(profile=profile, expected_version=profile.version, by=officer)
    assert profile.consent_recorded_at is None
    profile.consent_publish = True
    profile = services.profile_save(profile=profile, expected_version=profile.version, by=officer)
    assert profile.consent_recorded_by == officer and profile.consent_recorded_at is not None
    plain, consent = (h.history_change_reason for h in profile.history.order_by("history_date")[1:3])
    assert plain and consent and plain != consent


def test_a_stale_edit_is_refused_not_written_over_a_newer_one(profile, officer):
    product = ProductFactory(group=profile.group)
    first = Product.objects.get(pk=product.pk)
    second = Product.objects.get(pk=product.pk)
    first.price = 41_000
    services.product_save(product=first, publish=True, expected_version=first.version, by=officer)
    second.price = 42_000
    with pytest.raises(ConflictError):
        services.product_save(product=second, publish=True, expected_version=second.version, by=officer)
    assert Product.objects.get(pk=product.pk).price == 41_000


def test_a_product_keeps_a_readable_unique_slug(profile, officer):
    one = services.product_save(
        product=_new(profile.group, name="Kipas Lontar"), publish=False, expected_version=None, by=officer
    )
    two = services.product_save(
        product=_new(profile.group, name="Kipas lontar!"), publish=False, expected_version=None, by=officer
    )
    assert (one.slug, two.slug) == ("kipas-lontar", "kipas-lontar-2")
    one.name = "Kipas Lontar Besar"
    one = services.product_save(product=one, publish=False, expected_version=one.version, by=officer)
    assert one.slug == "kipas-lontar"  # links already shared keep working


def test_changes_are_kept_in_the_products_history(profile, officer):
    product = services.product_save(
        product=_new(profile.group), publish=True, expected_version=None, by=officer
    )
    services.product_approve(product=product, expected_version=product.version, by=officer)
    reasons = list(product.history.values_list("history_change_reason", flat=True))
    assert len(reasons) == 2 and all(reasons)
