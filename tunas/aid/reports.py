"""The aid app's report: aid distribution per group and item (goods handed over, cash transferred)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from tunas.core.scoping import office_q
from tunas.programs.models import Program
from tunas.reports.generators import ReportGenerator
from tunas.reports.renderers import Column

from .models import CashTransfer, HandoverItem
from .selectors import aid_scope_q, may_read_aid


class AidDistributionReport(ReportGenerator):
    code = "aid_distribution"
    title = _lazy("Aid distribution")
    description = _lazy(
        "Per group and item: what was handed over (quantity, serial numbers, value, handover record) and the "
        "cash transferred."
    )
    order = 60

    def is_available_to(self, user: Any) -> bool:
        return may_read_aid(user)

    def filters(self, user: Any, data: Mapping[str, Any]) -> dict:
        code = (data.get("program") or "").strip() if hasattr(data, "get") else ""
        if code and not (may_read_aid(user) and Program.objects.filter(office_q(user), code=code).exists()):
            code = ""
        return {"program": code}

    def columns(self, user: Any) -> list[Column]:
        return [
            Column("program", _lazy("Programme"), width=16),
            Column("group", _lazy("Group"), width=28),
            Column("village", _lazy("Village"), width=20),
            Column("kind", _lazy("Aid"), width=10),
            Column("item", _lazy("Item"), width=32),
            Column("quantity", _lazy("Quantity"), "int"),
            Column("unit", _lazy("Unit"), width=10),
            Column("unit_price", _lazy("Unit price"), "rupiah", width=16),
            Column("value", _lazy("Value"), "rupiah", width=16),
            Column("serials", _lazy("Serial numbers"), width=24),
            Column("date", _lazy("Date"), "date"),
            Column("record", _lazy("Handover record"), width=30),
            Column("signed", _lazy("Signed"), width=8),
        ]

    def rows(self, user: Any, filters: dict) -> Iterable[dict]:
        items = (
            HandoverItem.objects.filter(aid_scope_q(user, "handover__program"))
            .select_related("handover__program", "handover__group__village")
            .order_by(
                "handover__program__code", "handover__group__name", "handover__handed_on", "position", "pk"
            )
        )
        transfers = (
            CashTransfer.objects.filter(aid_scope_q(user))
            .select_related("program", "group__village")
            .order_by("program__code", "group__name", "transferred_on", "pk")
        )
        if filters.get("program"):
            items = items.filter(handover__program__code=filters["program"])
            transfers = transfers.filter(program__code=filters["program"])
        goods, cash = str(_("Goods")), str(_("Money"))
        yes, no = str(_("Yes")), str(_("No"))
        for item in items.iterator(chunk_size=2000):
            h = item.handover
            yield {
                "program": h.program.code,
                "group": h.group.name,
                "village": h.group.village.name,
                "kind": goods,
                "item": item.name,
                "quantity": item.quantity,
                "unit": item.unit,
                "unit_price": item.unit_price,
                "value": item.total,
                "serials": ", ".join(item.serials),
                "date": h.handed_on,
                "record": h.number,
                "signed": yes if h.signed_at else no,
            }
        for t in transfers.iterator(chunk_size=2000):
            yield {
                "program": t.program.code,
                "group": t.group.name,
                "village": t.group.village.name,
                "kind": cash,
                "item": f"{t.bank} {t.account_masked}",
                "quantity": 1,
                "unit": "",
                "unit_price": t.amount,
                "value": t.amount,
                "serials": "",
                "date": t.transferred_on,
                "record": "",
                "signed": "",
            }

    def filename(self) -> str:
        return str(_("aid-distribution"))
