"""Printable registry documents: the selection-result record (Berita Acara Hasil Seleksi) as a PDF.

The record is an official letter in Indonesian whatever the reader's interface language: its fixed words are
written in Indonesian in the template (not translated strings), and it is rendered inside
``translation.override("id")`` so that choice labels and numbers come out Indonesian too. Once no member
waits for a decision it gets its number from the office's pattern, once; before that it prints as a draft.
"""

from __future__ import annotations

import base64
import datetime as dt
import mimetypes
from dataclasses import dataclass

from django.db.models import Count, Q
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

from tunas.core.formatting import date_long, day_name
from tunas.programs import numbering
from tunas.programs.models import DocumentKind, DocumentNumber
from tunas.regions.models import Province, Regency
from tunas.reports.renderers import pdf_bytes, pdf_response

from . import selectors
from .models import GroupStatus, Membership, Verification

TEMPLATE = "registry/pdf/selection_record.html"
KIND = DocumentKind.SELECTION_RECORD
NATIONAL_GOVERNMENT = "KEMENTERIAN KETENAGAKERJAAN REPUBLIK INDONESIA"
_REGENCY_PREFIXES = ("Kabupaten Administrasi ", "Kota Administrasi ", "Kabupaten ", "Kota ")


def office_place(office) -> str:
    """Where the office signs its documents: the regency or city (without "Kabupaten"/"Kota"), or province."""
    code = office.region_code
    if len(code) == 5:
        name = Regency.objects.filter(code=code).values_list("name", flat=True).first() or ""
        for word in _REGENCY_PREFIXES:
            if name.startswith(word):
                return name[len(word) :]
        return name
    if len(code) == 2:
        return Province.objects.filter(code=code).values_list("name", flat=True).first() or ""
    return "Jakarta"


def office_government(office) -> str:
    """The government line of the letterhead: the office's own, else that of its jurisdiction.

    ``Kabupaten Klungkung`` gives ``PEMERINTAH KABUPATEN KLUNGKUNG``, a province ``PEMERINTAH PROVINSI BALI``,
    the national office the ministry.
    """
    if office.government_name.strip():
        return office.government_name.strip().upper()
    code = office.region_code
    if len(code) == 5:
        regency = Regency.objects.filter(code=code).first()
        if regency is not None:
            name = regency.name
            if not name.startswith(("Kabupaten ", "Kota ")):
                name = f"{'Kota' if regency.kind == Regency.Kind.CITY else 'Kabupaten'} {name}"
            return f"PEMERINTAH {name}".upper()
    if len(code) == 2:
        province = Province.objects.filter(code=code).values_list("name", flat=True).first()
        if province:
            name = province if province.lower().startswith("provinsi ") else f"Provinsi {province}"
            return f"PEMERINTAH {name}".upper()
    return NATIONAL_GOVERNMENT


def nip_display(nip: str) -> str:
    """An 18-digit NIP as it is printed under a signature: ``19680412 199403 1 007``."""
    if len(nip) == 18 and nip.isdigit():
        return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
    return nip


def _logo_data_uri(office) -> str:
    """The office logo inlined in the document (any storage, no URL fetched); "" when none or unreadable."""
    if not office.logo:
        return ""
    try:
        with office.logo.open("rb") as f:
            data = f.read()
    except (OSError, ValueError):
        return ""
    mime = mimetypes.guess_type(office.logo.name)[0] or "image/png"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def letterhead(office) -> dict:
    """The kop surat: government, office, address and contacts, logo."""
    contacts = []
    if office.phone:
        contacts.append(f"Telepon {office.phone}")
    if office.email:
        contacts.append(f"Pos-el {office.email}")
    if office.website:
        contacts.append(f"Laman {office.website}")
    return {
        "government": office_government(office),
        "office": office.name.upper(),
        "address": office.address,
        "contacts": contacts,
        "logo": _logo_data_uri(office),
    }


@dataclass(frozen=True)
class Signatory:
    name: str
    nip: str
    position: str


def _team(program, verifiers) -> list[Signatory]:
    """The programme's verification team; without one, the verifiers who decided (no NIP known)."""
    team = numbering.verification_team_list(program=program)
    if team:
        return [Signatory(m.name, nip_display(m.nip), m.position.capitalize()) for m in team]
    return [Signatory(u.get_full_name() or u.username, "", "Anggota") for u in verifiers]


def _outcome(program) -> dict:
    """Who passed, who did not and who still waits, in one query (dissolved groups withdrew: left out)."""
    members = Membership.objects.filter(program=program).exclude(group__status=GroupStatus.DISSOLVED)
    group_rejected = Q(group__status=GroupStatus.REJECTED)
    return members.aggregate(
        total=Count("pk"),
        groups=Count("group", distinct=True),
        passed=Count(
            "pk", filter=Q(group__status__in=selectors.SELECTED_STATUSES, verification=Verification.APPROVED)
        ),
        rejected=Count("pk", filter=group_rejected | Q(verification=Verification.REJECTED)),
        # A member waits for their own decision, or (approved) for their group's.
        waiting=Count(
            "pk",
            filter=~group_rejected
            & (
                Q(verification=Verification.PENDING)
                | Q(group__status=GroupStatus.FORMING, verification=Verification.APPROVED)
            ),
        ),
        groups_waiting=Count("group", distinct=True, filter=Q(group__status=GroupStatus.FORMING)),
    )


def _not_selected(program) -> list[dict]:
    """The annex: members rejected, and members of groups rejected as a whole, with the reason."""
    rows = (
        Membership.objects.filter(program=program)
        .filter(Q(verification=Verification.REJECTED) | Q(group__status=GroupStatus.REJECTED))
        .exclude(group__status=GroupStatus.DISSOLVED)
        .select_related("person", "group")
        .order_by("group__name", "person__full_name")
    )
    result = []
    for m in rows:
        if m.verification == Verification.REJECTED:
            reason = m.verification_reason
        else:
            reason = "Kelompok tidak lolos seleksi" + (
                f": {m.group.verification_note}" if m.group.verification_note else ""
            )
        result.append({"membership": m, "reason": reason})
    return result


def selection_record_context(*, program, day: dt.date, user=None) -> dict:
    """Everything the record prints: verified groups and members (NIK masked), who did not pass and why,
    the team who decided and the head of office; issues the number once no member waits for a decision.

    ``user`` is who prints: rejection reasons are printed only for a role that may see them (none without a
    user), and the number, when issued now, records who printed first.
    """
    record = selectors.selection_record(program=program)
    outcome = _outcome(program)
    draft = outcome["waiting"] > 0 or outcome["total"] == 0
    number: DocumentNumber | None = None
    if not draft:
        number = numbering.document_number_issue(program=program, kind=KIND, day=day, by=user)
        day = number.dated  # a numbered record keeps the date it was numbered for
    office = program.office
    return {
        "program": program,
        "office": office,
        "letterhead": letterhead(office),
        "place": office_place(office),
        "day": day,
        "day_text": f"{day_name(day, 'id')}, {date_long(day, 'id')}",
        "day_plain": date_long(day, "id"),
        "draft": draft,
        "number": number,
        "outcome": outcome,
        "not_selected": _not_selected(program),
        "show_reasons": bool(user is not None and getattr(user, "sees_full_nik", False)),
        "team": _team(program, record["verifiers"]),
        "head": {
            "title": office.head_title or f"Kepala {office.name}",
            "name": office.head_name,
            "nip": nip_display(office.head_nip),
        },
        **record,
    }


def selection_record_html(*, program, day: dt.date, user=None) -> str:
    with translation.override("id"):
        return render_to_string(TEMPLATE, selection_record_context(program=program, day=day, user=user))


def selection_record_pdf(*, program, day: dt.date, user=None) -> bytes:
    with translation.override("id"):
        return pdf_bytes(TEMPLATE, selection_record_context(program=program, day=day, user=user))


def selection_record_response(*, program, day: dt.date, user=None) -> HttpResponse:
    with translation.override("id"):
        context = selection_record_context(program=program, day=day, user=user)
        return pdf_response(f"berita-acara-hasil-seleksi-{program.code}", TEMPLATE, context)
