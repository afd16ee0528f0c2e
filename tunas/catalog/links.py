"""Links the public pages hand to other apps: WhatsApp orders, the visitor's map app, sharing."""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

from django.utils.translation import gettext as _

from tunas.core.formatting import rupiah


def wa_digits(phone: str) -> str:
    """``+6281234567890`` as wa.me wants it: digits only, country code first (``6281234567890``)."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    return digits if digits.startswith("62") and 9 <= len(digits) <= 15 else ""


def order_message(*, product, page_url: str) -> str:
    """The message WhatsApp opens with: the product, its price and unit, the group, the product's page."""
    return _("Hello, I would like to order %(product)s (%(price)s per %(unit)s) from %(group)s. %(url)s") % {
        "product": product.name,
        "price": rupiah(product.price),
        "unit": product.unit,
        "group": product.group.name,
        "url": page_url,
    }


def wa_link(*, phone: str, text: str) -> str:
    digits = wa_digits(phone)
    if not digits:
        return ""
    return f"https://wa.me/{digits}?text={quote(text, safe='')}"


def maps_link(group) -> str:
    """Opens the group's hamlet and village in the visitor's map app (Google Maps' universal link, which
    phones hand to their map app)."""
    parts = [str(group.hamlet) if group.hamlet else "", group.village.name, group.village.district.name]
    regency = getattr(group.village.district, "regency", None)
    if regency is not None:
        parts.append(regency.name)
    query = ", ".join(p for p in parts if p)
    return "https://www.google.com/maps/search/?" + urlencode({"api": "1", "query": query})


def share_links(*, url: str, title: str) -> list[dict]:
    return [
        {"name": "WhatsApp", "url": "https://wa.me/?" + urlencode({"text": f"{title} {url}"})},
        {"name": "Facebook", "url": "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})},
        {"name": "X", "url": "https://twitter.com/intent/tweet?" + urlencode({"url": url, "text": title})},
        {"name": "Telegram", "url": "https://t.me/share/url?" + urlencode({"url": url, "text": title})},
    ]
