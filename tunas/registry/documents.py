"""Printable registry documents: the selection-result record (Berita Acara Hasil Seleksi) as a PDF.

The record is an official letter in Indonesian whatever the reader's interface language: its fixed words are
written in Indonesian in the template (not translated strings), and it is rendered inside
``translation.override("id")`` so that choice labels and numbers come out Indonesian too. Once no member
waits for a decision it gets its number from the office's pattern, once; before that it prints as a draft.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

from tunas.accounts.letterhead import letterhead, nip_display, office_place
from tunas.core.formatting import date_long, day_name
from tunas.programs import numbering
from tunas.programs.models import DocumentKind, DocumentNumber
from tunas.reports.renderers import pdf_bytes, pdf_response

from . import selectors
from .models import GroupStatus, Membership, Verification

TEMPLATE = "registry/pdf/selection_record.html"
KIND = DocumentKind.SELECTION_RECORD


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
