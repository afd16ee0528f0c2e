"""The budget ledger's pages: the Budget tab, recording and cancelling spending, plan revisions and
the receipt scans (served only to the programme's office)."""

from __future__ import annotations

import mimetypes
from pathlib import PurePath

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import OperationalError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from tunas.core.formatting import rupiah
from tunas.core.http import AuthenticatedHttpRequest

from . import ledger
from .forms_ledger import BudgetRevisionForm, SpendingCancelForm, SpendingForm
from .models import Program, Spending, Stage
from .views import get_program_or_404

ENTRIES_PER_PAGE = 25
REVISIONS_SHOWN = 50


def budget_url(program: Program) -> str:
    return reverse("programs:detail", args=[program.code]) + "?tab=budget"


def _writable(program: Program) -> bool:
    return program.status != Stage.CLOSED


def budget_tab_context(request: AuthenticatedHttpRequest, program: Program) -> dict:
    """The Budget tab: realisation per line and in total, the entries (a page of them) and the revisions.

    A fixed number of queries whatever the number of lines and entries.
    """
    user = request.user
    rows = ledger.line_realisation(program=program)
    lines = [row.line for row in rows if row.line is not None]
    can_record = ledger.may_record(user, program) and _writable(program)
    can_revise = ledger.may_revise(user, program) and _writable(program)
    entries = Paginator(ledger.spending_list(program=program), ENTRIES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return {
        "realisation": rows,
        "realisation_total": ledger.realisation_total(rows),
        "entries": entries,
        "page": entries,
        "revisions": list(ledger.revision_list(program=program)[:REVISIONS_SHOWN]),
        "can_record": can_record,
        "can_revise": can_revise,
        "sees_receipts": ledger.may_see_receipts(user, program),
        "ledger_closed": not _writable(program),
        "spending_form": SpendingForm(program=program, lines=lines, auto_id="id_spending_%s")
        if can_record
        else None,
        "warning_percent": ledger.WARNING_PERCENT,
    }


def _attach(form: forms.Form, exc: ValidationError, field_for_plain: str | None = None) -> None:
    """A service's refusal beside the field it concerns (a plain one beside ``field_for_plain``)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return
    code = getattr(exc, "code", None)
    form.add_error(field_for_plain if code == "budget_exceeded" else None, exc)


def _busy_message() -> str:
    return _("The ledger is busy with another entry on this line. Send the form again in a moment.")


def _program_for_writing(request: AuthenticatedHttpRequest, code: str) -> Program:
    program = get_program_or_404(request, code)
    if not ledger.may_record(request.user, program):
        raise PermissionDenied
    return program


@login_required
def spending_add(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Records a spending entry; refused past the line's plan, kept with a warning past 90 %."""
    program = _program_for_writing(request, code)
    lines = list(program.budget_lines.all())
    form = SpendingForm(request.POST or None, request.FILES or None, program=program, lines=lines)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = ledger.spending_record(
                program=program,
                budget_line=data["budget_line"],
                spent_on=data["spent_on"],
                amount=data["amount"],
                description=data["description"],
                paid_for=data.get("paid_for") or "",
                receipt=data.get("receipt"),
                by=request.user,
            )
        except ValidationError as exc:
            _attach(form, exc, "amount")
        except OperationalError:
            form.add_error(None, _busy_message())
        else:
            messages.success(
                request,
                _("The spending entry of %(amount)s on “%(line)s” was recorded.")
                % {"amount": rupiah(entry.amount), "line": entry.budget_line.name},
            )
            for warning in entry.warnings:  # type: ignore[attr-defined]
                messages.warning(request, warning)
            return redirect(budget_url(program))
    rows = ledger.line_realisation(program=program)
    return render(
        request,
        "programs/ledger_spending_form.html",
        {
            "program": program,
            "form": form,
            "realisation": rows,
            "realisation_total": ledger.realisation_total(rows),
        },
    )


def _entry(program: Program, pk: int) -> Spending:
    try:
        return ledger.spending_list(program=program).get(pk=pk)
    except Spending.DoesNotExist as exc:
        raise Http404 from exc


@login_required
def spending_cancel(request: AuthenticatedHttpRequest, code: str, pk: int) -> HttpResponse:
    """Cancels an entry recorded on this page, with a reason; it stays listed, crossed out."""
    program = _program_for_writing(request, code)
    entry = _entry(program, pk)
    if entry.source:
        # An app's record (a purchase, an honorarium) is corrected where it was recorded, which cancels it.
        messages.error(
            request,
            _("This entry was recorded by another part of the system: correct it where it was recorded."),
        )
        return redirect(budget_url(program))
    form = SpendingCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ledger.spending_cancel(spending=entry, reason=form.cleaned_data["reason"], by=request.user)
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("The entry was cancelled. It stays listed with the reason."))
            return redirect(budget_url(program))
    return render(request, "programs/ledger_cancel.html", {"program": program, "entry": entry, "form": form})


@login_required
def budget_revise(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """An administrator changes a line's plan, with the reason kept beside the old and new plan."""
    program = get_program_or_404(request, code)
    if not ledger.may_revise(request.user, program):
        raise PermissionDenied
    rows = ledger.line_realisation(program=program)
    lines = [row.line for row in rows if row.line is not None]
    initial = {}
    if (line_pk := request.GET.get("line", "")).isdigit():
        chosen = next((line for line in lines if line.pk == int(line_pk)), None)
        if chosen is not None:
            initial = {"budget_line": chosen.pk, "new_planned": chosen.planned}
    form = BudgetRevisionForm(request.POST or None, program=program, lines=lines, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            revision = ledger.budget_revise(
                budget_line=data["budget_line"],
                new_planned=data["new_planned"],
                reason=data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            _attach(form, exc)
        except OperationalError:
            form.add_error(None, _busy_message())
        else:
            messages.success(
                request,
                _("The plan of “%(line)s” is now %(new)s (it was %(old)s).")
                % {
                    "line": revision.line.name,
                    "new": rupiah(revision.new_planned),
                    "old": rupiah(revision.old_planned),
                },
            )
            return redirect(budget_url(program))
    return render(
        request,
        "programs/ledger_revision_form.html",
        {
            "program": program,
            "form": form,
            "realisation": rows,
            "realisation_total": ledger.realisation_total(rows),
            "revisions": list(ledger.revision_list(program=program)[:REVISIONS_SHOWN]),
        },
    )


@login_required
@require_GET
@never_cache
def spending_receipt(request: AuthenticatedHttpRequest, code: str, pk: int) -> FileResponse:
    """The receipt scan of an entry, to the programme's own office only (it never has a public URL)."""
    program = get_program_or_404(request, code)
    if not ledger.may_see_receipts(request.user, program):
        raise PermissionDenied
    entry = _entry(program, pk)
    if not entry.receipt:
        raise Http404
    try:
        source = entry.receipt.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    suffix = PurePath(entry.receipt.name).suffix.lower()
    content_type = mimetypes.types_map.get(suffix, "application/octet-stream")
    filename = f"{_('receipt')}-{program.code}-{entry.pk}{suffix}"
    response = FileResponse(source, as_attachment=False, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
