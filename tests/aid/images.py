"""Small files for upload tests: photos with EXIF (GPS, orientation), a PDF, things that are neither."""

from __future__ import annotations

import io

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_bytes(
    size=(40, 20), *, orientation: int | None = None, gps: bool = False, fmt: str = "JPEG"
) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif[0x010F] = "PhoneMaker"
        exif.get_ifd(GPS_IFD).update({1: "S", 2: (8.0, 32.0, 10.0), 3: "E", 4: (115.0, 24.0, 5.0)})
    out = io.BytesIO()
    image.save(out, format=fmt, exif=exif.tobytes() if (orientation or gps) else b"")
    return out.getvalue()


def png_bytes(size=(30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 0, 255, 128)).save(out, format="PNG")
    return out.getvalue()


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )
