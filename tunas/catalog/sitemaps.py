"""sitemap.xml: every public product and group page, with the time it last changed."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from . import selectors


class ProductSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8
    limit = 5000

    def items(self):
        return selectors.sitemap_products()

    def location(self, item) -> str:
        return reverse("catalog:product", args=[item.slug])

    def lastmod(self, item):
        return item.updated_at


class GroupSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.6
    limit = 5000

    def items(self):
        return selectors.sitemap_groups()

    def location(self, item) -> str:
        return reverse("catalog:group", args=[item.slug])

    def lastmod(self, item):
        # The page shows the profile, the group's name and place, and its public products.
        times = [item.updated_at, item.group.updated_at, item.product_changed]
        return max(t for t in times if t is not None)


class PagesSitemap(Sitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["catalog:home", "catalog:products", "catalog:exhibitions"]

    def location(self, item) -> str:
        return reverse(item)


SITEMAPS = {"pages": PagesSitemap, "products": ProductSitemap, "groups": GroupSitemap}
