"""One upload checker for every app: limits and codes are the caller's, the reading is by content; bombs are
refused from their header, photos are kept upright, resized and without EXIF, PDFs only when whole."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from tunas.core import uploads
from tunas.core.errors import MESSAGES

GPS_IFD = 0x8825
ORIENTATION = 0x0112
LIMITS = {"max_bytes": 1024 * 1024, "max_pixels": 1_000_000}
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def photo(size=(40, 20), *, fmt="JPEG", mode="RGB", orientation=None, gps=False) -> bytes:
    image = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else None)
    exif = Image.Exif()
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif[0x010F] = "PhoneMaker"
        exif.get_ifd(GPS_IFD).update({1: "S", 2: (8.0, 32.0, 10.0), 3: "E", 4: (115.0, 24.0, 5.0)})
    out = io.BytesIO()
    image.save(out, format=fmt, exif=exif.tobytes() if (orientation or gps) else b"")
    return out.getvalue()


def png_bomb(width: int, height: int) -> bytes:
    """A valid PNG header announcing a huge canvas, followed by a few compressed bytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        return struct.pack(">I", len(body)) + kind + body + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    body = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def opened(content) -> Image.Image:
    content.seek(0)
    return Image.open(io.BytesIO(content.read()))


def code_of(call, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        call(*args, **kwargs)
    return caught.value.code


def test_every_default_code_is_registered_with_a_sentence():
    for code in (uploads.CODES.too_large, uploads.CODES.not_image, uploads.CODES.too_many_pixels):
        assert code in MESSAGES
    assert uploads.CODES.not_document in MESSAGES


def test_an_upload_over_the_byte_limit_is_refused_with_its_code_and_the_limit_in_megabytes():
    data = photo((400, 400)) + b"\x00" * (1024 * 1024)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        uploads.clean_image(SimpleUploadedFile("a.jpg", data), **LIMITS)
    assert caught.value.code == "file_too_large"
    assert "1 MB" in caught.value.messages[0]


def test_a_declared_size_over_the_limit_is_refused_before_anything_is_read():
    class Unreadable(io.BytesIO):
        size = 2 * 1024 * 1024

        def read(self, *args):
            raise AssertionError("read although the declared size is over the limit")

    assert code_of(uploads.clean_image, Unreadable(b""), **LIMITS) == "file_too_large"


def test_an_app_keeps_its_own_codes():
    codes = uploads.Codes(too_large="receipt_size", not_image="receipt_type", too_many_pixels="receipt_size")
    big = SimpleUploadedFile("a.jpg", b"\xff" * (1024 * 1024 + 1))
    assert code_of(uploads.clean_image, big, codes=codes, **LIMITS) == "receipt_size"
    assert code_of(uploads.clean_image, b"just text", codes=codes, **LIMITS) == "receipt_type"
    assert code_of(uploads.clean_image, png_bomb(2000, 2000), codes=codes, **LIMITS) == "receipt_size"


@pytest.mark.parametrize(
    "data",
    [b"just text", b"<svg xmlns='http://www.w3.org/2000/svg'/>", PDF, photo(fmt="GIF"), photo(fmt="BMP")],
    ids=["text", "svg", "pdf", "gif", "bmp"],
)
def test_what_is_not_an_allowed_picture_is_refused_whatever_its_name(data):
    assert code_of(uploads.clean_image, SimpleUploadedFile("foto.jpg", data), **LIMITS) == "file_not_image"
    assert code_of(uploads.check_image, SimpleUploadedFile("foto.jpg", data), **LIMITS) == "file_not_image"


def test_a_readable_picture_of_a_kind_not_accepted_gets_the_wrong_format_code_when_the_app_has_one():
    codes = uploads.Codes(wrong_format="photo_format")
    assert code_of(uploads.check_image, photo(fmt="GIF"), codes=codes, **LIMITS) == "photo_format"
    assert code_of(uploads.check_image, b"GIF89a" + b"\x00" * 50, codes=codes, **LIMITS) == "file_not_image"


@pytest.mark.parametrize("renderer_loaded", [False, True])
def test_a_truncated_picture_is_refused_even_after_weasyprint_relaxed_pillow(monkeypatch, renderer_loaded):
    from PIL import ImageFile

    # Importing WeasyPrint sets ImageFile.LOAD_TRUNCATED_IMAGES = True for the whole process.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", renderer_loaded)
    data = photo((300, 300), fmt="PNG")[:-200]
    assert code_of(uploads.clean_image, data, **LIMITS) == "file_not_image"
    assert ImageFile.LOAD_TRUNCATED_IMAGES is renderer_loaded


@pytest.mark.parametrize("size", [(2000, 2000), (10_000, 10_000), (60_000, 60_000)])
def test_a_decompression_bomb_is_refused_from_its_header_without_being_decoded(monkeypatch, size):
    decoded = []
    monkeypatch.setattr(Image.Image, "load", lambda self, *a, **k: decoded.append(self))
    monkeypatch.setattr(Image.Image, "verify", lambda self, *a, **k: decoded.append(self))
    bomb = png_bomb(*size)
    assert len(bomb) < 200
    assert code_of(uploads.clean_image, bomb, **LIMITS) == "image_too_many_pixels"
    assert code_of(uploads.check_image, bomb, **LIMITS) == "image_too_many_pixels"
    assert code_of(uploads.clean_document, bomb, **LIMITS) == "image_too_many_pixels"
    assert decoded == []


def test_the_gps_position_and_every_exif_tag_are_gone():
    original = Image.open(io.BytesIO(photo(gps=True)))
    assert original.getexif().get_ifd(GPS_IFD)  # the test photo does carry a position
    cleaned = opened(uploads.clean_image(photo(gps=True), **LIMITS))
    assert dict(cleaned.getexif()) == {}
    assert not cleaned.getexif().get_ifd(GPS_IFD)
    assert "exif" not in cleaned.info and "xmp" not in cleaned.info


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_kept_format_loses_its_exif_too(fmt):
    cleaned = uploads.clean_image(photo(fmt=fmt, gps=True), keep_format=True, **LIMITS)
    image = opened(cleaned)
    assert image.format == fmt and cleaned.kind == fmt.lower()
    assert dict(image.getexif()) == {} and "exif" not in image.info


def test_the_exif_orientation_is_applied_before_the_exif_is_dropped():
    # Orientation 6: the camera was turned; stored 40 wide and 20 high, the photo is upright 20×40.
    cleaned = uploads.clean_image(photo((40, 20), orientation=6), **LIMITS)
    assert opened(cleaned).size == (20, 40)
    assert (cleaned.width, cleaned.height) == (20, 40)


def test_a_large_photo_is_resized_within_the_side_and_a_small_one_never_enlarged():
    cleaned = uploads.clean_image(photo((400, 200)), max_side=100, **LIMITS)
    assert opened(cleaned).size == (100, 50) and opened(cleaned).format == "JPEG"
    assert opened(uploads.clean_image(photo((60, 30)), max_side=100, **LIMITS)).size == (60, 30)
    assert opened(uploads.clean_image(photo((400, 200)), **LIMITS)).size == (400, 200)


def test_transparency_is_laid_on_white_in_a_jpeg_and_kept_in_a_png():
    data = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(data, format="PNG")
    as_jpeg = opened(uploads.clean_image(data.getvalue(), **LIMITS))
    assert as_jpeg.format == "JPEG" and as_jpeg.convert("RGB").getpixel((5, 5)) == (255, 255, 255)
    as_png = opened(uploads.clean_image(data.getvalue(), keep_format=True, **LIMITS))
    assert as_png.mode == "RGBA" and as_png.getpixel((5, 5))[3] == 0


def test_the_kept_file_is_named_by_its_real_kind_never_by_the_uploaders_name():
    cleaned = uploads.clean_image(SimpleUploadedFile("../../rahasia.pdf", photo(fmt="PNG")), **LIMITS)
    assert cleaned.name.endswith(".jpg") and "rahasia" not in cleaned.name


def test_a_checked_file_is_left_at_its_start_for_the_caller_to_store():
    upload = SimpleUploadedFile("a.png", photo((30, 30), fmt="PNG"))
    facts = uploads.check_image(upload, **LIMITS)
    assert facts == ("PNG", 30, 30)
    assert upload.tell() == 0


def test_a_whole_pdf_is_kept_byte_for_byte():
    kept = uploads.clean_document(SimpleUploadedFile("scan.jpg", PDF), **LIMITS)
    assert kept.kind == "pdf" and kept.name.endswith(".pdf") and kept.read() == PDF


@pytest.mark.parametrize(
    "data",
    [
        b"MZ\x90\x00 an executable",
        b"%PDF-1.4 cut short",
        b"%PDF" + PDF[4:].replace(b"-", b"", 1),
        b"PDF-1.4\n%%EOF",
    ],
    ids=["executable", "cut-short", "wrong-magic", "no-percent"],
)
def test_a_document_without_a_pdfs_magic_and_end_is_refused(data):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        uploads.clean_document(SimpleUploadedFile("scan.pdf", data), **LIMITS)
    assert caught.value.code == "file_not_document"
    assert "PDF, JPEG, PNG" in caught.value.messages[0]


def test_a_document_may_be_a_photo_cleaned_like_one_but_not_a_pdf_where_none_is_accepted():
    kept = uploads.clean_document(photo(gps=True, orientation=6), **LIMITS)
    assert kept.kind == "jpeg" and opened(kept).size == (20, 40) and not opened(kept).getexif()
    assert code_of(uploads.clean_document, PDF, kinds=("jpeg",), **LIMITS) == "file_not_document"
    assert code_of(uploads.clean_document, photo(fmt="WEBP"), **LIMITS) == "file_not_document"


def test_one_code_for_everything_when_the_app_wants_only_one():
    codes = uploads.Codes.same("photo_invalid")
    assert code_of(uploads.clean_image, b"x" * (1024 * 1024 + 1), codes=codes, **LIMITS) == "photo_invalid"
    assert code_of(uploads.clean_document, b"text", codes=codes, **LIMITS) == "photo_invalid"
