"""Writes of the aid app: purchases (each a spending entry of the ledger), allocations, handover records and
their signing, asset checks, cash transfers and accountability reports. Views and the demo call these.

Every problem is raised as a ValidationError beside the field it concerns, with a stable code.
"""

from __future__ import annotations

import datetime as dt
import string
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from tunas.accounts.models import DOCUMENT_NUMBER_PLACEHOLDERS, Office
from tunas.core.concurrency import save_versioned
from tunas.core.errors import ConflictError, message_for
from tunas.core.formatting import rupiah
from tunas.core.nik import mask_nik
from tunas.programs import ledger
from tunas.programs.models import BudgetLine, DocumentCounter, Program, Stage
from tunas.programs.numbering import document_number_format
from tunas.registry.models import Group, GroupStatus, Membership, Verification
from tunas.registry.selectors import SELECTED_STATUSES
from tunas.registry.services import group_progress_to, history_reason

from . import errors as _errors  # noqa: F401 - registers the codes
from . import files
from .models import (
    DEFAULT_HANDOVER_NUMBER_PATTERN,
    AccountabilityReport,
    AidSettings,
    Allocation,
    Asset,
    AssetCheck,
    CashTransfer,
    Condition,
    Handover,
    HandoverItem,
    HandoverPhoto,
    Purchase,
    ReportPurchase,
    ReportStatus,
)

# An accountability report is due this many days after the money arrives (the ministry's guideline).
REPORT_DUE_DAYS = 30


def _error(field_name: str | None, code: str, message: str | None = None) -> ValidationError:
    error = ValidationError(message or message_for(code), code=code)
    return ValidationError({field_name: error}) if field_name else error


def _require_writer(program: Program, by: Any) -> None:
    if not ledger.may_record(by, program):
        raise PermissionDenied(_("Only an officer or administrator of the programme's office may do this."))
    if program.status == Stage.CLOSED:
        raise _error(None, "aid_closed")


def _positive(value: Any, field_name: str, code: str = "aid_quantity_invalid") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise _error(field_name, code)
    return value


def _clean(text: str) -> str:
    return " ".join((text or "").split())


def _not_future(day: dt.date, field_name: str) -> None:
    if day > timezone.localdate():
        raise _error(field_name, "aid_date_future")


# The office's numbering of handover records -----------------------------------------------------------------


def handover_number_pattern(office: Office) -> str:
    found = (
        AidSettings.objects.filter(office=office).values_list("handover_number_pattern", flat=True).first()
    )
    return found or DEFAULT_HANDOVER_NUMBER_PATTERN


def number_pattern_problems(pattern: str) -> bool:
    """Whether the pattern is unusable: it must hold ``{seq}`` and only the known placeholders."""
    try:
        names = [name for _t, name, _s, _c in string.Formatter().parse(pattern) if name is not None]
    except ValueError:
        return True
    return "seq" not in names or any(name not in DOCUMENT_NUMBER_PLACEHOLDERS for name in names)


@transaction.atomic
def aid_settings_save(*, office: Office, handover_number_pattern: str, by: Any) -> AidSettings:
    """An administrator of the office sets how its handover records are numbered."""
    if not (by.is_superuser or (by.has_role("admin") and by.office_id == office.pk)):
        raise PermissionDenied
    pattern = handover_number_pattern.strip()
    if number_pattern_problems(pattern):
        raise _error("handover_number_pattern", "number_pattern_invalid")
    row, _created = AidSettings.objects.get_or_create(office=office)
    row.handover_number_pattern = pattern
    row.full_clean()
    row.save()
    return row


def _draw_number(*, program: Program, day: dt.date) -> tuple[int, str]:
    """The office's next running number of ``day``'s year (the row is locked while it is drawn): the same
    counter as the office's other documents, so that its letters never share a number."""
    office = program.office
    counter, _created = DocumentCounter.objects.select_for_update().get_or_create(
        office=office, year=day.year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    number = document_number_format(
        pattern=handover_number_pattern(office),
        sequence=counter.last,
        office_code=office.document_code,
        day=day,
        program_code=program.code,
    )
    return counter.last, number


# Goods ------------------------------------------------------------------------------------------------------


@transaction.atomic
def purchase_record(
    *,
    program: Program,
    budget_line: BudgetLine,
    name: str,
    unit: str,
    quantity: int,
    unit_price: int,
    supplier: str,
    purchased_on: dt.date,
    specification: str = "",
    receipt=None,
    by: Any,
) -> Purchase:
    """Records goods bought for the programme and their spending entry on the line (the ledger refuses a
    line past its plan). The purchase carries the ledger's ``warnings``."""
    _require_writer(program, by)
    quantity = _positive(quantity, "quantity")
    unit_price = _positive(unit_price, "unit_price", "amount_invalid")
    if budget_line.program_id != program.pk:
        raise _error("budget_line", "budget_line_foreign")
    _not_future(purchased_on, "purchased_on")
    purchase = Purchase(
        program=program,
        budget_line=budget_line,
        name=_clean(name),
        specification=_clean(specification),
        unit=_clean(unit),
        quantity=quantity,
        unit_price=unit_price,
        supplier=_clean(supplier),
        purchased_on=purchased_on,
        created_by=by,
    )
    purchase.full_clean(exclude=["spending"])
    purchase._history_user = by  # type: ignore[attr-defined]
    purchase.save()
    spending = ledger.spending_record(
        program=program,
        budget_line=budget_line,
        spent_on=purchased_on,
        amount=purchase.total,
        description=f"{purchase.name} ({quantity} {purchase.unit} × {rupiah(unit_price)})",
        paid_for=_("Aid goods from %(supplier)s") % {"supplier": purchase.supplier},
        source=f"aid.purchase:{purchase.pk}",
        receipt=receipt,
        by=by,
    )
    purchase.spending = spending
    purchase._change_reason = history_reason(_("Purchase recorded"))  # type: ignore[attr-defined]
    purchase.save(update_fields=["spending"])
    purchase.warnings = list(getattr(spending, "warnings", []))  # type: ignore[attr-defined]
    return purchase


def group_allocated_value(*, group: Group, exclude: Allocation | None = None) -> int:
    """What the goods allocated to a group are worth, in Rupiah."""
    qs = Allocation.objects.filter(group=group).select_related("purchase")
    if exclude is not None and exclude.pk:
        qs = qs.exclude(pk=exclude.pk)
    return sum(a.quantity * a.purchase.unit_price for a in qs)


def _handed_quantity(allocation: Allocation, *, exclude_handover: Handover | None = None) -> int:
    qs = HandoverItem.objects.filter(allocation=allocation)
    if exclude_handover is not None and exclude_handover.pk:
        qs = qs.exclude(handover=exclude_handover)
    return int(qs.aggregate(n=Coalesce(Sum("quantity"), 0))["n"])


@transaction.atomic
def allocation_save(
    *, purchase: Purchase, group: Group, quantity: int, by: Any, expected_version: int | None = None
) -> Allocation:
    """Allocates units of a purchase to a selected group of its programme (one row per purchase and group).

    Never more units than were bought; never fewer than already handed over. Past the programme's aid per
    group the allocation is kept, with a warning that gives the group's sum (``allocation.warnings``).
    """
    program = purchase.program
    _require_writer(program, by)
    quantity = _positive(quantity, "quantity")
    if group.program_id != program.pk:
        raise _error("group", "group_foreign")
    if group.status not in SELECTED_STATUSES:
        raise _error("group", "aid_group_not_selected")
    # The purchase's row is held while its units are counted: two allocations at once take turns.
    purchase = Purchase.objects.select_for_update().get(pk=purchase.pk)
    allocation = Allocation.objects.filter(purchase=purchase, group=group).first()
    if allocation is None:
        allocation = Allocation(purchase=purchase, group=group, quantity=quantity, created_by=by)
    elif expected_version is not None and allocation.version != expected_version:
        raise ConflictError()
    others = (
        Allocation.objects.filter(purchase=purchase)
        .exclude(pk=allocation.pk)
        .aggregate(n=Coalesce(Sum("quantity"), 0))["n"]
    )
    if others + quantity > purchase.quantity:
        left = purchase.quantity - others
        raise _error(
            "quantity",
            "quantity_over_purchase",
            _(
                "Only %(left)s %(unit)s of “%(item)s” are still unallocated (%(bought)s bought). "
                "Lower the quantity."
            )
            % {"left": left, "unit": purchase.unit, "item": purchase.name, "bought": purchase.quantity},
        )
    handed = _handed_quantity(allocation) if allocation.pk else 0
    if quantity < handed:
        raise _error(
            "quantity",
            "quantity_below_handed",
            _("%(n)s %(unit)s have already been handed over to the group; enter at least that many.")
            % {"n": handed, "unit": purchase.unit},
        )
    allocation.quantity = quantity
    allocation.full_clean()
    allocation._history_user = by  # type: ignore[attr-defined]
    allocation._change_reason = history_reason(_("Allocation saved"))  # type: ignore[attr-defined]
    save_versioned(allocation, expected_version=allocation.version if allocation.pk else None)
    allocation.warnings = _allocation_warnings(group, program)  # type: ignore[attr-defined]
    return allocation


def _allocation_warnings(group: Group, program: Program) -> list[str]:
    total = group_allocated_value(group=group)
    if program.aid_per_group and total > program.aid_per_group:
        return [
            _(
                "%(group)s would now receive goods worth %(sum)s, past the programme's aid per group of "
                "%(limit)s (%(over)s over)."
            )
            % {
                "group": group.name,
                "sum": rupiah(total),
                "limit": rupiah(program.aid_per_group),
                "over": rupiah(total - program.aid_per_group),
            }
        ]
    return []


@transaction.atomic
def allocation_delete(*, allocation: Allocation, by: Any) -> None:
    """Takes back an allocation nothing was handed over from yet."""
    _require_writer(allocation.purchase.program, by)
    if _handed_quantity(allocation):
        raise _error("quantity", "quantity_below_handed")
    allocation.delete()


# The handover -----------------------------------------------------------------------------------------------


@dataclass
class ItemData:
    allocation: Allocation
    quantity: int
    serials: list[str] = field(default_factory=list)


def parse_serials(text: str) -> list[str]:
    """Serial numbers typed one per line or separated by commas."""
    parts = [p.strip() for chunk in (text or "").splitlines() for p in chunk.split(",")]
    return [p for p in parts if p]


def _member_snapshot(m: Membership) -> dict:
    """A member as the record prints them, kept as they are today."""
    village = m.village
    where = ", ".join(
        part
        for part in [
            str(m.hamlet) if m.hamlet_id else "",
            f"{'Kelurahan' if getattr(village, 'kind', '') == 'kelurahan' else 'Desa'} {village.name}",
        ]
        if part
    )
    return {
        "membership": m.pk,
        "name": m.person.full_name,
        "nik": mask_nik(m.person.nik),
        "role": m.role,
        "role_label": str(m.get_role_display()),
        "address": where,
    }


def _parties(*, group: Group, receiver: Membership, witnesses: Sequence[Membership], official: dict) -> dict:
    return {
        "official": official,
        "receiver": _member_snapshot(receiver),
        "witnesses": [_member_snapshot(w) for w in witnesses],
        "group": {
            "name": group.name,
            "business": str(group.get_business_type_display()),
            "description": group.business_description,
            "hamlet": str(group.hamlet) if group.hamlet_id else "",
            "village": group.village.name,
            "village_kind": getattr(group.village, "kind", ""),
            "district": group.village.district.name,
        },
        "recorded_at": timezone.now().isoformat(),
    }


def _check_people(group: Group, receiver: Membership | None, witnesses: Sequence[Membership]) -> None:
    problems: dict[str, list[ValidationError]] = {}
    if receiver is None or receiver.group_id != group.pk or receiver.verification != Verification.APPROVED:
        problems["receiver"] = [
            ValidationError(message_for("receiver_not_member"), code="receiver_not_member")
        ]
    if not witnesses:
        problems["witnesses"] = [ValidationError(message_for("witness_required"), code="witness_required")]
    elif any(
        w.group_id != group.pk
        or w.verification != Verification.APPROVED
        or (receiver and w.pk == receiver.pk)
        for w in witnesses
    ):
        problems["witnesses"] = [
            ValidationError(message_for("witness_not_member"), code="witness_not_member")
        ]
    if problems:
        raise ValidationError(problems)


def _check_items(
    *, group: Group, items: Sequence[ItemData], handed_on: dt.date, handover: Handover | None
) -> list[tuple[ItemData, Allocation]]:
    """Each line against its allocation, under the allocations' locks: two officers handing over the same
    units at once take turns, and the second is refused what the first took."""
    if not items:
        raise _error("items", "handover_empty")
    locked = {
        a.pk: a
        for a in Allocation.objects.select_for_update()
        .filter(pk__in=[i.allocation.pk for i in items])
        .select_related("purchase")
    }
    checked = []
    seen: set[int] = set()
    for item in items:
        allocation = locked.get(item.allocation.pk)
        if allocation is None or allocation.group_id != group.pk or allocation.pk in seen:
            raise _error("items", "value_invalid")
        seen.add(allocation.pk)
        quantity = _positive(item.quantity, "items")
        left = allocation.quantity - _handed_quantity(allocation, exclude_handover=handover)
        if quantity > left:
            raise _error(
                "items",
                "quantity_over_allocation",
                _(
                    "“%(item)s”: %(n)s %(unit)s to hand over, but only %(left)s of the %(allocated)s "
                    "allocated to the group are left. Lower the quantity or allocate more."
                )
                % {
                    "item": allocation.purchase.name,
                    "n": quantity,
                    "unit": allocation.purchase.unit,
                    "left": left,
                    "allocated": allocation.quantity,
                },
            )
        serials = [s.strip() for s in item.serials if s.strip()]
        if len(serials) > quantity:
            raise _error("items", "serials_too_many")
        if len(set(serials)) != len(serials):
            raise _error("items", "serials_repeated")
        if handed_on < allocation.purchase.purchased_on:
            raise _error(
                "handed_on",
                "handover_before_purchase",
                _("The handover is dated before “%(item)s” was bought (%(day)s). Check the dates.")
                % {
                    "item": allocation.purchase.name,
                    "day": allocation.purchase.purchased_on.strftime("%d-%m-%Y"),
                },
            )
        item.serials = serials
        checked.append((item, allocation))
    return checked


def _check_date(program: Program, handed_on: dt.date, date_reason: str) -> None:
    _not_future(handed_on, "handed_on")
    if handed_on.year != program.fiscal_year and not date_reason:
        raise _error("date_reason", "handover_outside_year")


@transaction.atomic
def handover_save(
    *,
    group: Group,
    handed_on: dt.date,
    place: str,
    official_name: str,
    official_position: str,
    receiver: Membership | None,
    witnesses: Sequence[Membership],
    items: Sequence[ItemData],
    official_nip: str = "",
    date_reason: str = "",
    handover: Handover | None = None,
    expected_version: int | None = None,
    by: Any,
) -> Handover:
    """Records (or, before it is signed, corrects) the handover of allocated goods to a selected group.

    The record gets its number from the office's pattern when first saved. Its parties are stored as they
    are now; after the signed scan is uploaded nothing changes.
    """
    program = group.program
    _require_writer(program, by)
    if group.status not in SELECTED_STATUSES:
        raise _error("group", "aid_group_not_selected")
    if handover is not None:
        current = Handover.objects.select_for_update().get(pk=handover.pk)
        if current.is_signed:
            raise _error(None, "handover_signed")
        if expected_version is not None and current.version != expected_version:
            raise ConflictError()
        handover = current
    date_reason = _clean(date_reason)
    _check_date(program, handed_on, date_reason)
    _check_people(group, receiver, witnesses)
    assert receiver is not None
    checked = _check_items(group=group, items=items, handed_on=handed_on, handover=handover)
    official = {
        "name": _clean(official_name),
        "nip": _clean(official_nip).replace(" ", ""),
        "position": _clean(official_position),
    }
    members = (
        Membership.objects.filter(pk__in=[receiver.pk, *[w.pk for w in witnesses]])
        .select_related("person", "village", "hamlet")
        .in_bulk()
    )
    parties = _parties(
        group=Group.objects.select_related("village__district", "hamlet").get(pk=group.pk),
        receiver=members[receiver.pk],
        witnesses=[members[w.pk] for w in witnesses],
        official=official,
    )
    if handover is None:
        sequence, number = _draw_number(program=program, day=handed_on)
        handover = Handover(
            program=program,
            group=group,
            office=program.office,
            year=handed_on.year,
            sequence=sequence,
            number=number,
            created_by=by,
        )
    handover.handed_on = handed_on
    handover.place = _clean(place)
    handover.date_reason = date_reason
    handover.official_name = official["name"]
    handover.official_nip = official["nip"]
    handover.official_position = official["position"]
    handover.receiver = receiver
    handover.parties = parties
    handover.full_clean(exclude=["signed_scan"])
    handover._history_user = by  # type: ignore[attr-defined]
    handover._change_reason = history_reason(_("Handover record saved"))  # type: ignore[attr-defined]
    try:
        save_versioned(handover, expected_version=handover.version if handover.pk else None)
    except IntegrityError as exc:  # the number's uniqueness: another office document took it meanwhile
        raise ConflictError() from exc
    handover.witnesses.set([w.pk for w in witnesses])
    handover.items.all().delete()
    HandoverItem.objects.bulk_create(
        [
            HandoverItem(
                handover=handover,
                allocation=allocation,
                quantity=item.quantity,
                serials=item.serials,
                name=allocation.purchase.name,
                specification=allocation.purchase.specification,
                unit=allocation.purchase.unit,
                unit_price=allocation.purchase.unit_price,
                position=i,
            )
            for i, (item, allocation) in enumerate(checked)
        ]
    )
    return handover


@transaction.atomic
def handover_photo_add(*, handover: Handover, upload, caption: str = "", by: Any) -> HandoverPhoto:
    """Adds a photo of the handover (cleaned: upright, no EXIF, resized); none once the record is signed."""
    _require_writer(handover.program, by)
    if Handover.objects.filter(pk=handover.pk, signed_at__isnull=False).exists():
        raise _error(None, "handover_signed")
    try:
        content = files.clean_image(upload)
    except ValidationError as exc:
        raise ValidationError({"image": exc}) from exc
    photo = HandoverPhoto(handover=handover, caption=_clean(caption), uploaded_by=by)
    photo.image.save(content.name or "photo.jpg", content, save=False)
    photo.full_clean()
    photo.save()
    return photo


@transaction.atomic
def handover_photo_delete(*, photo: HandoverPhoto, by: Any) -> None:
    _require_writer(photo.handover.program, by)
    if Handover.objects.filter(pk=photo.handover_id, signed_at__isnull=False).exists():
        raise _error(None, "handover_signed")
    photo.image.delete(save=False)
    photo.delete()


@transaction.atomic
def handover_sign(*, handover: Handover, scan, expected_version: int | None, by: Any) -> Handover:
    """Stores the signed scan: the record is locked, its goods enter the group's asset register and the
    group moves on to equipped."""
    _require_writer(handover.program, by)
    current = Handover.objects.select_for_update().get(pk=handover.pk)
    if current.is_signed:
        raise _error(None, "handover_signed")
    if expected_version is not None and current.version != expected_version:
        raise ConflictError()
    try:
        content = files.clean_scan(scan)
    except ValidationError as exc:
        raise ValidationError({"scan": exc}) from exc
    current.signed_scan.save(content.name or "scan.pdf", content, save=False)
    current.signed_at = timezone.now()
    current.signed_by = by
    current._history_user = by  # type: ignore[attr-defined]
    current._change_reason = history_reason(_("Signed handover record uploaded"))  # type: ignore[attr-defined]
    save_versioned(current, expected_version=current.version)
    assets = []
    for item in current.items.all():
        if item.serials:
            assets += [
                Asset(
                    group_id=current.group_id,
                    handover_item=item,
                    name=item.name,
                    serial=s,
                    quantity=1,
                    received_on=current.handed_on,
                )
                for s in item.serials
            ]
            rest = item.quantity - len(item.serials)
        else:
            rest = item.quantity
        if rest:
            assets.append(
                Asset(
                    group_id=current.group_id,
                    handover_item=item,
                    name=item.name,
                    quantity=rest,
                    received_on=current.handed_on,
                )
            )
    Asset.objects.bulk_create(assets)
    group = Group.objects.get(pk=current.group_id)
    if group.status in SELECTED_STATUSES:
        group_progress_to(
            group=group,
            status=GroupStatus.EQUIPPED,
            by=by,
            reason=_("Handover %(number)s signed") % {"number": current.number},
        )
    return current


# The asset register ---------------------------------------------------------------------------------------


def may_check_assets(user: Any, group: Group) -> bool:
    """Officers of the programme's office record condition checks on the asset's page; a group's mentor
    records them during a visit (``visit_checks_record``, through the registry's visit checks)."""
    return ledger.may_record(user, group.program)


@transaction.atomic
def asset_check_record(
    *, asset: Asset, checked_on: dt.date, condition: str, note: str = "", photo=None, by: Any
) -> AssetCheck:
    """Records an asset's condition on a day; the register shows the latest check."""
    group = asset.group
    if not may_check_assets(by, group):
        raise PermissionDenied
    if condition not in Condition.values:
        raise _error("condition", "value_invalid")
    _not_future(checked_on, "checked_on")
    if checked_on < asset.received_on:
        raise _error("checked_on", "date_before_receipt")
    image = None
    if photo:
        try:
            image = files.clean_image(photo)
        except ValidationError as exc:
            raise ValidationError({"photo": exc}) from exc
    return _check_save(asset, checked_on, condition, _clean(note), by, photo=image)


def _check_save(
    asset: Asset,
    checked_on: dt.date,
    condition: str,
    note: str,
    by: Any,
    *,
    photo=None,
    visit_id: uuid.UUID | None = None,
) -> AssetCheck:
    """Stores a checked condition and moves the register's latest condition if this check is not older."""
    check = AssetCheck(
        asset=asset, checked_on=checked_on, condition=condition, note=note, checked_by=by, visit_id=visit_id
    )
    if photo is not None:
        check.photo.save(photo.name or "photo.jpg", photo, save=False)
    check.full_clean()
    check._history_user = by  # type: ignore[attr-defined]
    check.save()
    locked = Asset.objects.select_for_update().get(pk=asset.pk)
    if locked.checked_on is None or checked_on >= locked.checked_on:
        locked.condition = condition
        locked.checked_on = checked_on
        locked.save(update_fields=["condition", "checked_on", "updated_at"])
    return check


# Condition checks made during a mentor's visit (the registry's visit_checks hook) ---------------------------

VISIT_CHECK_KEY = "aid_assets"
VISIT_CHECKS_MAX = 100  # items read from one visit; a group holds a few dozen at most


@dataclass(frozen=True)
class VisitAssetCheck:
    asset: Asset
    condition: str
    note: str


def visit_checks_clean(group: Group, items: Any, on: dt.date) -> list[VisitAssetCheck]:
    """The conditions a mentor noted for the group's items on a visit, each item at most once. Items left
    blank are skipped; an item of another group, a missing condition or a day before the item arrived is
    refused beside that item (``checks.aid_assets.<asset id>``)."""
    if not items:
        return []
    field_all = f"checks.{VISIT_CHECK_KEY}"
    if not isinstance(items, list) or len(items) > VISIT_CHECKS_MAX:
        raise _error(field_all, "value_invalid")
    assets = {asset.pk: asset for asset in Asset.objects.filter(group=group)}
    errors: dict[str, list[ValidationError]] = {}
    cleaned: dict[int, VisitAssetCheck] = {}
    for item in items:
        if not isinstance(item, dict):
            raise _error(field_all, "value_invalid")
        try:
            asset = assets.get(int(item.get("id")))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            asset = None
        condition = str(item.get("condition") or "").strip()
        note = _clean(str(item.get("note") or ""))[:500]
        if asset is None:
            errors[field_all] = [ValidationError(message_for("asset_foreign"), code="asset_foreign")]
            continue
        field_name = f"{field_all}.{asset.pk}"
        if not condition and not note:
            continue
        code = "condition_required" if condition not in Condition.values else ""
        code = code or ("date_before_receipt" if on < asset.received_on else "")
        if code:
            errors[field_name] = [ValidationError(message_for(code), code=code)]
        else:
            cleaned[asset.pk] = VisitAssetCheck(asset, condition, note)
    if errors:
        raise ValidationError(errors)
    return list(cleaned.values())


def visit_checks_record(
    group: Group, cleaned: list[VisitAssetCheck], on: dt.date, by: Any, visit_id: uuid.UUID
) -> None:
    """Stores the checks of one visit. The visit's service has checked that ``by`` is the group's mentor
    and may write; the visit's UUID keeps them once per visit (a resend is answered before this runs)."""
    for item in cleaned:
        _check_save(item.asset, on, item.condition, item.note, by, visit_id=visit_id)


# Cash aid ---------------------------------------------------------------------------------------------------


def _account_digits(text: str) -> str:
    digits = "".join(ch for ch in (text or "") if ch not in " .-")
    if not digits.isdigit() or not 5 <= len(digits) <= 20:
        raise _error("account_number", "account_number_invalid")
    return digits


@transaction.atomic
def transfer_record(
    *,
    group: Group,
    budget_line: BudgetLine,
    bank: str,
    account_holder: str,
    account_number: str,
    amount: int,
    transferred_on: dt.date,
    proof=None,
    by: Any,
) -> CashTransfer:
    """Records money sent to a selected group's account, its spending entry on the line, and the group's
    accountability report due 30 days later. Past the aid per group it is kept with a warning."""
    program = group.program
    _require_writer(program, by)
    if program.aid_form != "money":
        raise _error(None, "cash_not_money")
    if group.status not in SELECTED_STATUSES:
        raise _error("group", "aid_group_not_selected")
    if budget_line.program_id != program.pk:
        raise _error("budget_line", "budget_line_foreign")
    amount = _positive(amount, "amount", "amount_invalid")
    _not_future(transferred_on, "transferred_on")
    transfer = CashTransfer(
        program=program,
        group=group,
        budget_line=budget_line,
        bank=_clean(bank),
        account_holder=_clean(account_holder),
        account_number=_account_digits(account_number),
        amount=amount,
        transferred_on=transferred_on,
        created_by=by,
    )
    if proof:
        try:
            content = files.clean_scan(proof)
        except ValidationError as exc:
            raise ValidationError({"proof": exc}) from exc
        transfer.proof.save(content.name or "proof.pdf", content, save=False)
    transfer.full_clean(exclude=["spending"])
    transfer._history_user = by  # type: ignore[attr-defined]
    transfer.save()
    spending = ledger.spending_record(
        program=program,
        budget_line=budget_line,
        spent_on=transferred_on,
        amount=amount,
        description=_("Cash aid to %(group)s") % {"group": group.name},
        paid_for=f"{transfer.bank} {transfer.account_masked}",
        source=f"aid.transfer:{transfer.pk}",
        by=by,
    )
    transfer.spending = spending
    transfer.save(update_fields=["spending"])
    AccountabilityReport.objects.create(
        transfer=transfer, due_on=transferred_on + dt.timedelta(days=REPORT_DUE_DAYS)
    )
    warnings = list(getattr(spending, "warnings", []))
    received = int(CashTransfer.objects.filter(group=group).aggregate(n=Coalesce(Sum("amount"), 0))["n"])
    if program.aid_per_group and received > program.aid_per_group:
        warnings.append(
            _("%(group)s has now received %(sum)s, past the programme's aid per group of %(limit)s.")
            % {"group": group.name, "sum": rupiah(received), "limit": rupiah(program.aid_per_group)}
        )
    transfer.warnings = warnings  # type: ignore[attr-defined]
    return transfer


def report_spent(report: AccountabilityReport) -> int:
    return int(report.purchases.aggregate(n=Coalesce(Sum("amount"), 0))["n"])


def _report_locked(report: AccountabilityReport) -> AccountabilityReport:
    current = (
        AccountabilityReport.objects.select_for_update().select_related("transfer__program").get(pk=report.pk)
    )
    if current.status == ReportStatus.SUBMITTED:
        raise _error(None, "report_submitted")
    return current


@transaction.atomic
def report_save(
    *,
    report: AccountabilityReport,
    chapters: dict[str, str],
    returned_amount: int = 0,
    returned_on: dt.date | None = None,
    return_proof=None,
    due_on: dt.date | None = None,
    expected_version: int | None,
    by: Any,
) -> AccountabilityReport:
    """Saves the report's chapters and the return of the remaining balance (never more than remains)."""
    _require_writer(report.transfer.program, by)
    current = _report_locked(report)
    if expected_version is not None and current.version != expected_version:
        raise ConflictError()
    for name in AccountabilityReport.CHAPTERS:
        if name in chapters:
            setattr(current, name, (chapters[name] or "").strip())
    if isinstance(returned_amount, bool) or not isinstance(returned_amount, int) or returned_amount < 0:
        raise _error("returned_amount", "amount_invalid")
    remaining = current.transfer.amount - report_spent(current)
    if returned_amount > remaining:
        raise _error(
            "returned_amount",
            "returned_over_balance",
            _("The remaining balance is %(left)s; no more than that can be returned.")
            % {"left": rupiah(remaining)},
        )
    if returned_on is not None:
        _not_future(returned_on, "returned_on")
        if returned_on < current.transfer.transferred_on:
            raise _error("returned_on", "date_before_transfer")
    current.returned_amount = returned_amount
    current.returned_on = returned_on
    if due_on is not None:
        current.due_on = due_on
    if return_proof:
        try:
            content = files.clean_scan(return_proof)
        except ValidationError as exc:
            raise ValidationError({"return_proof": exc}) from exc
        current.return_proof.save(content.name or "proof.pdf", content, save=False)
    current.full_clean()
    current._history_user = by  # type: ignore[attr-defined]
    save_versioned(current, expected_version=current.version)
    return current


@transaction.atomic
def report_purchase_add(
    *,
    report: AccountabilityReport,
    bought_on: dt.date,
    description: str,
    amount: int,
    quantity: int = 1,
    receipt=None,
    photo=None,
    by: Any,
) -> ReportPurchase:
    """Adds what the group bought with the money, with its receipt and photo; never past the transfer."""
    _require_writer(report.transfer.program, by)
    current = _report_locked(report)
    amount = _positive(amount, "amount", "amount_invalid")
    quantity = _positive(quantity, "quantity")
    _not_future(bought_on, "bought_on")
    if bought_on < current.transfer.transferred_on:
        raise _error("bought_on", "date_before_transfer")
    spent = report_spent(current)
    if spent + amount + current.returned_amount > current.transfer.amount:
        raise _error(
            "amount",
            "report_over_transfer",
            _("%(spent)s is already accounted for of the %(total)s transferred; this would pass it.")
            % {"spent": rupiah(spent + current.returned_amount), "total": rupiah(current.transfer.amount)},
        )
    row = ReportPurchase(
        report=current,
        bought_on=bought_on,
        description=_clean(description),
        quantity=quantity,
        amount=amount,
        created_by=by,
    )
    for name, upload, clean in (("receipt", receipt, files.clean_scan), ("photo", photo, files.clean_image)):
        if upload:
            try:
                content = clean(upload)
            except ValidationError as exc:
                raise ValidationError({name: exc}) from exc
            getattr(row, name).save(content.name or name, content, save=False)
    row.full_clean()
    row._history_user = by  # type: ignore[attr-defined]
    row.save()
    return row


def report_missing(report: AccountabilityReport) -> list[str]:
    """What the report still lacks before it may be submitted, in sentences."""
    missing = []
    labels = {f.name: f.verbose_name for f in AccountabilityReport._meta.fields}
    for name in AccountabilityReport.CHAPTERS:
        if not getattr(report, name).strip():
            missing.append(_("Write the chapter “%(chapter)s”.") % {"chapter": labels[name]})
    purchases = list(report.purchases.all())
    if not purchases:
        missing.append(_("Add what was bought with the money."))
    if any(not p.receipt for p in purchases):
        missing.append(_("Every purchase needs its receipt."))
    remaining = report.transfer.amount - sum(p.amount for p in purchases)
    if remaining and report.returned_amount != remaining:
        missing.append(
            _("Return the remaining balance of %(left)s, or account for it with purchases.")
            % {"left": rupiah(remaining)}
        )
    if report.returned_amount and not report.returned_on:
        missing.append(_("Enter the date the remaining balance was returned."))
    return missing


@transaction.atomic
def report_submit(
    *, report: AccountabilityReport, expected_version: int | None, by: Any
) -> AccountabilityReport:
    """Submits a complete report; it is then locked."""
    _require_writer(report.transfer.program, by)
    current = _report_locked(report)
    if expected_version is not None and current.version != expected_version:
        raise ConflictError()
    missing = report_missing(current)
    if missing:
        raise ValidationError(
            " ".join([str(message_for("report_incomplete")), *missing]), code="report_incomplete"
        )
    current.status = ReportStatus.SUBMITTED
    current.submitted_at = timezone.now()
    current.submitted_by = by
    current._history_user = by  # type: ignore[attr-defined]
    current._change_reason = history_reason(_("Accountability report submitted"))  # type: ignore[attr-defined]
    save_versioned(current, expected_version=current.version)
    return current
