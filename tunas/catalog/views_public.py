"""The public catalogue under /katalog/: no sign-in, only what may be shown, the same for everyone (so that
pages can be cached), and no cookie of its own but the language the visitor chose."""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_safe

from tunas.core.pagination import keyset_page

from . import links, selectors, services
from .cache import cached_data, public_cached, request_state
from .models import Availability, Category, GroupProfile, Product
from .photos import RENDITION_PREFIX
from .templatetags.catalog import in_language, rendition_url

PAGE_SIZE = 24
SORT_LABELS = [
    ("new", _("Newest")),
    ("price", _("Price, lowest first")),
    ("-price", _("Price, highest first")),
]
SCHEMA_AVAILABILITY = {
    Availability.IN_STOCK: "https://schema.org/InStock",
    Availability.TO_ORDER: "https://schema.org/PreOrder",
    Availability.SOLD_OUT: "https://schema.org/OutOfStock",
}
_RENDITION = re.compile(r"^[0-9a-f]{32}-(?:320|640|1280)\.webp$|^[0-9a-f]{32}-og\.jpg$")


def _json_ld(data: dict) -> str:
    """A JSON-LD block; <, > and & escaped so that no text in it can close the script element."""
    text = json.dumps(data, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308 - escaped above


def _photos(product: Product) -> list:
    """The product's ready photos, as the selectors prefetched them."""
    return list(getattr(product, "ready_photos", []))


def _absolute(request: HttpRequest, path: str) -> str:
    return request.build_absolute_uri(path)


@require_safe
@public_cached
def home(request: HttpRequest) -> HttpResponse:
    """The shop window: featured products, the categories and districts that have products, exhibitions."""
    return render(
        request,
        "catalog/public/home.html",
        {
            "featured": cached_data("featured", selectors.featured_products, state=request_state(request)),
            "categories": cached_data(
                "categories", selectors.public_categories, state=request_state(request)
            ),
            "districts": cached_data("districts", selectors.public_districts, state=request_state(request)),
            "exhibitions": list(selectors.public_exhibitions(upcoming_only=True)[:3]),
            "canonical": _absolute(request, reverse("catalog:home")),
        },
    )


@require_safe
@public_cached
def product_list(request: HttpRequest) -> HttpResponse:
    """Search and filters that stay in the URL, pages by keyset (a deep page costs what the first does)."""
    filters = selectors.public_filters(request.GET)
    page = keyset_page(
        selectors.public_products(filters=filters),
        ordering=filters.ordering,
        cursor=request.GET.get("after"),
        before=request.GET.get("before"),
        size=PAGE_SIZE,
    )
    return render(
        request,
        "catalog/public/product_list.html",
        {
            "page": page,
            "filters": filters,
            "categories": Category.choices,
            "districts": cached_data("districts", selectors.public_districts, state=request_state(request)),
            "sorts": SORT_LABELS,
            "canonical": _absolute(request, reverse("catalog:products")),
            "filtered": bool(
                filters.q or filters.category or filters.district or filters.price_min or filters.price_max
            ),
        },
    )


def _product_json_ld(request: HttpRequest, product: Product, url: str) -> str:
    group = product.group
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.name,
        "description": in_language(product, "description"),
        "sku": product.slug,
        "category": product.get_category_display(),
        "url": url,
        "image": [_absolute(request, rendition_url(p.renditions["og"])) for p in _photos(product)],
        "brand": {"@type": "Brand", "name": group.name},
        "offers": {
            "@type": "Offer",
            "url": url,
            "price": str(product.price),
            "priceCurrency": "IDR",
            "availability": SCHEMA_AVAILABILITY.get(
                Availability(product.availability), "https://schema.org/InStock"
            ),
            "eligibleQuantity": {
                "@type": "QuantitativeValue",
                "minValue": product.min_order,
                "unitText": product.unit,
            },
            "seller": {"@type": "Organization", "name": group.name},
        },
    }
    if not data["image"]:
        del data["image"]
    return _json_ld(data)


@require_safe
@public_cached
def product_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        product = selectors.public_product(slug=slug)
    except Product.DoesNotExist as exc:
        raise Http404 from exc
    group = product.group
    profile = group.catalog_profile
    url = _absolute(request, reverse("catalog:product", args=[product.slug]))
    photo = next(iter(_photos(product)), None)
    others = [
        p
        for p in selectors.public_products(filters=selectors.PublicFilters(group=group.pk)).order_by(
            "-published_at", "pk"
        )[:5]
        if p.pk != product.pk
    ][:4]
    return render(
        request,
        "catalog/public/product_detail.html",
        {
            "product": product,
            "group": group,
            "profile": profile,
            "photo": photo,
            "others": others,
            "canonical": url,
            "og_image": _absolute(request, rendition_url(photo.renditions["og"])) if photo else "",
            "json_ld": _product_json_ld(request, product, url),
            "order_url": reverse("catalog:order", args=[product.slug])
            if links.wa_digits(profile.order_phone)
            else "",
            "share": links.share_links(url=url, title=product.name),
            "maps": links.maps_link(group),
        },
    )


@require_safe
@public_cached
def group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A group's page: its story, what it makes, where (with a map link), who (consented names only)."""
    try:
        profile = selectors.public_group(slug=slug)
    except GroupProfile.DoesNotExist as exc:
        raise Http404 from exc
    group = profile.group
    page = keyset_page(
        selectors.public_products(filters=selectors.PublicFilters(group=group.pk)),
        ordering=("-published_at", "pk"),
        cursor=request.GET.get("after"),
        before=request.GET.get("before"),
        size=PAGE_SIZE,
    )
    url = _absolute(request, reverse("catalog:group", args=[profile.slug]))
    first = next((_photos(p)[0] for p in page.items if _photos(p)), None)
    json_ld = _json_ld(
        {
            "@context": "https://schema.org",
            "@type": "LocalBusiness",
            "name": group.name,
            "description": in_language(profile, "story") or group.business_description,
            "url": url,
            "address": {
                "@type": "PostalAddress",
                "addressLocality": group.village.name,
                "addressRegion": group.village.district.regency.name,
                "postalCode": group.village.postal_code,
                "addressCountry": "ID",
            },
        }
    )
    return render(
        request,
        "catalog/public/group_detail.html",
        {
            "profile": profile,
            "group": group,
            "page": page,
            "members": selectors.public_members(group=group),
            "maps": links.maps_link(group),
            "canonical": url,
            "og_image": _absolute(request, rendition_url(first.renditions["og"])) if first else "",
            "json_ld": json_ld,
            "share": links.share_links(url=url, title=group.name),
            "exhibitions": list(selectors.public_exhibitions().filter(groups=group).distinct()[:5]),
        },
    )


@require_safe
@public_cached
def exhibitions(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "catalog/public/exhibitions.html",
        {
            "exhibitions": list(selectors.public_exhibitions()[:50]),
            "canonical": _absolute(request, reverse("catalog:exhibitions")),
        },
    )


@require_GET
def order(request: HttpRequest, slug: str) -> HttpResponse:
    """Counts a press of "Order via WhatsApp" (the product and month only: no cookie, nothing of the
    visitor) and sends the visitor on to WhatsApp with the message filled in."""
    try:
        product = selectors.public_product(slug=slug)
    except Product.DoesNotExist as exc:
        raise Http404 from exc
    page_url = _absolute(request, reverse("catalog:product", args=[product.slug]))
    target = links.wa_link(
        phone=product.group.catalog_profile.order_phone,
        text=links.order_message(product=product, page_url=page_url),
    )
    if not target:
        raise Http404
    # A browser fetching ahead of a click (prefetch, prerender) is not a visitor pressing the button.
    purpose = request.headers.get("Sec-Purpose", "") + request.headers.get("Purpose", "")
    if "prefetch" not in purpose and "prerender" not in purpose:
        services.click_record(product=product)
    response = HttpResponseRedirect(target)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_GET
def photo_file(request: HttpRequest, name: str) -> FileResponse:
    """One prepared size of a product photo: public (no metadata left), named by a random key, cached
    for a year."""
    if not _RENDITION.match(name):
        raise Http404
    path = RENDITION_PREFIX + name
    try:
        handle = default_storage.open(path, "rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/jpeg" if name.endswith(".jpg") else "image/webp")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@require_GET
def language(request: HttpRequest) -> HttpResponse:
    """The public pages' language switch: a link (no form, so no token keeps a page from being cached)."""
    code = request.GET.get("lang", "")
    target = request.GET.get("next") or reverse("catalog:home")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = reverse("catalog:home")
    response = HttpResponseRedirect(target)
    if code in {c for c, _n in settings.LANGUAGES}:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=settings.LANGUAGE_COOKIE_SECURE,
        )
    return response


def current_language() -> str:
    return (get_language() or "id")[:2]
