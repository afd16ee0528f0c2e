"""Printed catalogue material: an A4 QR poster for a group or a product, and the catalogue of a programme
or a region, rendered by WeasyPrint from templates. Like the office's other documents they are written in
Indonesian whatever the interface language (fixed words in the template, choice labels through
``translation.override("id")``)."""

from __future__ import annotations

import base64
import io

import segno
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from tunas.accounts.letterhead import letterhead
from tunas.reports.renderers import pdf_response

from . import selectors
from .models import Product


def qr_svg(url: str, *, scale: int = 8) -> str:
    """The QR code of ``url`` as inline SVG (segno), medium error correction so a worn print still reads."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=scale, border=2, xmldecl=False, svgns=True)
    return mark_safe(out.getvalue().decode())  # noqa: S308 - segno's own SVG of a URL we built


def photo_data_uri(photo, width: str = "640") -> str:
    """A prepared size inlined in the document (any storage, nothing fetched by URL); "" when missing."""
    if photo is None:
        return ""
    name = photo.renditions.get(width) or photo.renditions.get("640") or ""
    if not name:
        return ""
    try:
        with default_storage.open(name, "rb") as handle:
            data = handle.read()
    except OSError:
        return ""
    return "data:image/webp;base64," + base64.b64encode(data).decode("ascii")


def _first(product: Product):
    photos = getattr(product, "ready_photos", None) or []
    return photos[0] if photos else None


def group_poster_response(*, group, profile, url: str) -> HttpResponse:
    products = list(
        selectors.public_products(filters=selectors.PublicFilters(group=group.pk)).order_by(
            "-featured", "name"
        )[:3]
    )
    with translation.override("id"):
        context = {
            "title": group.name,
            "subtitle": group.business_description,
            "place": f"{group.hamlet}, " if group.hamlet else "",
            "group": group,
            "profile": profile,
            "url": url,
            "qr": qr_svg(url),
            "photos": [photo_data_uri(_first(p), "640") for p in products if _first(p)],
            "office": letterhead(group.program.office),
        }
        return pdf_response(f"poster-{profile.slug}", "catalog/pdf/poster.html", context)


def product_poster_response(*, product: Product, url: str) -> HttpResponse:
    group = product.group
    with translation.override("id"):
        context = {
            "title": product.name,
            "subtitle": group.name,
            "place": f"{group.hamlet}, " if group.hamlet else "",
            "group": group,
            "product": product,
            "url": url,
            "qr": qr_svg(url),
            "photos": [photo_data_uri(_first(product), "1280")] if _first(product) else [],
            "office": letterhead(group.program.office),
        }
        return pdf_response(f"poster-{product.slug}", "catalog/pdf/poster.html", context)


def catalogue_products(*, program=None, region: str | None = None) -> list[Product]:
    """The public products of a programme or of a region (a code prefix, "" everywhere), grouped by
    group: two queries."""
    qs = selectors.public_products()
    if program is not None:
        qs = qs.filter(group__program=program)
    if region:
        qs = qs.filter(group__village__code__startswith=region + ".")
    return list(qs.select_related("group__program__office").order_by("group__name", "name", "pk"))


def catalogue_response(
    *, title: str, office, products: list[Product], base_url: str, filename: str
) -> HttpResponse:
    groups: list[dict] = []
    for product in products:
        if not groups or groups[-1]["group"].pk != product.group_id:
            groups.append({"group": product.group, "products": []})
        groups[-1]["products"].append({"product": product, "photo": photo_data_uri(_first(product), "320")})
    with translation.override("id"):
        context = {
            "title": title,
            "office": letterhead(office),
            "groups": groups,
            "count": len(products),
            "printed": timezone.localdate(),
            "base_url": base_url.rstrip("/"),
        }
        return pdf_response(filename, "catalog/pdf/catalogue.html", context)
