"""The public catalogue: only what may be shown, search that never fails, filters in the URL, keyset pages,
the tags that make a product found and shared, and the WhatsApp order link."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, unquote, urlparse

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import MembershipFactory, PersonFactory
from tunas.catalog.models import Category, ProductClick, ProductStatus
from tunas.registry.models import GroupStatus

from .factories import ProductFactory, ProfileFactory

pytestmark = pytest.mark.django_db


def _get(url: str, **params):
    return Client().get(url, params)


def _json_ld(html: str) -> list[dict]:
    return [
        json.loads(m) for m in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    ]


@pytest.fixture
def product():
    return ProductFactory(name="Kipas Lontar Ukir", slug="kipas-lontar-ukir", price=35_000, unit="buah")


def test_the_catalogue_home_shows_featured_products_and_their_categories(product):
    other = ProductFactory(name="Jaja Uli", category=Category.SNACKS, featured=True)
    response = _get(reverse("catalog:home"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Kipas Lontar Ukir" in page and "Jaja Uli" in page
    assert page.index("Jaja Uli") < page.index("Kipas Lontar Ukir")  # featured first
    assert f"?category={Category.SNACKS}" in page
    assert other.group.village.district.name in page


@pytest.mark.parametrize(
    "state",
    ["draft", "pending", "hidden", "no_consent", "dissolved", "forming"],
)
def test_a_product_the_public_may_not_see_answers_404_everywhere(product, state):
    group = product.group
    if state in ("draft", "pending", "hidden"):
        product.status = state
        product.save()
    elif state == "no_consent":
        group.catalog_profile.consent_publish = False
        group.catalog_profile.save()
    else:
        group.status = GroupStatus.DISSOLVED if state == "dissolved" else GroupStatus.FORMING
        group.save()
    client = Client()
    assert client.get(reverse("catalog:product", args=[product.slug])).status_code == 404
    assert client.get(reverse("catalog:order", args=[product.slug])).status_code == 404
    assert "Kipas Lontar Ukir" not in client.get(reverse("catalog:products")).content.decode()
    assert "Kipas Lontar Ukir" not in client.get(reverse("catalog:home")).content.decode()
    if state in ("no_consent", "dissolved", "forming"):
        assert client.get(reverse("catalog:group", args=[group.catalog_profile.slug])).status_code == 404


@pytest.mark.parametrize(
    "text",
    [
        "k",
        "KIPAS",
        "lontar ukir",
        "ᬮᬺᬢᬃ",
        "扇子",
        "веер",
        "🪭",
        "%",
        "_",
        "'; DROP TABLE x; --",
        "a\x00b",
        "x" * 5000,
        "\u202e\u202d",
        " ",
    ],
)
def test_search_takes_any_text_of_any_length_and_alphabet_without_an_error(product, text):
    response = _get(reverse("catalog:products"), q=text)
    assert response.status_code == 200


def test_search_finds_every_word_in_the_name_description_or_group_case_insensitively(product):
    ProductFactory(name="Keripik Ceker", description_id="Renyah dan gurih.")
    page = _get(reverse("catalog:products"), q="LONTAR tangan").content.decode()
    assert "Kipas Lontar Ukir" in page and "Keripik Ceker" not in page
    page = _get(reverse("catalog:products"), q="gurih").content.decode()
    assert "Keripik Ceker" in page and "Kipas Lontar Ukir" not in page


def test_filters_select_by_category_district_and_price(product):
    ProductFactory(name="Jaja Uli", category=Category.SNACKS, price=25_000)
    ProductFactory(
        name="Tali Ijuk", price=50_000, group=ProfileFactory(group__village_id="51.05.04.2010").group
    )
    page = _get(reverse("catalog:products"), category=Category.SNACKS).content.decode()
    assert "Jaja Uli" in page and "Kipas Lontar Ukir" not in page
    page = _get(reverse("catalog:products"), district="51.05.04").content.decode()
    assert "Tali Ijuk" in page and "Jaja Uli" not in page
    page = _get(reverse("catalog:products"), price_min="30.000", price_max="40000").content.decode()
    assert "Kipas Lontar Ukir" in page and "Tali Ijuk" not in page and "Jaja Uli" not in page
    # Nonsense filters are ignored, never an error.
    assert _get(reverse("catalog:products"), category="x", district="zz", price_min="abc").status_code == 200


def test_the_next_page_keeps_the_filters_and_a_deep_page_costs_what_the_first_does(
    django_assert_max_num_queries,
):
    profile = ProfileFactory()
    for i in range(60):
        ProductFactory(
            group=profile.group, name=f"Kipas {i:02d}", slug=f"kipas-{i:02d}", category=Category.CRAFTS
        )
    client = Client()
    url = reverse("catalog:products")
    with django_assert_max_num_queries(6):
        first = client.get(url, {"category": Category.CRAFTS, "sort": "price"})
    next_link = re.search(r'rel="next" href="([^"]+)"', first.content.decode()).group(1).replace("&amp;", "&")
    query = parse_qs(urlparse(next_link).query)
    assert query["category"] == [Category.CRAFTS] and query["sort"] == ["price"] and "after" in query
    with django_assert_max_num_queries(6):
        second = client.get(url, {k: v[0] for k, v in query.items()})
    third_link = (
        re.search(r'rel="next" href="([^"]+)"', second.content.decode()).group(1).replace("&amp;", "&")
    )
    with django_assert_max_num_queries(6):
        third = client.get(url, {k: v[0] for k, v in parse_qs(urlparse(third_link).query).items()})
    names = set()
    for response in (first, second, third):
        names |= set(re.findall(r"Kipas \d\d", response.content.decode()))
    assert len(names) == 60


def test_a_bad_cursor_gives_the_first_page_not_an_error(product):
    response = _get(reverse("catalog:products"), after="!!not-a-cursor!!", before="x" * 3000)
    assert response.status_code == 200 and "Kipas Lontar Ukir" in response.content.decode()


def test_the_product_page_has_a_schema_org_product_with_an_offer_in_rupiah(product):
    page = _get(reverse("catalog:product", args=[product.slug])).content.decode()
    data = next(d for d in _json_ld(page) if d["@type"] == "Product")
    assert data["name"] == "Kipas Lontar Ukir"
    assert data["offers"]["@type"] == "Offer"
    assert data["offers"]["priceCurrency"] == "IDR" and data["offers"]["price"] == "35000"
    assert data["offers"]["availability"] == "https://schema.org/InStock"
    assert data["url"].endswith("/katalog/produk/kipas-lontar-ukir/")


def test_text_in_the_json_ld_cannot_close_its_script_element():
    product = ProductFactory(name="Kipas </script><script>alert(1)</script>", slug="kipas-x")
    page = _get(reverse("catalog:product", args=[product.slug])).content.decode()
    assert "<script>alert(1)" not in page
    assert _json_ld(page)[0]["name"] == product.name


def test_the_product_page_has_opengraph_and_twitter_tags_and_a_canonical_slug_url(product):
    page = _get(reverse("catalog:product", args=[product.slug])).content.decode()
    assert '<meta property="og:title" content="Kipas Lontar Ukir' in page
    assert '<meta property="og:url" content="http://testserver/katalog/produk/kipas-lontar-ukir/">' in page
    assert '<meta name="twitter:card"' in page
    assert '<link rel="canonical" href="http://testserver/katalog/produk/kipas-lontar-ukir/">' in page


def _wa_target(product) -> str:
    response = Client().get(reverse("catalog:order", args=[product.slug]))
    assert response.status_code == 302
    return response["Location"]


def test_the_order_button_opens_whatsapp_with_digits_only_and_a_message_naming_the_product_and_its_page(
    product,
):
    product.group.catalog_profile.order_phone = "+6281234500001"
    product.group.catalog_profile.save()
    target = _wa_target(product)
    parsed = urlparse(target)
    assert parsed.scheme == "https" and parsed.netloc == "wa.me"
    assert parsed.path == "/6281234500001"
    text = unquote(parse_qs(parsed.query)["text"][0])
    assert "Kipas Lontar Ukir" in text and "Rp35.000" in text.replace(" ", "").replace("\xa0", "")
    assert "http://testserver/katalog/produk/kipas-lontar-ukir/" in text


def test_the_product_page_links_the_order_button_through_the_counting_redirect(product):
    page = _get(reverse("catalog:product", args=[product.slug])).content.decode()
    assert f'href="{reverse("catalog:order", args=[product.slug])}"' in page
    assert "wa.me/62" not in page  # the number is reached only through the redirect that counts


def test_each_press_is_counted_for_the_product_and_month_with_no_cookie_set(product):
    client = Client()
    for _i in range(3):
        response = client.get(reverse("catalog:order", args=[product.slug]))
        assert not response.cookies
        assert response["Cache-Control"] == "no-store"
    click = ProductClick.objects.get(product=product)
    assert click.count == 3
    assert click.month == timezone.localdate().replace(day=1)


def test_a_browser_prefetching_the_order_link_is_not_counted(product):
    Client().get(reverse("catalog:order", args=[product.slug]), HTTP_SEC_PURPOSE="prefetch")
    assert not ProductClick.objects.filter(product=product).exists()


def test_a_group_without_an_order_number_has_no_order_button(product):
    product.group.catalog_profile.order_phone = ""
    product.group.catalog_profile.save()
    assert Client().get(reverse("catalog:order", args=[product.slug])).status_code == 404
    page = _get(reverse("catalog:product", args=[product.slug])).content.decode()
    assert reverse("catalog:order", args=[product.slug]) not in page


def test_the_group_page_names_only_members_who_agreed_and_never_shows_a_nik_or_their_phone(product):
    group = product.group
    agreed = MembershipFactory(
        group=group,
        person=PersonFactory(full_name="Ni Made Setuju"),
        consent_public=True,
        verification="approved",
        phone="+6281299990001",
    )
    MembershipFactory(
        group=group,
        person=PersonFactory(full_name="I Wayan Rahasia"),
        consent_public=False,
        verification="approved",
        phone="+6281299990002",
    )
    page = _get(reverse("catalog:group", args=[group.catalog_profile.slug])).content.decode()
    assert "Ni Made Setuju" in page
    assert "I Wayan Rahasia" not in page
    assert agreed.person.nik not in page and "81299990001" not in page and "81299990002" not in page
    assert "Kipas Lontar Ukir" in page
    assert "google.com/maps/search/" in page and "Semarapura" in page


def test_the_english_visitor_reads_the_english_description(product):
    client = Client()
    response = client.get(
        reverse("catalog:language"), {"lang": "en", "next": reverse("catalog:product", args=[product.slug])}
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "catalog:product", args=[product.slug]
    )
    page = client.get(response["Location"]).content.decode()
    assert "A fan woven by hand" in page and "Order via WhatsApp" in page


def test_the_language_switch_sends_nobody_to_another_site(product):
    response = Client().get(reverse("catalog:language"), {"lang": "en", "next": "https://evil.example/"})
    assert response["Location"] == reverse("catalog:home")


def test_the_sitemap_lists_every_public_product_and_group_with_its_last_change(product):
    hidden = ProductFactory(status=ProductStatus.DRAFT, slug="rahasia")
    index = Client().get("/sitemap.xml").content.decode()
    assert "/sitemap-products.xml" in index and "/sitemap-groups.xml" in index
    products = Client().get("/sitemap-products.xml").content.decode()
    assert f"/katalog/produk/{product.slug}/" in products
    assert f"/katalog/produk/{hidden.slug}/" not in products
    product.refresh_from_db()
    assert f"<lastmod>{timezone.localtime(product.updated_at).isoformat()}" in products or (
        f"<lastmod>{product.updated_at.date().isoformat()}" in products
    )
    groups = Client().get("/sitemap-groups.xml").content.decode()
    assert f"/katalog/kelompok/{product.group.catalog_profile.slug}/" in groups
    assert f"/katalog/kelompok/{hidden.group.catalog_profile.slug}/" in groups  # its page is public


def test_the_public_pages_ask_a_bounded_number_of_queries_whatever_the_number_of_products(
    django_assert_max_num_queries,
):
    profile = ProfileFactory()
    for i in range(40):
        ProductFactory(group=profile.group, slug=f"p-{i}", name=f"Produk {i}")
    client = Client()
    with django_assert_max_num_queries(12):
        client.get(reverse("catalog:home"))
    with django_assert_max_num_queries(10):
        client.get(reverse("catalog:group", args=[profile.slug]))
    with django_assert_max_num_queries(10):
        client.get(reverse("catalog:product", args=["p-3"]))
    with django_assert_max_num_queries(8):
        client.get(reverse("catalog:exhibitions"))
