"""Product photos: allowed formats only, no decompression bomb, sizes in WebP made in the background with the
camera's orientation applied and every metadata block dropped; originals never served."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_tasks.signals import task_enqueued
from PIL import Image

from tests.conftest import login
from tunas.catalog import services
from tunas.catalog.models import PhotoStatus, ProductPhoto
from tunas.catalog.photos import MAX_UPLOAD_BYTES, WIDTHS

from .factories import ProductFactory, image_bytes

pytestmark = pytest.mark.django_db


def _exif_rotated_gps() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: the camera was turned, the picture must be rotated 90°
    exif[0x010F] = "KameraHP"
    exif[0x8825] = {2: (8.0, 32.0, 0.0)}  # a GPS block
    return exif.tobytes()


def _upload(data: bytes, name: str = "foto.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


@pytest.fixture
def product():
    return ProductFactory()


def test_an_upload_is_sized_in_the_background_into_webp_upright_and_without_metadata(product, officer):
    enqueued = []
    task_enqueued.connect(
        lambda sender, task_result, **kw: enqueued.append(task_result.task.name), weak=False
    )
    data = image_bytes(size=(1600, 1200), exif=_exif_rotated_gps())
    photo = services.photo_add(product=product, upload=_upload(data), alt_text="Kipas", by=officer)
    photo.refresh_from_db()
    assert enqueued == ["photo_prepare_task"]
    assert photo.status == PhotoStatus.READY
    assert set(photo.renditions) == {*(str(w) for w in WIDTHS), "og"}
    assert (photo.width, photo.height) == (1200, 1600)  # turned upright
    for width in WIDTHS:
        with default_storage.open(photo.renditions[str(width)]) as f:
            image = Image.open(f)
            image.load()
            assert image.format == "WEBP"
            drawn = min(width, 1200)  # never enlarged
            assert image.size == (drawn, round(1600 * drawn / 1200))
            assert not image.getexif() and "exif" not in image.info and "xmp" not in image.info
    with default_storage.open(photo.renditions["og"]) as f:
        og = Image.open(f)
        assert og.format == "JPEG" and not og.getexif()


def test_a_small_photo_is_never_enlarged(product, officer):
    photo = services.photo_add(product=product, upload=_upload(image_bytes(size=(400, 300))), by=officer)
    photo.refresh_from_db()
    with default_storage.open(photo.renditions["1280"]) as f:
        assert Image.open(f).size == (400, 300)
    assert photo.size_for(1280) == (400, 300)


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"%PDF-1.4 not an image", "photo_not_image"),
        (b"GIF89a" + b"\x00" * 50, "photo_not_image"),
        (image_bytes("GIF"), "photo_format"),
        (image_bytes("BMP"), "photo_format"),
        (image_bytes("JPEG")[:200], "photo_not_image"),
    ],
)
def test_what_is_not_an_allowed_image_is_refused(product, officer, data, code):
    with pytest.raises(ValidationError) as error:
        services.photo_add(product=product, upload=_upload(data), by=officer)
    assert error.value.code == code
    assert not ProductPhoto.objects.exists()


def _png_bomb(width: int, height: int) -> bytes:
    """A valid PNG header announcing a huge canvas, with a few compressed bytes of data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    data = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


@pytest.mark.parametrize("size", [(10_000, 10_000), (60_000, 60_000)])
def test_a_decompression_bomb_is_refused_before_it_is_decoded(product, officer, size):
    with pytest.raises(ValidationError) as error:
        services.photo_add(product=product, upload=_upload(_png_bomb(*size), "bom.png"), by=officer)
    assert error.value.code == "photo_too_many_pixels"


def test_a_file_over_the_size_limit_is_refused(product, officer):
    upload = _upload(image_bytes())
    upload.size = MAX_UPLOAD_BYTES + 1
    with pytest.raises(ValidationError) as error:
        services.photo_add(product=product, upload=upload, by=officer)
    assert error.value.code == "photo_too_large"


def test_the_upload_page_shows_the_problem_beside_the_field(product, officer, program):
    product.group.program.office = officer.office
    product.group.program.save()
    response = login(officer).post(
        reverse("catalog:product_photos", args=[product.pk]), {"photo": _upload(b"bukan foto", "x.jpg")}
    )
    assert response.status_code == 200
    assert "photo_not_image" in response.content.decode()


def test_the_original_has_no_url_and_lies_outside_the_public_media(product, officer, settings):
    photo = services.photo_add(product=product, upload=_upload(image_bytes()), by=officer)
    with pytest.raises(ValueError):
        photo.original.url  # noqa: B018
    assert str(settings.PRIVATE_MEDIA_ROOT) in photo.original.path


def test_the_public_pages_show_the_sizes_lazily_with_width_and_height(product, officer):
    photo = services.photo_add(product=product, upload=_upload(image_bytes(size=(1600, 1200))), by=officer)
    photo.refresh_from_db()
    listing = Client().get(reverse("catalog:products")).content.decode()
    assert 'loading="lazy"' in listing and 'width="320" height="240"' in listing and "srcset=" in listing
    detail = Client().get(reverse("catalog:product", args=[product.slug])).content.decode()
    assert 'width="1280" height="960"' in detail
    og = "http://testserver" + reverse("catalog:photo_file", args=[photo.renditions["og"].split("/")[-1]])
    assert f'<meta property="og:image" content="{og}">' in detail


def test_a_prepared_size_is_served_with_a_long_cache_and_unknown_names_are_404(product, officer):
    photo = services.photo_add(product=product, upload=_upload(image_bytes()), by=officer)
    photo.refresh_from_db()
    name = photo.renditions["640"].split("/")[-1]
    response = Client().get(reverse("catalog:photo_file", args=[name]))
    assert response.status_code == 200 and response["Content-Type"] == "image/webp"
    assert "immutable" in response["Cache-Control"]
    assert Client().get(reverse("catalog:photo_file", args=["..%2Fsettings.py"])).status_code == 404
    assert Client().get(reverse("catalog:photo_file", args=["0" * 32 + "-640.webp"])).status_code == 404


def test_removing_a_photo_removes_its_files(product, officer, django_capture_on_commit_callbacks):
    photo = services.photo_add(product=product, upload=_upload(image_bytes()), by=officer)
    photo.refresh_from_db()
    names = list(photo.renditions.values())
    with django_capture_on_commit_callbacks(execute=True):
        services.photo_delete(photo=photo, by=officer)
    assert not any(default_storage.exists(n) for n in names)


def test_preparing_twice_makes_the_sizes_once(product, officer):
    photo = services.photo_add(product=product, upload=_upload(image_bytes()), by=officer)
    photo.refresh_from_db()
    before = dict(photo.renditions)
    assert services.photo_prepare(photo=photo).renditions == before


def test_a_photo_whose_original_cannot_be_read_is_marked_failed(product, officer):
    photo = services.photo_add(product=product, upload=_upload(image_bytes()), by=officer)
    photo = ProductPhoto.objects.get(pk=photo.pk)
    photo.status = PhotoStatus.PROCESSING
    photo.original.storage.delete(photo.original.name)
    photo.original.storage.save(photo.original.name, io.BytesIO(b"rusak"))
    assert services.photo_prepare(photo=photo).status == PhotoStatus.FAILED
