"""Visit photos as the phone sends them (data URLs): read by Pillow from their content, turned upright,
resized and saved as a JPEG without EXIF (so without the phone's GPS tag)."""

from __future__ import annotations

import base64
import binascii
import io
import uuid
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps

from tunas.core.errors import message_for

ALLOWED_FORMATS = ["JPEG", "PNG", "WEBP"]
MAX_PHOTOS = 4


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
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(raw), formats=ALLOWED_FORMATS) as image:
                image.load()
                upright = ImageOps.exif_transpose(image)
        except (
            OSError,
            ValueError,
            SyntaxError,
            Image.DecompressionBombWarning,
            Image.DecompressionBombError,
        ):
            raise _invalid() from None
    upright = upright.convert("RGB")
    upright.thumbnail((max_side(), max_side()))
    out = io.BytesIO()
    # No exif= argument: the copy carries no EXIF block at all.
    upright.save(out, format="JPEG", quality=82, optimize=True)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg"), upright.width, upright.height
