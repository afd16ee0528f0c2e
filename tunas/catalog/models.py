"""The catalogue: groups' public profiles, their products with photos, clicks on the order button, and
exhibitions.

A product is public only when it is published (approved by an officer), its group passed selection and has
not dissolved, and the group agreed to be shown (``GroupProfile.consent_publish``): ``selectors.public_q``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tunas.core.models import TimeStamped, Versioned


class Category(models.TextChoices):
    CRAFTS = "kerajinan", _("Crafts")
    SNACKS = "makanan", _("Food and snacks")
    DRINKS = "minuman", _("Drinks")
    TEXTILES = "tekstil", _("Textiles and clothing")
    FARM = "hasil_tani", _("Farm and fishery produce")
    HOUSEHOLD = "rumah_tangga", _("Household goods")
    SERVICES = "jasa", _("Services")
    OTHER = "lainnya", _("Other")


class Availability(models.TextChoices):
    IN_STOCK = "ready", _("Ready stock")
    TO_ORDER = "preorder", _("Made to order")
    SOLD_OUT = "habis", _("Sold out")


class ProductStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Waiting for approval")
    PUBLISHED = "published", _("Published")
    HIDDEN = "hidden", _("Withdrawn")


class GroupProfile(TimeStamped, Versioned):
    """What a group shows on its public page, whether it agreed to be shown, and who edits its products.

    The order number is one the group chose to publish; a member's own phone only with their consent to
    appear publicly (checked by the service).
    """

    group = models.OneToOneField(
        "registry.Group", on_delete=models.CASCADE, related_name="catalog_profile", verbose_name=_("group")
    )
    slug = models.SlugField(_("web address"), max_length=80, unique=True)
    story_id = models.TextField(_("the group's story (Indonesian)"), blank=True)
    story_en = models.TextField(_("the group's story (English)"), blank=True)
    order_phone = models.CharField(
        _("WhatsApp number for orders"),
        max_length=16,
        blank=True,
        help_text=_("Shown publicly. Stored as +62…"),
    )
    consent_publish = models.BooleanField(
        _("the group agreed to show its page and products publicly"), default=False
    )
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    # Who besides the office edits the group's products: its chair's account, and its mentor (the mentor
    # the mentoring app assigns counts too; this link is for a mentor the catalogue alone should know).
    representative = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="represented_catalog_groups",
        verbose_name=_("chair's account"),
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentored_catalog_groups",
        verbose_name=_("mentor"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("group's public profile")
        verbose_name_plural = _("groups' public profiles")

    def __str__(self) -> str:
        return str(self.group)


class Product(TimeStamped, Versioned):
    """One product of a group, as the catalogue sells it; public once an officer has approved it."""

    group = models.ForeignKey(
        "registry.Group", on_delete=models.PROTECT, related_name="products", verbose_name=_("group")
    )
    slug = models.SlugField(_("web address"), max_length=120, unique=True)
    name = models.CharField(_("product name"), max_length=120)
    description_id = models.TextField(_("description (Indonesian)"))
    description_en = models.TextField(_("description (English)"), blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    price = models.PositiveBigIntegerField(_("price (Rp)"), validators=[MinValueValidator(1)])
    unit = models.CharField(
        _("unit"), max_length=30, help_text=_("What the price is for: piece, pack, metre…")
    )
    min_order = models.PositiveIntegerField(_("minimum order"), default=1, validators=[MinValueValidator(1)])
    availability = models.CharField(
        _("availability"), max_length=10, choices=Availability.choices, default=Availability.IN_STOCK
    )
    nib = models.CharField(_("business ID number (NIB)"), max_length=13, blank=True)
    pirt = models.CharField(_("home food-industry permit (P-IRT)"), max_length=20, blank=True)
    halal = models.CharField(_("halal certificate number"), max_length=40, blank=True)
    featured = models.BooleanField(_("featured on the catalogue home"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=ProductStatus.choices, default=ProductStatus.DRAFT
    )
    # The price an officer last approved: a change of more than half of it needs approval again.
    approved_price = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    review_note = models.TextField(_("officer's note"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["group", "name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gt=0), name="product_price_positive"),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at", "id"], name="product_public_order"),
            models.Index(fields=["status", "category", "-published_at", "id"], name="product_category_order"),
            models.Index(fields=["status", "price", "id"], name="product_price_order"),
        ]

    def __str__(self) -> str:
        return self.name


def _photo_original_name(instance: ProductPhoto, filename: str) -> str:
    return f"catalog/originals/{uuid.uuid4().hex}"


class PhotoStatus(models.TextChoices):
    PROCESSING = "processing", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Could not be prepared")


def _private_storage():
    """Uploads as they came (with their EXIF): the private storage, never served; pages show the sizes
    made from them."""
    from tunas.reports.models import private_storage

    return private_storage()


class ProductPhoto(TimeStamped):
    """A product photo: the upload kept privately (it may hold the camera's location in its EXIF), and the
    WebP sizes made from it in the background, orientation applied and metadata stripped, that the pages
    show."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="photos")
    original = models.FileField(upload_to=_photo_original_name, storage=_private_storage, max_length=255)
    alt_text = models.CharField(_("what the photo shows"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=PhotoStatus.choices, default=PhotoStatus.PROCESSING)
    # {"320": "catalog/photos/<key>-320.webp", ..., "og": "...jpg"} in the default (public) storage.
    renditions = models.JSONField(default=dict, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["product", "position", "pk"]
        verbose_name = _("product photo")
        verbose_name_plural = _("product photos")

    def __str__(self) -> str:
        return self.alt_text or str(self.product)

    def size_for(self, width: int) -> tuple[int, int]:
        """The width and height of the rendition ``width`` wide (the image's ratio kept)."""
        if not self.width:
            return (width, width)
        w = min(width, self.width)
        return (w, round(self.height * w / self.width))


class ProductClick(models.Model):
    """How many times "Order via WhatsApp" was pressed for a product in a month: a count, nothing else."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="clicks")
    month = models.DateField()  # the first day of the month
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["product", "month"], name="one_click_count_per_month")]

    def __str__(self) -> str:
        return f"{self.product_id} {self.month:%Y-%m}: {self.count}"


class Exhibition(TimeStamped, Versioned):
    """An event where groups show their products: a bazaar, a fair, a market stall."""

    office = models.ForeignKey(
        "accounts.Office", on_delete=models.PROTECT, related_name="exhibitions", verbose_name=_("office")
    )
    slug = models.SlugField(_("web address"), max_length=120, unique=True)
    name = models.CharField(_("name"), max_length=150)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    place = models.CharField(_("place"), max_length=200)
    description_id = models.TextField(_("description (Indonesian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    groups = models.ManyToManyField(
        "registry.Group", related_name="exhibitions", blank=True, verbose_name=_("groups taking part")
    )
    published = models.BooleanField(_("shown publicly"), default=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("exhibition")
        verbose_name_plural = _("exhibitions")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from tunas.core.errors import message_for

        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": ValidationError(message_for("date_order"), code="date_order")})
