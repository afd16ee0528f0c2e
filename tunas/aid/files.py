"""Uploads of photos, scans and receipts: checked by their content, never by their name.

A photo is opened by Pillow with only the allowed formats (JPEG, PNG, WebP, HEIC when pillow-heif is
installed), refuses decompression bombs, is turned upright by its EXIF orientation, loses its EXIF (GPS
included) and is kept as a resized JPEG copy. A PDF must start as a PDF does. Sizes come from settings:
``AID_UPLOAD_MAX_BYTES`` (default 10 MB), ``AID_IMAGE_MAX_PIXELS`` (default 40 megapixels) and
``AID_IMAGE_MAX_SIDE`` (default 1600 px, the longer side of the copy kept).
"""

from __future__ import annotations

import io
import uuid
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from tunas.core.errors import message_for

ALLOWED_FORMATS = ["JPEG", "PNG", "WEBP"]
try:  # HEIC photos from phones, when the optional plug-in is installed.
    from pillow_heif import register_heif_opener  # type: ignore[import-not-found]

    register_heif_opener()
    ALLOWED_FORMATS.append("HEIF")
except ImportError:  # pragma: no cover - depends on the machine
    pass

PDF_MAGIC = b"%PDF-"


def max_bytes() -> int:
    return int(getattr(settings, "AID_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def max_pixels() -> int:
    return int(getattr(settings, "AID_IMAGE_MAX_PIXELS", 40_000_000))


def max_side() -> int:
    return int(getattr(settings, "AID_IMAGE_MAX_SIDE", 1600))


def _too_large(upload) -> bool:
    return upload.size is not None and upload.size > max_bytes()


def _size_error() -> ValidationError:
    return ValidationError(
        message_for("upload_too_large") % {"mb": max(1, max_bytes() // (1024 * 1024))},
        code="upload_too_large",
    )


def _read(upload) -> bytes:
    upload.seek(0)
    data = upload.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise _size_error()
    return data


def clean_image(upload) -> ContentFile:
    """The uploaded photo as a clean JPEG (upright, no EXIF, longer side at most ``max_side()``)."""
    if _too_large(upload):
        raise _size_error()
    data = _read(upload)
    image = _open_image(data)
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "L"):
        background = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    image.thumbnail((max_side(), max_side()))
    out = io.BytesIO()
    # A new image written without ``exif=``: nothing of the original's metadata (GPS included) is kept.
    image.save(out, format="JPEG", quality=85, optimize=True)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def _open_image(data: bytes) -> Image.Image:
    limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = max_pixels()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
            if image.width * image.height > max_pixels():
                raise Image.DecompressionBombError("too many pixels")
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(message_for("image_too_large"), code="image_too_large") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(message_for("upload_not_image"), code="upload_not_image") from exc
    finally:
        Image.MAX_IMAGE_PIXELS = limit
    return image


def clean_scan(upload) -> ContentFile:
    """A scan or receipt: a PDF (checked by its first bytes) kept as it is, or a photo cleaned as above."""
    if _too_large(upload):
        raise _size_error()
    data = _read(upload)
    if data.startswith(PDF_MAGIC):
        if b"%%EOF" not in data[-2048:]:
            raise ValidationError(message_for("upload_not_scan"), code="upload_not_scan")
        return ContentFile(data, name=f"{uuid.uuid4().hex}.pdf")
    try:
        return clean_image(ContentFile(data))
    except ValidationError as exc:
        if exc.code == "upload_not_image":
            raise ValidationError(message_for("upload_not_scan"), code="upload_not_scan") from exc
        raise


def content_type(name: str) -> str:
    """What a stored file is served as (stored names end in .jpg or .pdf only)."""
    return "application/pdf" if name.lower().endswith(".pdf") else "image/jpeg"


def size_hint() -> str:
    return _("At most %(mb)s MB.") % {"mb": max(1, max_bytes() // (1024 * 1024))}
