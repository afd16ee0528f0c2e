"""Writes of the catalogue: group profiles, products and their approval, photos, clicks, exhibitions."""

from __future__ import annotations

import datetime as dt
import logging
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tunas.core.concurrency import save_versioned
from tunas.core.errors import message_for
from tunas.registry.models import Group, Membership
from tunas.registry.rules import normalize_phone
from tunas.registry.services import field_error, history_reason

from . import photos, rules
from .cache import catalog_changed
from .models import Exhibition, GroupProfile, PhotoStatus, Product, ProductClick, ProductPhoto, ProductStatus

logger = logging.getLogger(__name__)

MAX_PHOTOS = 8


def unique_slug(model: Any, text: str, *, exclude_pk: int | None = None, max_length: int = 80) -> str:
    """A slug of ``text`` no other row of ``model`` has: ``kipas-lontar``, then ``kipas-lontar-2``…"""
    base = (slugify(text) or "produk")[: max_length - 4].strip("-") or "produk"
    taken = set(
        model._default_manager.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _require_editor(user: Any, group: Group, profile: GroupProfile | None = None) -> None:
    if not rules.may_edit(user, group, profile):
        raise PermissionDenied(message_for("catalog_editor"))


def _require_selected(group: Group) -> None:
    if group.status not in rules.PUBLIC_GROUP_STATUSES:
        raise ValidationError(message_for("group_not_selected"), code="group_not_selected")


# Group profiles -------------------------------------------------------------------------------------------


def profile_for(group: Group) -> GroupProfile:
    """The group's profile, or a new unsaved one with its slug chosen."""
    try:
        return group.catalog_profile
    except GroupProfile.DoesNotExist:
        return GroupProfile(group=group, slug=unique_slug(GroupProfile, group.name))


@transaction.atomic
def profile_save(
    *, profile: GroupProfile, expected_version: int | None, by, consent_changed: bool | None = None
) -> GroupProfile:
    """Saves a group's public profile: a selected group; an order number that is no member's own phone unless
    that member agreed to appear publicly; a change of consent recorded with who and when; the chair's
    account and the mentor linked only by an officer."""
    group = profile.group
    _require_editor(by, group, profile)
    _require_selected(group)
    if profile.pk:
        before = GroupProfile.objects.get(pk=profile.pk)
        links_changed = (before.representative_id, before.mentor_id) != (
            profile.representative_id,
            profile.mentor_id,
        )
        consent_changed = before.consent_publish != profile.consent_publish
    else:
        links_changed = bool(profile.representative_id or profile.mentor_id)
        consent_changed = profile.consent_publish
    if links_changed and not rules.may_link_editors(by, group):
        raise PermissionDenied(_("Only an officer links a chair's account or a mentor to a group."))
    if profile.order_phone:
        phone = normalize_phone(profile.order_phone)
        if not phone:
            raise field_error("order_phone", message_for("phone_invalid"), "phone_invalid")
        profile.order_phone = phone
        private = Membership.objects.filter(group=group, phone=phone, consent_public=False)
        if private.exists():
            raise field_error("order_phone", message_for("phone_not_consented"), "phone_not_consented")
    if consent_changed:
        profile.consent_recorded_by = by
        profile.consent_recorded_at = timezone.now()
    if not profile.slug:
        profile.slug = unique_slug(GroupProfile, group.name, exclude_pk=profile.pk)
    profile.full_clean()
    profile._change_reason = history_reason(  # type: ignore[attr-defined]
        _("Public profile saved") if not consent_changed else _("Consent to publish recorded")
    )
    save_versioned(profile, expected_version=expected_version)
    catalog_changed()
    return profile


# Products -------------------------------------------------------------------------------------------------


@transaction.atomic
def product_save(*, product: Product, publish: bool, expected_version: int | None, by) -> Product:
    """Creates or edits a product. Asked to be public, it is published at once only when an officer approved
    it before and the price moved by at most half of the approved one; otherwise it waits for approval.
    Not asked to be public, a published product is withdrawn."""
    group = product.group
    _require_editor(by, group)
    _require_selected(group)
    if product.price is not None and product.price <= 0:
        raise field_error("price", message_for("price_positive"), "price_positive")
    if not product.slug:
        product.slug = unique_slug(Product, product.name, exclude_pk=product.pk, max_length=120)
    if product.pk is None:
        product.created_by = by
    if publish:
        if rules.price_change_needs_approval(approved=product.approved_price, new=product.price):
            product.status = ProductStatus.PENDING
        else:
            product.status = ProductStatus.PUBLISHED
            product.published_at = product.published_at or timezone.now()
    elif product.status in (ProductStatus.PUBLISHED, ProductStatus.PENDING):
        product.status = ProductStatus.HIDDEN
    product.full_clean()
    product._change_reason = history_reason(  # type: ignore[attr-defined]
        _("Product saved: %(status)s") % {"status": ProductStatus(product.status).label}
    )
    save_versioned(product, expected_version=expected_version)
    catalog_changed()
    return product


@transaction.atomic
def product_approve(*, product: Product, expected_version: int, by) -> Product:
    """An officer of the group's office publishes a product waiting for approval, at its current price."""
    if not rules.may_approve(by, product.group):
        raise PermissionDenied(_("Only an officer of the group's office approves products."))
    if product.status != ProductStatus.PENDING:
        raise ValidationError(_("Only a product waiting for approval can be approved."), code="value_invalid")
    _require_selected(product.group)
    now = timezone.now()
    product.status = ProductStatus.PUBLISHED
    product.approved_price = product.price
    product.approved_by = by
    product.approved_at = now
    product.published_at = product.published_at or now
    product.review_note = ""
    product._change_reason = history_reason(_("Approved for publication"))  # type: ignore[attr-defined]
    save_versioned(product, expected_version=expected_version)
    catalog_changed()
    return product


@transaction.atomic
def product_return(*, product: Product, note: str, expected_version: int, by) -> Product:
    """An officer sends a product waiting for approval back to its editors, saying what to change."""
    if not rules.may_approve(by, product.group):
        raise PermissionDenied(_("Only an officer of the group's office approves products."))
    if product.status != ProductStatus.PENDING:
        raise ValidationError(
            _("Only a product waiting for approval can be sent back."), code="value_invalid"
        )
    if not note.strip():
        raise field_error("note", message_for("required"), "required")
    product.status = ProductStatus.DRAFT
    product.review_note = note.strip()
    product._change_reason = history_reason(_("Sent back: %(note)s") % {"note": note.strip()})  # type: ignore[attr-defined]
    save_versioned(product, expected_version=expected_version)
    catalog_changed()
    return product


@transaction.atomic
def product_feature(*, product: Product, featured: bool, expected_version: int, by) -> Product:
    """An officer puts a product on the catalogue's home (or takes it off)."""
    if not rules.may_approve(by, product.group):
        raise PermissionDenied(_("Only an officer of the group's office approves products."))
    product.featured = featured
    save_versioned(product, expected_version=expected_version)
    catalog_changed()
    return product


# Photos ---------------------------------------------------------------------------------------------------


@transaction.atomic
def photo_add(*, product: Product, upload: IO[bytes], alt_text: str = "", by) -> ProductPhoto:
    """Keeps an uploaded photo (checked: an allowed format, not too large, no decompression bomb) and asks
    the background worker to make its sizes."""
    _require_editor(by, product.group)
    if product.photos.count() >= MAX_PHOTOS:
        raise ValidationError(
            _("A product has at most %(n)s photos. Remove one first.") % {"n": MAX_PHOTOS},
            code="value_invalid",
        )
    photos.photo_check(upload, size=getattr(upload, "size", None))
    position = (product.photos.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    photo = ProductPhoto(product=product, alt_text=alt_text.strip()[:200] or product.name, position=position)
    photo.original.save("upload", upload, save=False)
    photo.save()
    from .tasks import photo_prepare_task

    # Inside the transaction: with the database backend the task row commits with the photo.
    photo_prepare_task.enqueue(photo.pk)
    return photo


def photo_prepare(*, photo: ProductPhoto) -> ProductPhoto:
    """Makes the WebP sizes of one photo (once: a ready photo is left as it is)."""
    if photo.status == PhotoStatus.READY:
        return photo
    try:
        with photo.original.open("rb") as source:
            names, width, height = photos.renditions_make(source)
    except ValidationError as exc:
        photo.status, photo.error = PhotoStatus.FAILED, str(exc.messages[0])[:200]
        photo.save(update_fields=["status", "error", "updated_at"])
        return photo
    except OSError:
        logger.exception("Photo %s could not be prepared", photo.pk)
        photo.status, photo.error = PhotoStatus.FAILED, _("The photo could not be read.")[:200]
        photo.save(update_fields=["status", "error", "updated_at"])
        return photo
    photo.renditions, photo.width, photo.height = names, width, height
    photo.status, photo.error = PhotoStatus.READY, ""
    photo.save(update_fields=["renditions", "width", "height", "status", "error", "updated_at"])
    Product.objects.filter(pk=photo.product_id).update(updated_at=timezone.now())
    catalog_changed()
    return photo


@transaction.atomic
def photo_delete(*, photo: ProductPhoto, by) -> None:
    """Removes a photo with its sizes and its original."""
    _require_editor(by, photo.product.group)
    names = dict(photo.renditions)
    original = photo.original.name
    storage = photo.original.storage
    photo.delete()
    Product.objects.filter(pk=photo.product_id).update(updated_at=timezone.now())

    def remove_files() -> None:
        photos.renditions_delete(names)
        if original:
            storage.delete(original)

    transaction.on_commit(remove_files)
    catalog_changed()


# Interest -------------------------------------------------------------------------------------------------


def click_record(*, product: Product, when: dt.date | None = None) -> None:
    """Counts one press of "Order via WhatsApp" in the product's month: a number, nothing about who."""
    month = (when or timezone.localdate()).replace(day=1)
    updated = ProductClick.objects.filter(product=product, month=month).update(count=F("count") + 1)
    if updated:
        return
    try:
        with transaction.atomic():
            ProductClick.objects.create(product=product, month=month, count=1)
    except IntegrityError:
        # Another press created the month's row first.
        ProductClick.objects.filter(product=product, month=month).update(count=F("count") + 1)


# Exhibitions ----------------------------------------------------------------------------------------------


@transaction.atomic
def exhibition_save(
    *, exhibition: Exhibition, groups: list[Group], expected_version: int | None, by
) -> Exhibition:
    """Saves an exhibition of an office the officer manages, with groups of that office's jurisdiction."""
    own_office = bool(by.office_id) and exhibition.office_id in (None, by.office_id)
    if not (by.manages_programmes and (own_office or (by.is_superuser and exhibition.office_id))):
        raise PermissionDenied(_("Only an officer of the office records its exhibitions."))
    if exhibition.office_id is None:
        exhibition.office = by.office
    prefix = exhibition.office.region_code
    for group in groups:
        code = group.program.office.region_code
        if prefix and code != prefix and not code.startswith(prefix + "."):
            raise field_error("groups", message_for("domicile_outside"), "domicile_outside")
    if not exhibition.slug:
        exhibition.slug = unique_slug(
            Exhibition,
            f"{exhibition.name} {exhibition.starts_on:%Y}",
            exclude_pk=exhibition.pk,
            max_length=120,
        )
    exhibition.full_clean()
    save_versioned(exhibition, expected_version=expected_version)
    exhibition.groups.set(groups)
    catalog_changed()
    return exhibition
