"""Visit photos as the phone sends them (data URLs): read by their content, turned upright, resized and saved
as a JPEG without EXIF (so without the phone's GPS tag), by ``tunas.core.uploads``."""

from __future__ import annotations

import base64
import binascii

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from tunas.core import uploads
from tunas.core.errors import message_for

MAX_PHOTOS = 4
# Pillow's own limit: a phone's largest photos open, a decompression bomb does not.
MAX_PIXELS = 89_478_485


def max_side() -> int:
    return int(getattr(settings, "MENTORING_IMAGE_MAX_SIDE", 1280))


def max_bytes() -> int:
    return int(getattr(settings, "MENTORING_PHOTO_MAX_BYTES", 8 * 1024 * 1024))


def _invalid() -> ValidationError:
    return ValidationError({"photos": message_for("photo_invalid")}, code="photo_invalid")


def decode_data_url(value: object) -> bytes:
    """The bytes of ``data:image/...;base64,...``; a ValidationError for anything else."""
    if not isinstance(value, str) or not value.startswith("data:image/") or ";base64," not in value:
        raise _invalid()
    encoded = value.split(";base64,", 1)[1]
    if len(encoded) > max_bytes() * 4 // 3 + 4:
        raise _invalid()
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _invalid() from exc


def clean_photo(raw: bytes) -> tuple[ContentFile, int, int]:
    """A resized JPEG copy of the photo, upright, without EXIF: the file to keep and its size."""
    try:
        photo = uploads.clean_image(
            raw,
            max_bytes=max_bytes(),
            max_pixels=MAX_PIXELS,
            max_side=max_side(),
            quality=82,
            codes=uploads.Codes.same("photo_invalid"),
        )
    except ValidationError:
        # The phone only needs to know the photo could not be used, whatever the reason.
        raise _invalid() from None
    return photo, photo.width or 0, photo.height or 0
