"""Product photos: what an upload must be, and the WebP sizes made from it.

An upload is checked in the request (size, a real image of an allowed format, not a decompression bomb:
the pixel count is read from the header before anything is decoded). The sizes are made in the background
(``tasks.photo_prepare_task``): the camera's orientation applied, then every metadata block dropped (EXIF
holds the camera's location), each size saved as WebP, plus one JPEG for link previews (OpenGraph readers
that take no WebP).
"""

from __future__ import annotations

import io
import uuid
import warnings
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

from tunas.core.errors import message_for

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# 40 megapixels: any phone camera; a bigger canvas in a small file is a decompression bomb.
MAX_PIXELS = 40_000_000
WIDTHS = (320, 640, 1280)
OG_WIDTH = 1200
WEBP_QUALITY = 80
RENDITION_PREFIX = "catalog/photos/"


def photo_check(upload: IO[bytes], *, size: int | None = None) -> tuple[str, int, int]:
    """The upload's format, width and height, or a ValidationError naming what is wrong with it."""
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError(message_for("photo_too_large"), code="photo_too_large")
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                image_format, (width, height) = image.format or "", image.size
                if width * height > MAX_PIXELS:
                    raise ValidationError(message_for("photo_too_many_pixels"), code="photo_too_many_pixels")
                if image_format not in ALLOWED_FORMATS:
                    raise ValidationError(message_for("photo_format"), code="photo_format")
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(message_for("photo_too_many_pixels"), code="photo_too_many_pixels") from exc
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(message_for("photo_not_image"), code="photo_not_image") from exc
    finally:
        upload.seek(0)
    return image_format, width, height


def _clean_copy(image: Image.Image) -> Image.Image:
    """The picture upright and without any metadata: pixels only."""
    upright = ImageOps.exif_transpose(image) or image
    mode = "RGBA" if upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info else "RGB"
    converted = upright.convert(mode)
    # A new image of the pixels alone: EXIF, XMP, ICC and comments stay behind.
    clean = Image.new(mode, converted.size)
    clean.paste(converted)
    return clean


def _encode(image: Image.Image, width: int, fmt: str) -> bytes:
    copy = image.copy()
    if copy.width > width:
        copy = copy.resize((width, round(copy.height * width / copy.width)), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if fmt == "JPEG":
        if copy.mode != "RGB":
            background = Image.new("RGB", copy.size, (255, 255, 255))
            background.paste(copy, mask=copy.getchannel("A") if copy.mode == "RGBA" else None)
            copy = background
        copy.save(out, "JPEG", quality=82, optimize=True, progressive=True)
    else:
        copy.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    return out.getvalue()


def renditions_make(source: IO[bytes]) -> tuple[dict[str, str], int, int]:
    """Writes the sizes of one original to the public storage: their names, and the upright size."""
    photo_check(source)
    with Image.open(source) as image:
        image.load()
        clean = _clean_copy(image)
    key = uuid.uuid4().hex
    names: dict[str, str] = {}
    for width in WIDTHS:
        data = _encode(clean, width, "WEBP")
        names[str(width)] = default_storage.save(f"{RENDITION_PREFIX}{key}-{width}.webp", ContentFile(data))
    data = _encode(clean, OG_WIDTH, "JPEG")
    names["og"] = default_storage.save(f"{RENDITION_PREFIX}{key}-og.jpg", ContentFile(data))
    return names, clean.width, clean.height


def renditions_delete(names: dict[str, str]) -> None:
    for name in names.values():
        if name.startswith(RENDITION_PREFIX):
            default_storage.delete(name)
