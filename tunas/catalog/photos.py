"""Product photos: what an upload must be, and the WebP sizes made from it.

An upload is checked in the request by ``tunas.core.uploads`` (size, a real JPEG, PNG or WebP, not a
decompression bomb: the pixel count is read from the header before anything is decoded). The sizes are made
in the background (``tasks.photo_prepare_task``): the camera's orientation applied, then every metadata
block dropped (EXIF holds the camera's location), each size saved as WebP, plus one JPEG for link previews
(OpenGraph readers that take no WebP).
"""

from __future__ import annotations

import io
import uuid
from typing import IO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from tunas.core import uploads

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# 40 megapixels: any phone camera; a bigger canvas in a small file is a decompression bomb.
MAX_PIXELS = 40_000_000
WIDTHS = (320, 640, 1280)
OG_WIDTH = 1200
WEBP_QUALITY = 80
RENDITION_PREFIX = "catalog/photos/"
# The codes the product pages have always shown (tunas/catalog/errors.py).
CODES = uploads.Codes(
    too_large="photo_too_large",
    not_image="photo_not_image",
    too_many_pixels="photo_too_many_pixels",
    wrong_format="photo_format",
)


def photo_check(upload: IO[bytes], *, size: int | None = None) -> tuple[str, int, int]:
    """The upload's format, width and height, or a ValidationError naming what is wrong with it."""
    facts = uploads.check_image(
        upload, max_bytes=MAX_UPLOAD_BYTES, max_pixels=MAX_PIXELS, codes=CODES, size=size
    )
    return facts.format, facts.width, facts.height


def _encode(image: Image.Image, width: int, fmt: str) -> bytes:
    copy = image.copy()
    if copy.width > width:
        copy = copy.resize((width, round(copy.height * width / copy.width)), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if fmt == "JPEG":
        copy = uploads.upright_pixels(copy, alpha=False)
        copy.save(out, "JPEG", quality=82, optimize=True, progressive=True)
    else:
        copy.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    return out.getvalue()


def renditions_make(source: IO[bytes]) -> tuple[dict[str, str], int, int]:
    """Writes the sizes of one original to the public storage: their names, and the upright size."""
    photo_check(source)
    with Image.open(source) as image:
        image.load()
        # Upright, and a new image of the pixels alone: EXIF, XMP, ICC and comments stay behind.
        clean = uploads.upright_pixels(image)
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
