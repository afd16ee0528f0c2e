"""The catalogue's URLs for tests/test_every_url.py: a selected Klungkung group with a public page, a
published and a pending product, an exhibition, and a Gianyar product waiting for approval that no
Klungkung page may show (Gianyar's published products are public, like every office's)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tunas.catalog.models import Exhibition, GroupProfile, Product, ProductStatus
from tunas.registry.models import GroupStatus

from .factories import SelectedGroupFactory

PUBLIC = {
    "catalog:home",
    "catalog:products",
    "catalog:product",
    "catalog:group",
    "catalog:exhibitions",
    "catalog:order",
    "catalog:photo_file",
    "catalog:language",
    "catalog:sitemap_index",
    "catalog:sitemap",
}

FOREIGN_PRODUCT = "Ukiran Rahasia Gianyar"


def extend(world) -> dict[str, dict]:
    program = world["program"]
    group = SelectedGroupFactory(program=program, name="Anyaman Katalog", status=GroupStatus.MENTORED)
    GroupProfile.objects.create(
        group=group, slug="anyaman-katalog", consent_publish=True, order_phone="+6285237209999"
    )
    now = timezone.now()
    published = Product.objects.create(
        group=group,
        slug="kipas-katalog",
        name="Kipas Katalog",
        description_id="Kipas anyaman.",
        category="kerajinan",
        price=35_000,
        unit="buah",
        status=ProductStatus.PUBLISHED,
        approved_price=35_000,
        published_at=now,
    )
    Product.objects.create(
        group=group,
        slug="keben-katalog",
        name="Keben Katalog",
        description_id="Keben.",
        category="kerajinan",
        price=150_000,
        unit="buah",
        status=ProductStatus.PENDING,
    )
    exhibition = Exhibition.objects.create(
        office=program.office,
        slug="pameran-katalog",
        name="Pameran Katalog",
        starts_on=dt.date(2026, 12, 14),
        ends_on=dt.date(2026, 12, 16),
        place="Semarapura",
    )
    exhibition.groups.add(group)
    gianyar = world["gianyar_program"]
    foreign_group = SelectedGroupFactory(
        program=gianyar, name="Ukir Katalog Gianyar", village_id="51.04.01.2001", status=GroupStatus.MENTORED
    )
    GroupProfile.objects.create(group=foreign_group, slug="ukir-katalog-gianyar", consent_publish=True)
    Product.objects.create(
        group=foreign_group,
        slug="ukiran-rahasia-gianyar",
        name=FOREIGN_PRODUCT,
        description_id="Belum disetujui.",
        category="kerajinan",
        price=900_000,
        unit="buah",
        status=ProductStatus.PENDING,
    )
    world["foreign_texts"].append(FOREIGN_PRODUCT)
    return {
        "catalog:product": {"slug": published.slug},
        "catalog:group": {"slug": "anyaman-katalog"},
        "catalog:order": {"slug": published.slug},
        "catalog:photo_file": {"name": "a" * 32 + "-640.webp"},
        "catalog:sitemap": {"section": "products"},
        "catalog:group_manage": {"pk": group.pk},
        "catalog:profile_edit": {"pk": group.pk},
        "catalog:product_create": {"pk": group.pk},
        "catalog:group_poster": {"pk": group.pk},
        "catalog:product_edit": {"pk": published.pk},
        "catalog:product_photos": {"pk": published.pk},
        "catalog:product_approve": {"pk": published.pk},
        "catalog:product_return": {"pk": published.pk},
        "catalog:product_feature": {"pk": published.pk},
        "catalog:product_poster": {"pk": published.pk},
        "catalog:photo_delete": {"pk": 999999},
        "catalog:program_catalogue": {"code": program.code},
        "catalog:exhibition_edit": {"pk": exhibition.pk},
    }
