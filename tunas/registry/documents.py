"""Printable registry documents: the selection-result record (Berita Acara Hasil Seleksi) as a PDF."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse

from tunas.regions.models import Province, Regency
from tunas.reports.renderers import pdf_response

from . import selectors


def office_place(office) -> str:
    """Where the office signs its documents: the regency or city (without "Kabupaten"/"Kota"), or province."""
    code = office.region_code
    if len(code) == 5:
        name = Regency.objects.filter(code=code).values_list("name", flat=True).first() or ""
        for word in ("Kabupaten ", "Kota "):
            if name.startswith(word):
                return name[len(word) :]
        return name
    if len(code) == 2:
        return Province.objects.filter(code=code).values_list("name", flat=True).first() or ""
    return "Jakarta"


def selection_record_context(*, program, day: dt.date) -> dict:
    """Everything the record prints: verified groups and members (NIK masked), the team who decided."""
    record = selectors.selection_record(program=program)
    return {
        "program": program,
        "office": program.office,
        "place": office_place(program.office),
        "day": day,
        **record,
    }


def selection_record_response(*, program, day: dt.date) -> HttpResponse:
    context = selection_record_context(program=program, day=day)
    return pdf_response(
        f"berita-acara-hasil-seleksi-{program.code}", "registry/pdf/selection_record.html", context
    )
