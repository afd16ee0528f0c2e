"""What the catalog app shows on the layers below it: the programme's "Products" tab, the dossier's
``products``, the home card of products awaiting approval, the navigation and the products report."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from tunas.core.extensions import HomeCard, NavItem, home_cards, nav_items
from tunas.programs.extensions import DossierSection, ProgramTab, dossier_sections, program_tabs
from tunas.reports.generators import reports

from . import (
    errors,  # noqa: F401 - registers the catalogue's error codes
    rules,
    selectors,
)
from .dossier import products_dossier
from .reports import ProductInterestReport
from .views import program_products_context

program_tabs.register(
    ProgramTab(
        key="products",
        label=_lazy("Products"),
        order=70,
        template="catalog/partials/_program_products.html",
        context=program_products_context,
    )
)

dossier_sections.register(DossierSection(key="products", order=70, build=products_dossier))


def _awaiting(user: Any) -> dict:
    return {
        "count": selectors.awaiting_approval_count(user=user),
        "label": _("Products awaiting approval"),
        "url": reverse("catalog:approvals"),
    }


home_cards.register(
    HomeCard(
        key="products_awaiting_approval",
        order=70,
        template="core/partials/_stat_card.html",
        build=_awaiting,
        visible_to=lambda user: bool(user.manages_programmes),
    )
)

nav_items.register(
    NavItem(
        key="catalog",
        order=70,
        label=_lazy("Catalogue"),
        url_name="catalog:manage",
        visible_to=rules.works_in_catalog,
    )
)

reports.register(ProductInterestReport())
