"""Uploaded photos and documents, checked by what they contain, never by their name or the browser's word.

Every app checks its uploads here, with its own limits and its own error codes:

- ``check_image``: a picture of an allowed kind, under the byte and pixel limits, read without decoding it
  (a product photo checked in the request, its sizes made later).
- ``clean_image``: the same checks, then the copy to keep: turned upright by its EXIF orientation, rebuilt
  from its pixels alone (EXIF with the phone's GPS position, XMP, comments stay behind), at most
  ``max_side`` pixels on its longer side, saved as JPEG (or in its own kind with ``keep_format``).
- ``clean_document``: a PDF (it starts and ends as a PDF does, and is kept byte for byte) or a picture
  cleaned as above.

A decompression bomb (a small file announcing a huge canvas) is refused from its header, before a single
pixel is decoded. Pillow refuses on its own anything above its limit (about 89 megapixels); a larger
``max_pixels`` changes nothing. The codes below are the defaults; an app passes ``Codes`` naming the codes
its users already know.
"""

from __future__ import annotations

import contextlib
import io
import struct
import threading
import uuid
import warnings
from dataclasses import dataclass
from typing import IO, NamedTuple

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from .errors import message_for, register_messages

register_messages(
    {
        "file_too_large": _(
            "The file is larger than %(mb)s MB. Choose a smaller file, or take the photo at a lower "
            "resolution."
        ),
        "file_not_image": _("The file is not a photo that can be read. Upload a JPEG, PNG or WebP image."),
        "image_too_many_pixels": _(
            "The image has too many pixels to open safely. Take the photo at a lower resolution and try "
            "again."
        ),
        "file_not_document": _(
            "The file is not one of the kinds accepted here (%(kinds)s). Save it as one of these and upload "
            "it again."
        ),
    }
)

# Kinds of picture by the name Pillow gives their format.
_PILLOW_FORMATS = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "heif": "HEIF"}
_SUFFIXES = {"jpeg": ".jpg", "png": ".png", "webp": ".webp", "pdf": ".pdf"}
IMAGE_KINDS: tuple[str, ...] = ("jpeg", "png", "webp")
try:  # HEIC photos from phones, when the optional plug-in is installed.
    from pillow_heif import register_heif_opener  # type: ignore[import-not-found]

    register_heif_opener()
    HEIF_KINDS: tuple[str, ...] = ("heif",)
except ImportError:  # pragma: no cover - depends on the machine
    HEIF_KINDS = ()

PDF_MAGIC = b"%PDF-"
PDF_END = b"%%EOF"
# A PDF ends with %%EOF, perhaps followed by a few bytes of padding; a cut-off upload does not.
PDF_END_WINDOW = 2048
# What a broken file can make Pillow raise while it reads a header or decodes.
_UNREADABLE = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error)
_BOMB = (Image.DecompressionBombError, Image.DecompressionBombWarning)


@dataclass(frozen=True)
class Codes:
    """The error code reported for each way an upload can fail (each registered with its sentence)."""

    too_large: str = "file_too_large"
    not_image: str = "file_not_image"
    too_many_pixels: str = "image_too_many_pixels"
    # A readable picture of a kind not accepted here (a GIF, a BMP); empty: reported as ``not_image``.
    wrong_format: str = ""
    # For documents: neither an accepted picture nor a whole PDF.
    not_document: str = "file_not_document"

    @classmethod
    def same(cls, code: str) -> Codes:
        """One code for every problem (a phone that only needs to know the photo could not be used)."""
        return cls(code, code, code, code, code)


CODES = Codes()


class ImageFacts(NamedTuple):
    """What the header of an accepted picture says: Pillow's name of its format, its width and height."""

    format: str
    width: int
    height: int


class CleanFile(ContentFile):
    """The file to keep, named ``<random>.<suffix>`` after its real kind (never after the uploader's name)."""

    def __init__(self, content: bytes, *, kind: str, width: int | None = None, height: int | None = None):
        super().__init__(content, name=f"{uuid.uuid4().hex}{_SUFFIXES[kind]}")
        self.kind = kind
        self.width = width
        self.height = height

    @property
    def suffix(self) -> str:
        return _SUFFIXES[self.kind]


Upload = bytes | IO[bytes]


@dataclass(frozen=True)
class _Rules:
    """One call's limits and codes; its errors name the limits in their sentences."""

    max_bytes: int
    max_pixels: int
    kinds: tuple[str, ...]
    codes: Codes

    def fail(self, code: str) -> ValidationError:
        text = message_for(code)
        params = {
            "mb": max(1, self.max_bytes // (1024 * 1024)),
            "kinds": ", ".join(kind.upper() for kind in self.kinds),
        }
        with contextlib.suppress(KeyError, TypeError, ValueError):  # a sentence with a plain "%" in it
            text = text % params
        return ValidationError(text, code=code)


def _read(upload: Upload, rules: _Rules, size: int | None = None) -> bytes:
    """The upload's bytes, refused when there are more than ``max_bytes`` (the declared size is believed
    only to refuse early: at most ``max_bytes + 1`` bytes are ever read). A file is left at its start."""
    if isinstance(upload, bytes | bytearray | memoryview):
        data = bytes(upload)
    else:
        declared = size if size is not None else getattr(upload, "size", None)
        if declared is not None and declared > rules.max_bytes:
            raise rules.fail(rules.codes.too_large)
        upload.seek(0)
        try:
            data = upload.read(rules.max_bytes + 1)
        finally:
            upload.seek(0)
    if len(data) > rules.max_bytes:
        raise rules.fail(rules.codes.too_large)
    return data


def _readable_by_pillow(data: bytes) -> bool:
    """Whether any format Pillow knows recognises the header (read only: nothing is decoded)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)):
                return True
    except _BOMB:
        return True
    except _UNREADABLE:
        return False


def _open(data: bytes, rules: _Rules, *, document: bool = False) -> Image.Image:
    """The picture opened from its header alone, by the readers of the allowed formats only."""
    not_image = rules.codes.not_document if document else rules.codes.not_image
    formats = [_PILLOW_FORMATS[kind] for kind in rules.kinds if kind in _PILLOW_FORMATS]
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=formats)
        except _BOMB as exc:
            raise rules.fail(rules.codes.too_many_pixels) from exc
        except _UNREADABLE as exc:
            if not document and rules.codes.wrong_format and _readable_by_pillow(data):
                raise rules.fail(rules.codes.wrong_format) from exc
            raise rules.fail(not_image) from exc
    if image.width * image.height > rules.max_pixels:
        image.close()
        raise rules.fail(rules.codes.too_many_pixels)
    return image


def check_image(
    upload: Upload,
    *,
    max_bytes: int,
    max_pixels: int,
    kinds: tuple[str, ...] = IMAGE_KINDS,
    codes: Codes = CODES,
    size: int | None = None,
) -> ImageFacts:
    """An accepted picture's format and size, or a ValidationError with the code of what is wrong with it.

    The file's structure is verified without decoding its pixels. ``size`` is the upload's declared size
    when the caller knows it apart from the file.
    """
    rules = _Rules(max_bytes, max_pixels, kinds, codes)
    image = _open(_read(upload, rules, size), rules)
    facts = ImageFacts(image.format or "", image.width, image.height)
    try:
        image.verify()
    except _UNREADABLE as exc:
        raise rules.fail(codes.not_image) from exc
    finally:
        image.close()
    return facts


def upright_pixels(image: Image.Image, *, alpha: bool = True) -> Image.Image:
    """A new picture of the pixels alone, turned upright by the EXIF orientation: no EXIF (GPS), XMP, ICC
    or comment travels with it. Grey stays grey; transparency is kept with ``alpha``, otherwise the picture
    is laid on white."""
    upright = ImageOps.exif_transpose(image) or image
    transparent = upright.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in upright.info
    grey = upright.mode in ("1", "L", "LA", "La")
    if transparent and not alpha:
        with_alpha = upright.convert("LA" if grey else "RGBA")
        flat = Image.new("L" if grey else "RGB", upright.size, 255 if grey else (255, 255, 255))
        flat.paste(with_alpha, mask=with_alpha.getchannel("A"))
        return flat
    mode = ("LA" if grey else "RGBA") if transparent else ("L" if grey else "RGB")
    converted = upright if upright.mode == mode else upright.convert(mode)
    clean = Image.new(mode, converted.size)
    clean.paste(converted)
    return clean


def _encode(image: Image.Image, *, kind: str, quality: int) -> bytes:
    out = io.BytesIO()
    if kind == "jpeg":
        image.save(out, format="JPEG", quality=quality, optimize=True)
    elif kind == "webp":
        image.save(out, format="WEBP", quality=quality)
    else:
        image.save(out, format="PNG")
    return out.getvalue()


_DECODING = threading.Lock()


@contextlib.contextmanager
def _truncation_refused():
    """Pillow decodes a cut-off file as far as it goes when ``ImageFile.LOAD_TRUNCATED_IMAGES`` is set, and
    WeasyPrint sets it for the whole process when it is imported: an upload is decoded with it off."""
    with _DECODING:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


def _clean(
    data: bytes, rules: _Rules, *, document: bool, max_side: int | None, keep_format: bool, quality: int
) -> CleanFile:
    image = _open(data, rules, document=document)
    found = {pillow: kind for kind, pillow in _PILLOW_FORMATS.items()}.get(image.format or "", "")
    kind = found if keep_format and found in ("jpeg", "png", "webp") else "jpeg"
    try:
        with image, _truncation_refused():
            image.load()
            clean = upright_pixels(image, alpha=kind != "jpeg")
    except _UNREADABLE as exc:
        raise rules.fail(rules.codes.not_document if document else rules.codes.not_image) from exc
    if max_side:
        clean.thumbnail((max_side, max_side))
    return CleanFile(
        _encode(clean, kind=kind, quality=quality), kind=kind, width=clean.width, height=clean.height
    )


def clean_image(
    upload: Upload,
    *,
    max_bytes: int,
    max_pixels: int,
    max_side: int | None = None,
    kinds: tuple[str, ...] = IMAGE_KINDS,
    keep_format: bool = False,
    quality: int = 85,
    codes: Codes = CODES,
) -> CleanFile:
    """The copy of an uploaded picture to keep: upright, without metadata, the longer side at most
    ``max_side`` (never enlarged; None keeps the size), as JPEG, or with ``keep_format`` as the JPEG, PNG
    or WebP it was (other kinds become JPEG)."""
    rules = _Rules(max_bytes, max_pixels, kinds, codes)
    return _clean(
        _read(upload, rules),
        rules,
        document=False,
        max_side=max_side,
        keep_format=keep_format,
        quality=quality,
    )


def is_whole_pdf(data: bytes) -> bool:
    """Starts as a PDF does and ends with its end marker (an upload cut short does not)."""
    return data.startswith(PDF_MAGIC) and PDF_END in data[-PDF_END_WINDOW:]


def clean_document(
    upload: Upload,
    *,
    max_bytes: int,
    max_pixels: int,
    kinds: tuple[str, ...] = ("pdf", "jpeg", "png"),
    max_side: int | None = None,
    keep_format: bool = False,
    quality: int = 85,
    codes: Codes = CODES,
) -> CleanFile:
    """A scan, receipt or signed sheet to keep: a whole PDF byte for byte (when ``kinds`` has "pdf"), or a
    picture of one of the other kinds cleaned as ``clean_image`` does. Anything else is ``not_document``."""
    rules = _Rules(max_bytes, max_pixels, kinds, codes)
    data = _read(upload, rules)
    if data.startswith(PDF_MAGIC):
        if "pdf" not in kinds or not is_whole_pdf(data):
            raise rules.fail(codes.not_document)
        return CleanFile(data, kind="pdf")
    return _clean(
        data,
        rules,
        document=True,
        max_side=max_side,
        keep_format=keep_format,
        quality=quality,
    )
