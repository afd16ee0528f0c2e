"""Photos and scans are read by their content: only allowed image formats, no decompression bombs, upright,
without EXIF (GPS included), resized; a PDF only when it is one; sizes limited in settings."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tunas.aid import files

from .images import GPS_IFD, jpeg_bytes, pdf_bytes, png_bytes


def upload(data: bytes, name="foto.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def opened(content) -> Image.Image:
    return Image.open(io.BytesIO(content.read()))


def test_a_photo_loses_its_exif_and_gps_position():
    original = Image.open(io.BytesIO(jpeg_bytes(gps=True)))
    assert original.getexif().get_ifd(GPS_IFD)  # the test photo does carry a position
    cleaned = opened(files.clean_image(upload(jpeg_bytes(gps=True))))
    assert dict(cleaned.getexif()) == {}
    assert not cleaned.getexif().get_ifd(GPS_IFD)


def test_a_photo_is_turned_upright_by_its_exif_orientation():
    # Orientation 6: the camera was turned; stored 40 wide and 20 high, the photo is upright 20×40.
    cleaned = opened(files.clean_image(upload(jpeg_bytes((40, 20), orientation=6))))
    assert cleaned.size == (20, 40)


def test_a_large_photo_is_kept_as_a_resized_copy(settings):
    settings.AID_IMAGE_MAX_SIDE = 100
    cleaned = opened(files.clean_image(upload(jpeg_bytes((400, 200)))))
    assert cleaned.size == (100, 50) and cleaned.format == "JPEG"


def test_png_and_webp_photos_are_accepted_and_kept_as_jpeg():
    assert opened(files.clean_image(upload(png_bytes(), "a.png"))).format == "JPEG"
    assert opened(files.clean_image(upload(jpeg_bytes(fmt="WEBP"), "a.webp"))).format == "JPEG"


@pytest.mark.parametrize(
    "data",
    [b"GIF89a" + b"\x00" * 40, b"<svg xmlns='http://www.w3.org/2000/svg'/>", pdf_bytes(), b"just text"],
)
def test_a_file_that_is_not_an_allowed_photo_is_refused_whatever_its_name(data):
    with pytest.raises(ValidationError) as exc:
        files.clean_image(upload(data, "foto.jpg"))
    assert exc.value.code == "upload_not_image"


def test_a_gif_is_refused_even_though_pillow_could_read_it():
    out = io.BytesIO()
    Image.new("RGB", (5, 5)).save(out, format="GIF")
    with pytest.raises(ValidationError):
        files.clean_image(upload(out.getvalue(), "a.jpg"))


def test_a_decompression_bomb_is_refused(settings):
    settings.AID_IMAGE_MAX_PIXELS = 10_000
    with pytest.raises(ValidationError) as exc:
        files.clean_image(upload(png_bytes((200, 200)), "bomb.png"))
    assert exc.value.code == "image_too_large"


def test_an_upload_over_the_size_limit_is_refused_with_the_limit(settings):
    settings.AID_UPLOAD_MAX_BYTES = 1024 * 1024
    with pytest.raises(ValidationError) as exc:
        files.clean_scan(upload(b"%PDF-" + b"0" * (1024 * 1024 + 10) + b"%%EOF", "scan.pdf"))
    assert exc.value.code == "upload_too_large" and "1 MB" in exc.value.messages[0]


def test_a_scan_is_a_pdf_by_its_content_or_a_cleaned_photo():
    assert files.clean_scan(upload(pdf_bytes(), "scan.jpg")).name.endswith(".pdf")
    assert files.clean_scan(upload(jpeg_bytes(gps=True), "scan.pdf")).name.endswith(".jpg")
    with pytest.raises(ValidationError) as exc:
        files.clean_scan(upload(b"MZ\x90\x00 an executable", "scan.pdf"))
    assert exc.value.code == "upload_not_scan"
    with pytest.raises(ValidationError):
        files.clean_scan(upload(b"%PDF-1.4 cut short", "scan.pdf"))
