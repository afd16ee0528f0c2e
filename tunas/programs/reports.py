"""The programs app's reports: budget realisation per line, for the programmes the user may read.

Its PDF is a letter-style table: the printing office's letterhead (kop surat) and the signature of its head.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from tunas.accounts.letterhead import letterhead, nip_display, office_place
from tunas.core.scoping import office_q
from tunas.reports.generators import ReportGenerator
from tunas.reports.renderers import Column

from .ledger import percent_of
from .models import BudgetLine, Program


class BudgetRealisationReport(ReportGenerator):
    """Per programme and budget line: planned, spent, remaining and the realisation, with a total per
    programme. Cancelled entries do not count."""

    code = "budget_realisation"
    title = _("Budget realisation")
    description = _("Planned, spent and remaining per budget line, with the realisation in per cent.")
    order = 60
    # The percent column holds a share (0.934 is 93,4 %), as a spreadsheet's percent format reads it.
    formats = ("xlsx", "csv", "pdf")

    def is_available_to(self, user: Any) -> bool:
        return bool(user.is_authenticated and user.reads_jurisdiction)

    def _programs(self, user: Any):
        return Program.objects.filter(office_q(user))

    def filters(self, user: Any, data: Mapping[str, Any]) -> dict:
        found: dict = {}
        code = (data.get("program") or "").strip()
        if code and self._programs(user).filter(code=code).exists():
            found["program"] = code
        year = str(data.get("year") or "").strip()
        if year.isdigit():
            found["year"] = int(year)
        return found

    def columns(self, user: Any) -> list[Column]:
        return [
            Column("program", _("Programme"), width=18),
            Column("year", _("Fiscal year"), kind="year", width=10),
            Column("line", _("Budget line"), width=40),
            Column("planned", _("Planned"), kind="rupiah", width=18),
            Column("spent", _("Spent"), kind="rupiah", width=18),
            Column("remaining", _("Remaining"), kind="rupiah", width=18),
            Column("realisation", _("Realisation"), kind="percent", width=12),
        ]

    def _lines(self, user: Any, filters: dict):
        qs = BudgetLine.objects.filter(office_q(user, "program__office")).select_related("program")
        if code := filters.get("program"):
            qs = qs.filter(program__code=code)
        if year := filters.get("year"):
            qs = qs.filter(program__fiscal_year=year)
        return qs.annotate(
            spent_sum=Coalesce(Sum("spendings__amount", filter=Q(spendings__cancelled_at__isnull=True)), 0)
        ).order_by("-program__fiscal_year", "program__code", "position", "pk")

    @staticmethod
    def _row(program: Program, name: str, planned: int, spent: int) -> dict:
        pct = percent_of(spent, planned)
        return {
            "program": program.code,
            "year": program.fiscal_year,
            "line": name,
            "planned": planned,
            "spent": spent,
            "remaining": planned - spent,
            "realisation": None if pct is None else pct / Decimal(100),
        }

    def rows(self, user: Any, filters: dict) -> Iterable[dict]:
        """One row per line, then the programme's total row; one query."""
        current: Program | None = None
        planned = spent = 0
        for line in self._lines(user, filters):
            if current is not None and line.program_id != current.pk:
                yield self._row(current, str(_("Total")), planned, spent)
                planned = spent = 0
            current = line.program
            planned += line.planned
            spent += int(line.spent_sum)
            yield self._row(line.program, line.name, line.planned, int(line.spent_sum))
        if current is not None:
            yield self._row(current, str(_("Total")), planned, spent)

    def pdf_context(self, user: Any, filters: dict) -> dict:
        """The printing office's letterhead and head of office, and which programme and year are printed."""
        parts = []
        if code := filters.get("program"):
            parts.append(_("Programme %(code)s") % {"code": code})
        if year := filters.get("year"):
            parts.append(_("Fiscal year %(year)s") % {"year": year})
        context: dict = {"subtitle": " · ".join(str(p) for p in parts)}
        office = getattr(user, "office", None)
        if office is not None:
            context.update(
                letterhead=letterhead(office),
                place=office_place(office),
                signer={
                    "title": office.head_title or f"Kepala {office.name}",
                    "name": office.head_name,
                    "nip": nip_display(office.head_nip),
                },
            )
        return context

    def filename(self) -> str:
        return str(_("budget-realisation"))
