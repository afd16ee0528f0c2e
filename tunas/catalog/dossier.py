"""The catalogue's part of the programme dossier: each group's products."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from tunas.registry.models import Group

from .models import Product
from .selectors import public_q


def product_url(product: Product) -> str:
    """The product's public address; absolute when TUNAS_PUBLIC_URL names the site, else the path."""
    path = reverse("catalog:product", args=[product.slug])
    base = getattr(settings, "TUNAS_PUBLIC_URL", "") or ""
    return base.rstrip("/") + path


def products_dossier(program) -> list[dict]:
    """``[{"group", "village_code", "products": [{"name", "price", "unit", "published", "url"}]}]``: every
    group of the programme with its products; ``published`` is whether the public sees it now, ``url`` is
    None for a product the public cannot see. Three queries whatever the size."""
    groups = list(Group.objects.filter(program=program).order_by("name").only("pk", "name", "village_id"))
    public = set(Product.objects.filter(public_q(), group__program=program).values_list("pk", flat=True))
    by_group: dict[int, list[dict]] = {g.pk: [] for g in groups}
    for product in Product.objects.filter(group__program=program).order_by("group_id", "name", "pk"):
        shown = product.pk in public
        by_group[product.group_id].append(
            {
                "name": product.name,
                "price": product.price,
                "unit": product.unit,
                "published": shown,
                "url": product_url(product) if shown else None,
            }
        )
    return [{"group": g.name, "village_code": g.village_id, "products": by_group[g.pk]} for g in groups]
