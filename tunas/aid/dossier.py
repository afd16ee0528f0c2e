"""The aid app's part of the programme dossier: per group, its handovers, cash transfers and accountability
reports (no personal number beyond the masked NIK the records print)."""

from __future__ import annotations

from tunas.programs.models import Program
from tunas.registry.models import Group

from .models import AccountabilityReport, CashTransfer, Handover, HandoverItem


def aid_dossier(program: Program) -> dict:
    """``{"groups": [{"name", "handovers": [...], "transfers": [...], "accountability": [...]}]}``: five
    queries whatever the size."""
    groups = list(Group.objects.filter(program=program).order_by("name").values("pk", "name"))
    items: dict[int, list[dict]] = {}
    for item in HandoverItem.objects.filter(handover__program=program).order_by("handover", "position", "pk"):
        items.setdefault(item.handover_id, []).append(
            {
                "name": item.name,
                "quantity": item.quantity,
                "unit": item.unit,
                "unit_price": item.unit_price,
                "serial": ", ".join(item.serials),
                "total": item.total,
            }
        )
    handovers: dict[int, list[dict]] = {}
    for h in Handover.objects.filter(program=program).order_by("handed_on", "pk"):
        rows = items.get(h.pk, [])
        handovers.setdefault(h.group_id, []).append(
            {
                "number": h.number,
                "date": h.handed_on.isoformat(),
                "place": h.place,
                "receiver": (h.parties or {}).get("receiver", {}).get("name", ""),
                "witnesses": [w.get("name", "") for w in (h.parties or {}).get("witnesses", [])],
                "signed": h.signed_at is not None,
                "items": [{k: v for k, v in r.items() if k != "total"} for r in rows],
                "total": sum(r["total"] for r in rows),
            }
        )
    transfers: dict[int, list[dict]] = {}
    for t in CashTransfer.objects.filter(program=program).order_by("transferred_on", "pk"):
        transfers.setdefault(t.group_id, []).append(
            {
                "date": t.transferred_on.isoformat(),
                "bank": t.bank,
                "account": t.account_masked,
                "amount": t.amount,
            }
        )
    reports: dict[int, list[dict]] = {}
    for r in (
        AccountabilityReport.objects.filter(transfer__program=program)
        .select_related("transfer")
        .prefetch_related("purchases")
        .order_by("due_on", "pk")
    ):
        spent = sum(p.amount for p in r.purchases.all())
        reports.setdefault(r.transfer.group_id, []).append(
            {
                "due": r.due_on.isoformat(),
                "status": r.status,
                "spent": spent,
                "returned": r.returned_amount,
                "remaining": r.transfer.amount - spent - r.returned_amount,
            }
        )
    return {
        "groups": [
            {
                "name": g["name"],
                "handovers": handovers.get(g["pk"], []),
                "transfers": transfers.get(g["pk"], []),
                "accountability": reports.get(g["pk"], []),
            }
            for g in groups
        ]
    }
