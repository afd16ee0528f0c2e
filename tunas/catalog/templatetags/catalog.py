"""Template helpers of the catalogue: product pictures with their sizes, and a product's text in the
visitor's language."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import get_language

from ..photos import RENDITION_PREFIX, WIDTHS

register = template.Library()


@lru_cache(maxsize=1)
def _photo_prefix() -> str:
    return reverse("catalog:photo_file", args=["x"])[:-1]


def rendition_url(name: str) -> str:
    """The public address of one prepared size (served by ``views_public.photo_file``); the URL is
    reversed once, not for every picture of a list."""
    return _photo_prefix() + name.removeprefix(RENDITION_PREFIX)


@register.simple_tag
def product_img(
    photo, width: int = 640, sizes: str = "(max-width: 576px) 100vw, 33vw", css: str = "", eager=False
):
    """An <img> of a ready photo with srcset, width and height (no layout shift), lazily loaded."""
    if photo is None or not photo.renditions:
        return ""
    available = [w for w in WIDTHS if str(w) in photo.renditions]
    chosen = min((w for w in available if w >= width), default=max(available))
    w, h = photo.size_for(chosen)
    srcset = ", ".join(
        f"{rendition_url(photo.renditions[str(x)])} {photo.size_for(x)[0]}w" for x in available
    )
    return format_html(
        '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}" class="{}" loading="{}" '
        'decoding="async">',
        rendition_url(photo.renditions[str(chosen)]),
        srcset,
        sizes,
        w,
        h,
        photo.alt_text,
        css,
        "eager" if eager else "lazy",
    )


@register.filter
def in_language(obj, field: str) -> str:
    """``obj.<field>_en`` for an English visitor when given, else ``obj.<field>_id``."""
    if (get_language() or "id").startswith("en"):
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, f"{field}_id", "")


@register.filter
def first_photo(product):
    photos = getattr(product, "ready_photos", None)
    return photos[0] if photos else None


@register.simple_tag
def product_thumb(photo, size: int = 96):
    """A small square-ish thumbnail for staff lists: the smallest size, drawn ``size`` pixels wide."""
    if photo is None or not photo.renditions:
        return ""
    w, h = photo.size_for(WIDTHS[0])
    return format_html(
        '<img src="{}" width="{}" height="{}" alt="{}" class="rounded" loading="lazy" decoding="async">',
        rendition_url(photo.renditions[str(WIDTHS[0])]),
        size,
        round(h * size / w) if w else size,
        photo.alt_text,
    )
