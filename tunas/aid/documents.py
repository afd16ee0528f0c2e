"""The aid app's printable documents: the handover record (Berita Acara Serah Terima, BAST) and a group's
accountability report (laporan pertanggungjawaban, LPJ), as PDFs in Indonesian government letter style.

Like the selection record (tunas.registry.documents) these are official letters, in Indonesian whatever the
reader's language: their fixed words are written in the templates and they are rendered inside
``translation.override("id")``. The handover record prints the parties stored on it (as they were on the
day), never today's data of the people; its day and date are written out in words with lokal-id's
``terbilang``.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from lokal import terbilang

from tunas.accounts.letterhead import letterhead, nip_display, office_place
from tunas.core.formatting import MONTHS_ID, date_long, day_name
from tunas.registry.models import Membership, Role, Verification
from tunas.reports.renderers import pdf_bytes, pdf_response

from .models import AccountabilityReport, Handover

HANDOVER_TEMPLATE = "aid/pdf/handover_record.html"
REPORT_TEMPLATE = "aid/pdf/accountability_report.html"


def date_in_words(day: dt.date) -> str:
    """``Selasa tanggal empat bulan September tahun dua ribu delapan belas``, as in "Pada hari ini …"."""
    return (
        f"{day_name(day, 'id')} tanggal {terbilang(day.day)} bulan {MONTHS_ID[day.month - 1]} "
        f"tahun {terbilang(day.year)}"
    )


def rupiah_in_words(amount: int) -> str:
    """``dua puluh lima juta rupiah``, as a record writes its total beside the figure."""
    return terbilang(amount, currency=True, case="lower")


def handover_context(*, handover: Handover) -> dict:
    """Everything the record prints, read from the record itself (its parties and its item lines)."""
    items = list(handover.items.all())
    program = handover.program
    office = program.office
    parties = handover.parties or {}
    total = sum(i.total for i in items)
    official = parties.get("official", {})
    return {
        "handover": handover,
        "program": program,
        "office": office,
        "letterhead": letterhead(office),
        "place_of_office": office_place(office),
        "day_words": date_in_words(handover.handed_on),
        "day_plain": date_long(handover.handed_on, "id"),
        "official": {**official, "nip": nip_display(official.get("nip", ""))},
        "receiver": parties.get("receiver", {}),
        "witnesses": parties.get("witnesses", []),
        "group": parties.get("group", {}),
        "items": items,
        "total": total,
        "total_words": rupiah_in_words(total),
        "quantity_total": sum(i.quantity for i in items),
        "head": {
            "title": office.head_title or f"Kepala {office.name}",
            "name": office.head_name,
            "nip": nip_display(office.head_nip),
        },
    }


def handover_pdf(*, handover: Handover) -> bytes:
    with translation.override("id"):
        return pdf_bytes(HANDOVER_TEMPLATE, handover_context(handover=handover))


def handover_html(*, handover: Handover) -> str:
    with translation.override("id"):
        return render_to_string(HANDOVER_TEMPLATE, handover_context(handover=handover))


def handover_response(*, handover: Handover) -> HttpResponse:
    with translation.override("id"):
        return pdf_response(f"bast-{handover.number}", HANDOVER_TEMPLATE, handover_context(handover=handover))


def _signers(group) -> dict:
    """The group's chair and treasurer today (the report is signed by who holds these roles now)."""
    found = {
        m.role: m.person.full_name
        for m in Membership.objects.filter(
            group=group, role__in=[Role.CHAIR, Role.TREASURER], verification=Verification.APPROVED
        ).select_related("person")
    }
    return {"chair": found.get(Role.CHAIR, ""), "treasurer": found.get(Role.TREASURER, "")}


def report_context(*, report: AccountabilityReport) -> dict:
    transfer = report.transfer
    program = transfer.program
    office = program.office
    purchases = list(report.purchases.all())
    spent = sum(p.amount for p in purchases)
    remaining = transfer.amount - spent
    return {
        "report": report,
        "transfer": transfer,
        "group": transfer.group,
        "program": program,
        "office": office,
        "letterhead": letterhead(office),
        "place_of_office": office_place(office),
        "chapters": [
            ("BAB I", "PENDAHULUAN", report.introduction),
            ("BAB II", "GAGASAN USAHA", report.business_idea),
            ("BAB III", "HASIL YANG DICAPAI", report.results),
            ("BAB IV", "PERMASALAHAN", report.problems),
            ("BAB V", "STRATEGI PENGEMBANGAN USAHA", report.strategy),
            ("BAB VI", "PENUTUP", report.closing),
        ],
        "purchases": purchases,
        "spent": spent,
        "spent_words": rupiah_in_words(spent) if spent else "nol rupiah",
        "remaining": remaining,
        "remaining_after_return": remaining - report.returned_amount,
        "amount_words": rupiah_in_words(transfer.amount),
        "day_plain": date_long(report.submitted_at.date() if report.submitted_at else dt.date.today(), "id"),
        "signers": _signers(transfer.group),
    }


def report_pdf(*, report: AccountabilityReport) -> bytes:
    with translation.override("id"):
        return pdf_bytes(REPORT_TEMPLATE, report_context(report=report))


def report_response(*, report: AccountabilityReport) -> HttpResponse:
    with translation.override("id"):
        return pdf_response(
            f"lpj-{report.transfer.group.name}", REPORT_TEMPLATE, report_context(report=report)
        )
