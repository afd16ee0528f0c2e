"""The public catalogue in a real browser, on a phone and a desktop: search, filter, a product, the WhatsApp
link with the right number and text, and axe-core (vendored from npm in tests/catalog/vendor) finding no
serious or critical accessibility problem on the public pages."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import pytest

from tunas.catalog.models import Category

from .factories import ProductFactory, ProfileFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = os.environ.get("TUNAS_CHROMIUM", "/usr/bin/chromium")
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 860}


@pytest.fixture
def shop(bali_regions):
    lontar = ProfileFactory(
        group__name="Kerajinan Lontar Besang", slug="lontar-besang", order_phone="+6285237201801"
    )
    ProductFactory(group=lontar.group, name="Kipas Lontar Ukir", slug="kipas-lontar-ukir", price=35_000)
    ProductFactory(group=lontar.group, name="Keben Lontar", slug="keben-lontar", price=150_000)
    snacks = ProfileFactory(
        group__name="Jajan Bali Sengguan", group__village_id="51.05.03.1011", slug="jajan-bali"
    )
    ProductFactory(
        group=snacks.group,
        name="Jaja Laklak",
        slug="jaja-laklak",
        category=Category.SNACKS,
        price=15_000,
        description_id="Laklak hijau dengan kelapa parut.",
        description_en="Green rice pancakes.",
    )
    return lontar


@pytest.fixture(params=["phone", "desktop"])
def page(request, chromium, live_server):
    context = chromium.new_context(viewport=PHONE if request.param == "phone" else DESKTOP, bypass_csp=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.base = live_server.url
    page.device = request.param
    # The WhatsApp redirect is followed no further than wa.me: the test reads where it leads.
    page.route("https://wa.me/**", lambda route: route.fulfill(status=200, body="wa"))
    yield page
    context.close()


def test_search_filter_open_a_product_and_order_it_on_whatsapp(shop, page):
    page.goto(page.base + "/katalog/")
    page.fill("#catalog-q", "lontar")
    page.press("#catalog-q", "Enter")
    page.wait_for_load_state()
    assert page.locator(".product-card").count() == 2
    assert page.locator("text=Jaja Laklak").count() == 0
    page.select_option("#f-sort", "price")
    page.click(".catalog-filters button[type=submit]")
    page.wait_for_load_state()
    assert "q=lontar" in page.url and "sort=price" in page.url
    names = page.locator(".product-card h3").all_inner_texts()
    assert names == ["Kipas Lontar Ukir", "Keben Lontar"]

    page.goto(page.base + "/katalog/produk/")
    page.select_option("#f-category", Category.SNACKS)
    page.click(".catalog-filters button[type=submit]")
    page.wait_for_load_state()
    assert page.locator(".product-card h3").all_inner_texts() == ["Jaja Laklak"]

    page.goto(page.base + "/katalog/produk/kipas-lontar-ukir/")
    button = page.locator("[data-order]")
    assert button.is_visible()
    if page.device == "phone":
        # Always in reach: on a phone the button stays at the bottom of the screen.
        box = button.bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"] and box["y"] > PHONE["height"] - 120
    with page.expect_request("https://wa.me/**") as request_info:
        button.click()
    target = urlparse(request_info.value.url)
    assert target.path == "/6285237201801"
    text = unquote(parse_qs(target.query)["text"][0])
    assert "Kipas Lontar Ukir" in text and "/katalog/produk/kipas-lontar-ukir/" in text


@pytest.mark.parametrize(
    "path",
    [
        "/katalog/",
        "/katalog/produk/?q=lontar",
        "/katalog/produk/kipas-lontar-ukir/",
        "/katalog/kelompok/lontar-besang/",
        "/katalog/pameran/",
    ],
)
def test_the_public_pages_have_no_serious_or_critical_accessibility_problem(shop, page, path):
    page.goto(page.base + path)
    page.evaluate(AXE)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
