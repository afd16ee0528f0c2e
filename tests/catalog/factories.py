"""Factories of the catalogue's tests: a selected group with a public profile, products, photos."""

from __future__ import annotations

import io

import factory
from django.utils import timezone
from PIL import Image

from tests.factories import GroupFactory
from tunas.catalog.models import Category, GroupProfile, Product, ProductStatus
from tunas.registry.models import GroupStatus


class SelectedGroupFactory(GroupFactory):
    status = GroupStatus.MENTORED


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupProfile

    group = factory.SubFactory(SelectedGroupFactory)
    slug = factory.Sequence(lambda n: f"kelompok-{chr(97 + n % 26)}{chr(97 + n // 26 % 26)}")
    consent_publish = True
    order_phone = "+6281234500001"
    story_id = "Kelompok ini membuat kerajinan."
    story_en = "This group makes crafts."


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    group = factory.LazyAttribute(lambda p: ProfileFactory().group)
    slug = factory.Sequence(
        lambda n: f"produk-{chr(97 + n % 26)}{chr(97 + n // 26 % 26)}{chr(97 + n // 676 % 26)}"
    )
    name = factory.Sequence(lambda n: f"Kipas lontar {n}")
    description_id = "Kipas dari daun lontar, dianyam tangan."
    description_en = "A fan woven by hand from lontar leaves."
    category = Category.CRAFTS
    price = 35_000
    unit = "buah"
    status = ProductStatus.PUBLISHED
    approved_price = factory.LazyAttribute(lambda p: p.price)
    published_at = factory.LazyFunction(timezone.now)


def image_bytes(fmt: str = "JPEG", size=(800, 600), color=(200, 120, 40), exif: bytes | None = None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, color)
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(out, fmt, **kwargs)
    return out.getvalue()
