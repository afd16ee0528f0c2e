"""The catalogue's report: products with their price, state and the "Order via WhatsApp" clicks per month."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tunas.accounts.roles import Role
from tunas.reports.generators import ReportGenerator
from tunas.reports.renderers import Column

from . import rules, selectors
from .models import ProductStatus

MONTHS = 6


class ProductInterestReport(ReportGenerator):
    code = "catalog_products"
    title = _("Catalogue products and interest")
    description = _(
        "Products of the groups with their price and state, and the clicks on “Order via WhatsApp” of the "
        "last six months."
    )
    order = 70

    def is_available_to(self, user: Any) -> bool:
        return bool(user.manages_programmes or Role.MENTOR in user.roles)

    def filters(self, user: Any, data: Mapping[str, Any]) -> dict:
        status = data.get("status", "")
        return {"status": status if status in ProductStatus.values else ""}

    def _months(self) -> list[dt.date]:
        first = timezone.localdate().replace(day=1)
        months = []
        for _i in range(MONTHS):
            months.append(first)
            first = (first - dt.timedelta(days=1)).replace(day=1)
        return list(reversed(months))

    def columns(self, user: Any) -> list[Column]:
        return [
            Column("program", _("Programme")),
            Column("group", _("Group"), width=28),
            Column("product", _("Product"), width=30),
            Column("category", _("Category")),
            Column("price", _("Price"), kind="rupiah"),
            Column("unit", _("Unit")),
            Column("status", _("Status")),
            *[Column(f"m{i}", f"{m:%Y-%m}", kind="int") for i, m in enumerate(self._months())],
            Column("clicks", _("Clicks in all"), kind="int"),
        ]

    def _products(self, user: Any, filters: dict):
        qs = selectors.products_for_staff(user=user, status=filters.get("status", ""))
        if not user.manages_programmes:
            # A mentor sees the interest in their own groups only.
            qs = qs.filter(rules.mentor_groups_q(user, "group__"))
        return qs.order_by("group__program__code", "group__name", "name", "pk")

    def rows(self, user: Any, filters: dict) -> Iterable[dict]:
        products = list(self._products(user, filters))
        clicks = selectors.clicks_by_month(products=products, months=MONTHS)
        totals = selectors.clicks_total(product_ids=[p.pk for p in products])
        for product in products:
            row = {
                "program": product.group.program.code,
                "group": product.group.name,
                "product": product.name,
                "category": str(product.get_category_display()),
                "price": product.price,
                "unit": product.unit,
                "status": str(product.get_status_display()),
                "clicks": totals.get(product.pk, 0),
            }
            for i, n in enumerate(clicks["rows"][product.pk]):
                row[f"m{i}"] = n
            yield row

    def count(self, user: Any, filters: dict) -> int:
        return self._products(user, filters).count()

    def filename(self) -> str:
        return str(_("catalogue-products"))
