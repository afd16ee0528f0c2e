"""Uploads of photos, scans and receipts, checked by their content (never their name) in core.uploads.

A photo is one of the allowed formats (JPEG, PNG, WebP, HEIC when pillow-heif is installed), not a
decompression bomb, and is kept as a resized JPEG copy, upright and without EXIF (GPS included). A scan is a
whole PDF kept as it is, or a photo cleaned the same way. Sizes come from settings:
``AID_UPLOAD_MAX_BYTES`` (default 10 MB), ``AID_IMAGE_MAX_PIXELS`` (default 40 megapixels) and
``AID_IMAGE_MAX_SIDE`` (default 1600 px, the longer side of the copy kept).
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from tunas.core import uploads

PHOTO_KINDS = uploads.IMAGE_KINDS + uploads.HEIF_KINDS
SCAN_KINDS = ("pdf", *PHOTO_KINDS)
# The codes the aid pages have always shown (tunas/aid/errors.py).
CODES = uploads.Codes(
    too_large="upload_too_large",
    not_image="upload_not_image",
    too_many_pixels="image_too_large",
    not_document="upload_not_scan",
)


def max_bytes() -> int:
    return int(getattr(settings, "AID_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def max_pixels() -> int:
    return int(getattr(settings, "AID_IMAGE_MAX_PIXELS", 40_000_000))


def max_side() -> int:
    return int(getattr(settings, "AID_IMAGE_MAX_SIDE", 1600))


def clean_image(upload) -> ContentFile:
    """The uploaded photo as a clean JPEG (upright, no EXIF, longer side at most ``max_side()``)."""
    return uploads.clean_image(
        upload,
        max_bytes=max_bytes(),
        max_pixels=max_pixels(),
        max_side=max_side(),
        kinds=PHOTO_KINDS,
        codes=CODES,
    )


def clean_scan(upload) -> ContentFile:
    """A scan or receipt: a PDF (checked by its first and last bytes) kept as it is, or a photo cleaned as
    above."""
    return uploads.clean_document(
        upload,
        max_bytes=max_bytes(),
        max_pixels=max_pixels(),
        max_side=max_side(),
        kinds=SCAN_KINDS,
        codes=CODES,
    )


def content_type(name: str) -> str:
    """What a stored file is served as (stored names end in .jpg or .pdf only)."""
    return "application/pdf" if name.lower().endswith(".pdf") else "image/jpeg"


def size_hint() -> str:
    return _("At most %(mb)s MB.") % {"mb": max(1, max_bytes() // (1024 * 1024))}
