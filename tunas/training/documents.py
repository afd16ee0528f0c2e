"""The training's printed documents: the day's attendance sheet and the certificates (WeasyPrint PDFs).

Both are official papers in Indonesian whatever the reader's interface language (the certificate carries an
English subtitle): their fixed words are written in the templates, rendered inside
``translation.override("id")``. Certificates are rendered in chunks and joined, so that a thousand of them
take no more memory than a chunk.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable

import segno
from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe

from tunas.accounts.letterhead import letterhead, nip_display, office_place
from tunas.core.formatting import date_long, day_name
from tunas.reports.renderers import pdf_bytes

from . import selectors, services
from .models import Certificate, Training

SHEET_TEMPLATE = "training/pdf/attendance_sheet.html"
CERTIFICATE_TEMPLATE = "training/pdf/certificates.html"
# Certificates rendered by one WeasyPrint run; the parts are joined with pypdf.
CERTIFICATES_PER_CHUNK = 100
MONTHS_ID = [
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
]  # fmt: skip


def mask_name(name: str) -> str:
    """A name partly hidden for the public page: each word's first letter, the rest dotted (I W••• S••••)."""
    return " ".join(word[0] + "•" * (len(word) - 1) if len(word) > 1 else word for word in name.split())


def date_range_id(start: dt.date, end: dt.date) -> str:
    """``4–6 September 2018``, ``30 Agustus – 2 September 2018``, as Indonesian letters write a span."""
    if start == end:
        return date_long(start, "id")
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {MONTHS_ID[end.month - 1]} {end.year}"
    if start.year == end.year:
        return f"{start.day} {MONTHS_ID[start.month - 1]} – {end.day} {MONTHS_ID[end.month - 1]} {end.year}"
    return f"{date_long(start, 'id')} – {date_long(end, 'id')}"


def _head(office) -> dict:
    return {
        "title": office.head_title or f"Kepala {office.name}",
        "name": office.head_name,
        "nip": nip_display(office.head_nip),
    }


# The attendance sheet ---------------------------------------------------------------------------------------


def attendance_sheet_context(*, training: Training, date: dt.date, by=None) -> dict:
    """The day's sheet: letterhead, number (issued once), the training, the day's sessions and every
    participant with a place to sign (odd numbers left, even right, as offices lay it out)."""
    sheet = services.attendance_sheet_issue(training=training, date=date, by=by)
    office = training.program.office
    people = list(selectors.participants(training=training))
    sessions = [s for s in selectors.training_sessions(training=training) if s.date == date]
    instructors = sorted({s.instructor.name for s in sessions if s.instructor})
    return {
        "training": training,
        "program": training.program,
        "office": office,
        "letterhead": letterhead(office),
        "number": sheet.number,
        "date": date,
        "day_text": f"{day_name(date, 'id')}, {date_long(date, 'id')}",
        "day_index": training.days.index(date) + 1,
        "day_count": len(training.days),
        "sessions": sessions,
        "instructors": instructors,
        "people": people,
        "groups": sorted({m.group.name for m in people}),
        "place": office_place(office),
        "head": _head(office),
    }


def attendance_sheet_pdf(*, training: Training, date: dt.date, by=None) -> bytes:
    with translation.override("id"):
        return pdf_bytes(SHEET_TEMPLATE, attendance_sheet_context(training=training, date=date, by=by))


def attendance_sheet_response(*, training: Training, date: dt.date, by=None) -> HttpResponse:
    response = HttpResponse(
        attendance_sheet_pdf(training=training, date=date, by=by), content_type="application/pdf"
    )
    response["Content-Disposition"] = (
        f'inline; filename="daftar-hadir-{training.program.code}-{date:%Y%m%d}.pdf"'
    )
    return response


# Certificates -----------------------------------------------------------------------------------------------


def verify_url(code: str, request=None) -> str:
    path = reverse("training:verify", args=[code])
    if request is not None:
        return request.build_absolute_uri(path)
    return getattr(settings, "TUNAS_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/") + path


def qr_svg(url: str) -> str:
    """The QR code of the check page as inline SVG (vector: sharp at any print size)."""
    return segno.make(url, error="m").svg_inline(scale=4, border=0, dark="#111")


def _certificate_items(certificates: Iterable[Certificate], request=None) -> list[dict]:
    items = []
    for c in certificates:
        url = verify_url(c.code, request)
        items.append({"certificate": c, "url": url, "qr": mark_safe(qr_svg(url))})  # noqa: S308 - segno's own SVG
    return items


def _training_facts(training: Training) -> dict:
    office = training.program.office
    return {
        "training": training,
        "program": training.program,
        "office": office,
        "dates": date_range_id(training.start_date, training.end_date),
        "place": office_place(office),
        "head": _head(office),
        "letterhead": letterhead(office),
    }


def certificates_pdf(
    *,
    certificates: Iterable[Certificate],
    request=None,
    chunk: int = CERTIFICATES_PER_CHUNK,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """Every certificate as one PDF, one A4 landscape page each, rendered ``chunk`` at a time."""
    from pypdf import PdfWriter

    queryset = certificates
    if hasattr(queryset, "select_related"):
        queryset = queryset.select_related(
            "training__program__office", "training__village", "training__hamlet"
        )  # type: ignore[union-attr]
        queryset = queryset.iterator(chunk_size=chunk)  # type: ignore[union-attr]
    facts: dict[int, dict] = {}
    parts: list[bytes] = []
    batch: list[Certificate] = []
    done = 0

    def flush() -> None:
        nonlocal done
        if not batch:
            return
        pages = []
        for item in _certificate_items(batch, request):
            training = item["certificate"].training
            if training.pk not in facts:
                facts[training.pk] = _training_facts(training)
            pages.append({**item, **facts[training.pk]})
        with translation.override("id"):
            parts.append(pdf_bytes(CERTIFICATE_TEMPLATE, {"pages": pages}))
        done += len(batch)
        batch.clear()
        if progress is not None:
            progress(done)

    for certificate in queryset:
        batch.append(certificate)
        if len(batch) >= chunk:
            flush()
    flush()
    if len(parts) == 1:
        return parts[0]
    writer = PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def certificates_response(*, certificates, filename: str, request=None) -> HttpResponse:
    response = HttpResponse(
        certificates_pdf(certificates=certificates, request=request), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    return response


def certificate_html(*, certificates, request=None) -> str:
    """The certificates' HTML, for tests and previews."""
    pages = []
    for item in _certificate_items(certificates, request):
        pages.append({**item, **_training_facts(item["certificate"].training)})
    with translation.override("id"):
        return render_to_string(CERTIFICATE_TEMPLATE, {"pages": pages})
