"""Reads of the aid app, always scoped to the user's jurisdiction; no list issues a query per row."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from tunas.core.scoping import office_q
from tunas.registry.models import Group, Membership, Verification
from tunas.registry.selectors import ROLE_ORDER, SELECTED_STATUSES, may_read_registry

from .models import (
    AccountabilityReport,
    Allocation,
    Asset,
    AssetCheck,
    CashTransfer,
    Condition,
    Handover,
    HandoverItem,
    HandoverPhoto,
    Purchase,
    ReportStatus,
)


def may_read_aid(user: Any) -> bool:
    """The staff who read a programme's groups read its aid (the records name the receivers)."""
    return may_read_registry(user)


def aid_scope_q(user: Any, program_field: str = "program") -> Q:
    """Rows whose programme belongs to an office inside the user's jurisdiction; nothing for other roles."""
    if not may_read_aid(user):
        return Q(pk__in=[])
    return office_q(user, f"{program_field}__office")


# The programme's aid tab -----------------------------------------------------------------------------------


def _sum_int(expression) -> Coalesce:
    return Coalesce(Sum(expression), Value(0), output_field=IntegerField())


def purchase_list(*, program) -> list[Purchase]:
    """The programme's purchases with how many units are allocated and handed over: one query."""
    allocated = (
        Allocation.objects.filter(purchase=OuterRef("pk"))
        .values("purchase")
        .annotate(n=Sum("quantity"))
        .values("n")
    )
    handed = (
        HandoverItem.objects.filter(allocation__purchase=OuterRef("pk"))
        .values("allocation__purchase")
        .annotate(n=Sum("quantity"))
        .values("n")
    )
    return list(
        Purchase.objects.filter(program=program)
        .select_related("budget_line")
        .annotate(
            allocated=Coalesce(Subquery(allocated, output_field=IntegerField()), 0),
            handed=Coalesce(Subquery(handed, output_field=IntegerField()), 0),
        )
        .order_by("purchased_on", "pk")
    )


def group_aid_rows(*, program) -> list[dict]:
    """Each selected group with the goods' value allocated, the handovers recorded and signed, and the cash
    transferred: four queries whatever the number of groups."""
    groups = list(
        Group.objects.filter(program=program, status__in=SELECTED_STATUSES)
        .select_related("village")
        .order_by("name")
    )
    value = {
        row["group"]: row["goods_value"]
        for row in Allocation.objects.filter(group__program=program)
        .values("group")
        .annotate(goods_value=_sum_int(F("quantity") * F("purchase__unit_price")))
    }
    handovers: dict[int, list[Handover]] = {}
    for h in Handover.objects.filter(program=program).order_by("handed_on", "pk"):
        handovers.setdefault(h.group_id, []).append(h)
    cash = {
        row["group"]: row["amount"]
        for row in CashTransfer.objects.filter(program=program).values("group").annotate(amount=Sum("amount"))
    }
    rows = []
    for g in groups:
        own = handovers.get(g.pk, [])
        allocated = int(value.get(g.pk, 0))
        rows.append(
            {
                "group": g,
                "allocated": allocated,
                "over": bool(program.aid_per_group and allocated > program.aid_per_group),
                "handovers": own,
                "signed": sum(1 for h in own if h.is_signed),
                "cash": int(cash.get(g.pk, 0)),
            }
        )
    return rows


def program_aid_totals(*, program) -> dict:
    """What was bought, allocated and handed over in the programme, in Rupiah."""
    bought = Purchase.objects.filter(program=program).aggregate(v=_sum_int(F("quantity") * F("unit_price")))[
        "v"
    ]
    allocated = Allocation.objects.filter(purchase__program=program).aggregate(
        v=_sum_int(F("quantity") * F("purchase__unit_price"))
    )["v"]
    handed = HandoverItem.objects.filter(handover__program=program).aggregate(
        v=_sum_int(F("quantity") * F("unit_price"))
    )["v"]
    cash = CashTransfer.objects.filter(program=program).aggregate(v=_sum_int("amount"))["v"]
    return {"bought": bought, "allocated": allocated, "handed": handed, "cash": cash}


def transfer_list(*, program) -> list[CashTransfer]:
    return list(
        CashTransfer.objects.filter(program=program)
        .select_related("group", "report", "budget_line")
        .order_by("transferred_on", "pk")
    )


# One record -------------------------------------------------------------------------------------------------


def purchase_get_visible(*, user, pk: int) -> Purchase:
    return (
        Purchase.objects.filter(aid_scope_q(user)).select_related("program__office", "budget_line").get(pk=pk)
    )


def allocation_get_visible(*, user, pk: int) -> Allocation:
    return (
        Allocation.objects.filter(aid_scope_q(user, "purchase__program"))
        .select_related("purchase__program__office", "group")
        .get(pk=pk)
    )


def handover_get_visible(*, user, pk: int) -> Handover:
    return (
        Handover.objects.filter(aid_scope_q(user))
        .select_related(
            "program__office", "group__village__district", "group__hamlet", "receiver", "signed_by"
        )
        .get(pk=pk)
    )


def photo_get_visible(*, user, pk: int) -> HandoverPhoto:
    return (
        HandoverPhoto.objects.filter(aid_scope_q(user, "handover__program"))
        .select_related("handover")
        .get(pk=pk)
    )


def asset_get_visible(*, user, pk: int) -> Asset:
    return (
        Asset.objects.filter(aid_scope_q(user, "group__program"))
        .select_related("group__program__office", "handover_item__handover")
        .get(pk=pk)
    )


def transfer_get_visible(*, user, pk: int) -> CashTransfer:
    return (
        CashTransfer.objects.filter(aid_scope_q(user))
        .select_related("program__office", "group__village__district", "group__hamlet", "budget_line")
        .get(pk=pk)
    )


def report_get_visible(*, user, pk: int) -> AccountabilityReport:
    return (
        AccountabilityReport.objects.filter(aid_scope_q(user, "transfer__program"))
        .select_related(
            "transfer__program__office", "transfer__group__village__district", "transfer__group__hamlet"
        )
        .get(pk=pk)
    )


def group_get_visible(*, user, pk: int) -> Group:
    return (
        Group.objects.filter(aid_scope_q(user))
        .select_related("program__office", "village__district", "hamlet")
        .get(pk=pk)
    )


def approved_members(*, group) -> list[Membership]:
    """The group's verified members, chair first: who may receive and witness."""
    return list(
        Membership.objects.filter(group=group, verification=Verification.APPROVED)
        .select_related("person")
        .order_by(ROLE_ORDER, "person__full_name")
    )


def open_allocations(*, group, handover: Handover | None = None) -> list[Allocation]:
    """The group's allocations with the units still to hand over (those on ``handover`` count as open)."""
    handed = HandoverItem.objects.filter(allocation=OuterRef("pk"))
    if handover is not None and handover.pk:
        handed = handed.exclude(handover=handover)
    handed_sum = handed.values("allocation").annotate(n=Sum("quantity")).values("n")
    rows: list[Allocation] = list(
        Allocation.objects.filter(group=group)
        .select_related("purchase")
        .annotate(handed=Coalesce(Subquery(handed_sum, output_field=IntegerField()), 0))
        .order_by("purchase__purchased_on", "pk")
    )
    for a in rows:
        a.left = a.quantity - a.handed  # type: ignore[attr-defined]
    return rows


def group_assets(*, group) -> list[Asset]:
    """The group's asset register with the number of checks on each: one query."""
    return list(
        Asset.objects.filter(group=group)
        .select_related("handover_item__handover")
        .annotate(check_count=Count("checks"))
        .order_by("received_on", "name", "serial", "pk")
    )


def visit_check_context(group) -> dict | None:
    """The group's items for the mentor to check on a visit, or None when it holds none: one query."""
    assets = list(Asset.objects.filter(group=group).order_by("name", "serial", "pk")[:100])
    if not assets:
        return None
    return {"assets": assets, "conditions": Condition.choices}


def visit_checks_recorded(visit_id) -> list[AssetCheck]:
    """The condition checks made on one visit, with their items: one query."""
    found = AssetCheck.objects.filter(visit_id=visit_id).select_related("asset")
    return list(found.order_by("asset__name", "pk"))


# Home cards -------------------------------------------------------------------------------------------------


def handovers_to_sign(*, user) -> QuerySet[Handover]:
    """Handover records printed but not yet returned signed."""
    return Handover.objects.filter(aid_scope_q(user), signed_at__isnull=True)


def reports_overdue(*, user, today: dt.date | None = None) -> QuerySet[AccountabilityReport]:
    """Accountability reports past their due date and not submitted."""
    today = today or timezone.localdate()
    return (
        AccountabilityReport.objects.filter(aid_scope_q(user, "transfer__program"))
        .filter(due_on__lt=today)
        .exclude(status=ReportStatus.SUBMITTED)
        .select_related("transfer__group", "transfer__program")
        .order_by("due_on", "pk")
    )


def groups_without_signed_handover(*, program) -> list[str]:
    """Names of the programme's selected groups that have no signed handover yet."""
    signed = Handover.objects.filter(program=program, signed_at__isnull=False).values("group")
    return list(
        Group.objects.filter(program=program, status__in=SELECTED_STATUSES)
        .exclude(pk__in=signed)
        .order_by("name")
        .values_list("name", flat=True)
    )


def aid_dates_by_group(*, group_ids) -> dict[int, dt.date]:
    """The day each group actually received its aid: its first signed handover, or its first cash transfer.

    For the registry's double-aid rule (``recent_aid``): aid received means a handover took place, dated by
    the handover itself rather than by the programme's planned aid date. One query per kind of aid.
    """
    from django.db.models import Min

    found: dict[int, dt.date] = {}
    for row in (
        Handover.objects.filter(group_id__in=group_ids, signed_at__isnull=False)
        .values("group_id")
        .annotate(first=Min("handed_on"))
    ):
        found[row["group_id"]] = row["first"]
    for row in (
        CashTransfer.objects.filter(group_id__in=group_ids)
        .values("group_id")
        .annotate(first=Min("transferred_on"))
    ):
        day = row["first"]
        found[row["group_id"]] = min(found.get(row["group_id"], day), day)
    return found
