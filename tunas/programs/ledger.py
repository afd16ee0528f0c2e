"""The budget ledger: every spending entry on a programme's budget lines goes through ``spending_record``.

Aid purchases, training honoraria and manual entries all land here, so a line's realisation is one sum.
A line may not pass its plan: the line's row is locked (``select_for_update``) while an entry is checked and
written, so two entries at once take turns and the second sees the first. Past 90 % the entry is kept with a
warning; past the plan it is refused until an administrator records a revision (old and new plan, reason).
Entries are never deleted: a mistake is cancelled with a reason and stays in the history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tunas.accounts.roles import Role
from tunas.core import uploads
from tunas.core.errors import message_for, register_messages
from tunas.core.formatting import percent as format_percent
from tunas.core.formatting import rupiah
from tunas.core.scoping import office_q

from .models import BudgetLine, BudgetRevision, Program, Spending, Stage

register_messages(
    {
        "budget_exceeded": gettext_lazy(
            "This entry would take the budget line past its plan. Lower the amount, choose another line, "
            "or ask an administrator to revise the plan."
        ),
        "amount_invalid": gettext_lazy("Enter an amount in whole Rupiah above zero, for example 1.250.000."),
        "budget_line_foreign": gettext_lazy(
            "This budget line belongs to another programme. Choose one of this programme's lines."
        ),
        "spending_cancelled": gettext_lazy("This spending entry is already cancelled."),
        "ledger_closed": gettext_lazy("The programme is closed: its ledger can no longer change."),
        "plan_below_spent": gettext_lazy(
            "The new plan is below what is already spent on the line. Cancel entries first, or plan more."
        ),
        "lines_over_total": gettext_lazy(
            "The budget lines would add up to more than the programme's total budget. Raise the total "
            "budget first, or lower another line."
        ),
        "plan_unchanged": gettext_lazy(
            "The new plan is the same as the current one. Enter a different amount."
        ),
        "receipt_type": gettext_lazy(
            "The receipt must be a PDF, JPEG or PNG file. Scan it again in one of these."
        ),
        "receipt_size": gettext_lazy(
            "The receipt file is too large. Scan it at a lower resolution and upload it again."
        ),
    }
)

# Past this share of its plan a line is close to its limit: entries are kept, with a warning.
WARNING_PERCENT = Decimal(90)
REASON_MAX = 300
# simple-history keeps a change reason of at most 100 characters.
HISTORY_REASON_MAX = 100
RECEIPT_MAX_BYTES_DEFAULT = 10 * 1024 * 1024
# A receipt scan larger than this many pixels is refused (decompression bombs).
RECEIPT_MAX_PIXELS = 50_000_000
RECEIPT_KINDS = ("pdf", "jpeg", "png")
RECEIPT_CODES = uploads.Codes(
    too_large="receipt_size",
    not_image="receipt_type",
    too_many_pixels="receipt_size",
    not_document="receipt_type",
)


def receipt_max_bytes() -> int:
    return int(getattr(settings, "RECEIPT_MAX_BYTES", RECEIPT_MAX_BYTES_DEFAULT))


# Who may do what ------------------------------------------------------------------------------------------


def _own_office(user: Any, program: Program) -> bool:
    return bool(user.is_superuser or (user.office_id is not None and user.office_id == program.office_id))


def may_record(user: Any, program: Program) -> bool:
    """Officers and administrators of the office that runs the programme (a province office only reads)."""
    return bool(user.is_authenticated and user.manages_programmes and _own_office(user, program))


def may_revise(user: Any, program: Program) -> bool:
    """Only an administrator of the programme's office changes a line's plan."""
    return bool(user.is_authenticated and user.has_role(Role.ADMIN) and _own_office(user, program))


def may_see_receipts(user: Any, program: Program) -> bool:
    """Receipt scans (names, sometimes account numbers) are seen by the programme's own office only."""
    return bool(user.is_authenticated and user.reads_jurisdiction and _own_office(user, program))


# Reads ----------------------------------------------------------------------------------------------------


def percent_of(spent: int, planned: int) -> Decimal | None:
    """Spent as a share of planned, one decimal, half up; None when nothing is planned."""
    if planned <= 0:
        return None
    return (Decimal(spent) * 100 / Decimal(planned)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineRealisation:
    """A budget line's plan against what is spent on it (cancelled entries left out)."""

    line: BudgetLine | None  # None for the programme's total row
    name: str
    planned: int
    spent: int

    @property
    def remaining(self) -> int:
        return self.planned - self.spent

    @property
    def percent(self) -> Decimal | None:
        return percent_of(self.spent, self.planned)

    @property
    def bar_percent(self) -> int:
        """The progress bar's width, 0 to 100."""
        value = self.percent
        if value is None:
            return 100 if self.spent > 0 else 0
        return int(min(max(value, Decimal(0)), Decimal(100)))

    @property
    def status(self) -> str:
        """``over`` past the plan, ``warning`` past 90 %, ``spent`` at exactly 100 %, ``ok`` below."""
        if self.spent > self.planned:
            return "over"
        value = self.percent
        if value is not None and self.spent == self.planned and self.planned > 0:
            return "spent"
        if value is not None and value > WARNING_PERCENT:
            return "warning"
        return "ok"


def line_realisation(*, program: Program) -> list[LineRealisation]:
    """Each budget line of the programme with its plan and what is spent on it: one query."""
    lines = BudgetLine.objects.filter(program=program).annotate(
        spent_sum=Coalesce(Sum("spendings__amount", filter=Q(spendings__cancelled_at__isnull=True)), 0)
    )
    return [
        LineRealisation(line=line, name=line.name, planned=line.planned, spent=int(line.spent_sum))
        for line in lines.order_by("position", "pk")
    ]


def realisation_total(lines: list[LineRealisation]) -> LineRealisation:
    """The total row of a realisation table: the sums of its lines."""
    return LineRealisation(
        line=None,
        name=str(_("Total")),
        planned=sum(r.planned for r in lines),
        spent=sum(r.spent for r in lines),
    )


def spending_list(*, program: Program) -> QuerySet[Spending]:
    """The programme's entries, newest first, with what a list shows (no query per row)."""
    return Spending.objects.filter(program=program).select_related(
        "budget_line", "created_by", "cancelled_by"
    )


def revision_list(*, program: Program) -> QuerySet[BudgetRevision]:
    """The programme's plan revisions, newest first."""
    return BudgetRevision.objects.filter(line__program=program).select_related("line", "by")


def lines_past_warning(*, user: Any, limit: int = 20) -> list[LineRealisation]:
    """Lines past 90 % of their plan in the open programmes of the user's jurisdiction, fullest first: one
    query."""
    if not user.reads_jurisdiction:
        return []
    spent = Coalesce(Sum("spendings__amount", filter=Q(spendings__cancelled_at__isnull=True)), 0)
    lines = (
        BudgetLine.objects.filter(office_q(user, "program__office"), planned__gt=0)
        .exclude(program__status=Stage.CLOSED)
        .select_related("program")
        .annotate(spent_sum=spent)
        # Past 90 %: spent / planned > 0.9, in integers so that no database rounds it.
        .annotate(spent_x10=F("spent_sum") * 10)
        .filter(spent_x10__gt=F("planned") * 9)
        .order_by("-program__fiscal_year", "program__code", "position", "pk")
    )
    rows = [
        LineRealisation(line=line, name=line.name, planned=line.planned, spent=int(line.spent_sum))
        for line in lines[:limit]
    ]
    return sorted(rows, key=lambda r: r.percent or 0, reverse=True)


def _line_spent(line: BudgetLine) -> int:
    return int(
        Spending.objects.filter(budget_line=line, cancelled_at__isnull=True).aggregate(
            total=Coalesce(Sum("amount"), 0)
        )["total"]
    )


# Receipt scans --------------------------------------------------------------------------------------------


def receipt_checked(upload: Any) -> tuple[ContentFile, str]:
    """The scan as it will be kept: a real PDF, JPEG or PNG under the size limit, read by its content.

    Images are opened by Pillow (JPEG and PNG only, decompression bombs refused), turned upright by their
    EXIF orientation and saved again without EXIF, so a phone's GPS position does not travel with them.
    Returns the file to store and its suffix.
    """
    try:
        content = uploads.clean_document(
            upload,
            max_bytes=receipt_max_bytes(),
            max_pixels=RECEIPT_MAX_PIXELS,
            kinds=RECEIPT_KINDS,
            keep_format=True,
            quality=90,
            codes=RECEIPT_CODES,
        )
    except ValidationError as exc:
        raise ValidationError({"receipt": exc}) from exc
    return content, content.suffix


# Writes ---------------------------------------------------------------------------------------------------


def _check_writable(program: Program, by: Any) -> None:
    if not may_record(by, program):
        raise PermissionDenied(_("Only an officer or administrator of the programme's office may do this."))
    if program.status == Stage.CLOSED:
        raise ValidationError(message_for("ledger_closed"), code="ledger_closed")


def _clean_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": ValidationError(message_for("required"), code="required")})
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {
                "reason": ValidationError(
                    _("Keep the reason to %(max)s characters.") % {"max": REASON_MAX}, code="value_invalid"
                )
            }
        )
    return reason


def _history_reason(text: str) -> str:
    return text if len(text) <= HISTORY_REASON_MAX else text[: HISTORY_REASON_MAX - 1] + "…"


def _whole_rupiah(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValidationError({field: ValidationError(message_for("amount_invalid"), code="amount_invalid")})
    return value


@transaction.atomic
def spending_record(
    *,
    program: Program,
    budget_line: BudgetLine,
    spent_on: dt.date,
    amount: int,
    description: str,
    paid_for: str = "",
    source: str = "",
    receipt: UploadedFile | None = None,
    by: Any,
) -> Spending:
    """Records one spending entry on a line of the programme; refuses it when the line would pass its plan.

    The returned entry carries ``warnings`` (sentences) when the line is now past 90 % of its plan.
    """
    _check_writable(program, by)
    amount = _whole_rupiah(amount, "amount")
    if budget_line.program_id != program.pk:
        raise ValidationError(
            {"budget_line": ValidationError(message_for("budget_line_foreign"), code="budget_line_foreign")}
        )
    if not isinstance(spent_on, dt.date) or isinstance(spent_on, dt.datetime):
        raise ValidationError({"spent_on": ValidationError(message_for("date_invalid"), code="date_invalid")})
    description = " ".join((description or "").split())
    if not description:
        raise ValidationError({"description": ValidationError(message_for("required"), code="required")})
    # The line's row is held until this transaction ends: a second entry on it waits and then counts this one.
    line = BudgetLine.objects.select_for_update().get(pk=budget_line.pk)
    spent = _line_spent(line)
    after = spent + amount
    if after > line.planned:
        raise ValidationError(
            _(
                "The budget line “%(line)s” would pass its plan: planned %(planned)s, spent %(spent)s, "
                "with this entry %(after)s. Lower the amount, choose another line, or ask an administrator "
                "to revise the plan."
            )
            % {
                "line": line.name,
                "planned": rupiah(line.planned),
                "spent": rupiah(spent),
                "after": rupiah(after),
            },
            code="budget_exceeded",
            params={"line": line.name, "planned": line.planned, "spent": spent, "after": after},
        )
    spending = Spending(
        program=program,
        budget_line=line,
        spent_on=spent_on,
        amount=amount,
        description=description,
        paid_for=" ".join((paid_for or "").split()),
        source=(source or "").strip(),
        created_by=by,
    )
    if receipt:
        content, suffix = receipt_checked(receipt)
        spending.receipt_name = (getattr(receipt, "name", "") or "")[-255:]
        spending.receipt.save(f"receipt{suffix}", content, save=False)
    try:
        spending.full_clean()
    except ValidationError:
        if spending.receipt:
            spending.receipt.delete(save=False)  # no stored scan without its entry
        raise
    spending._history_user = by  # type: ignore[attr-defined]  # read by simple-history on save
    spending._change_reason = _history_reason(_("spending recorded"))  # type: ignore[attr-defined]
    spending.save()
    warnings: list[str] = []
    share = percent_of(after, line.planned)
    if share is not None and share > WARNING_PERCENT:
        warnings.append(
            _("The budget line “%(line)s” is now at %(percent)s of its plan.")
            % {"line": line.name, "percent": format_percent(share)}
        )
    spending.warnings = warnings  # type: ignore[attr-defined]
    return spending


@transaction.atomic
def spending_cancel(*, spending: Spending, reason: str, by: Any) -> Spending:
    """Cancels an entry with a reason (it stays listed and in the history; its amount no longer counts)."""
    program = spending.program
    _check_writable(program, by)
    reason = _clean_reason(reason)
    spending = Spending.objects.select_for_update().get(pk=spending.pk)
    if spending.cancelled_at is not None:
        raise ValidationError(message_for("spending_cancelled"), code="spending_cancelled")
    spending.cancelled_at = timezone.now()
    spending.cancelled_by = by
    spending.cancel_reason = reason
    spending._history_user = by  # type: ignore[attr-defined]
    spending._change_reason = _history_reason(reason)  # type: ignore[attr-defined]
    spending.save()
    return spending


@transaction.atomic
def budget_revise(*, budget_line: BudgetLine, new_planned: int, reason: str, by: Any) -> BudgetRevision:
    """An administrator changes a line's plan (never below what is spent), with the reason kept."""
    program = budget_line.program
    if not may_revise(by, program):
        raise PermissionDenied(_("Only an administrator of the programme's office may revise a plan."))
    if program.status == Stage.CLOSED:
        raise ValidationError(message_for("ledger_closed"), code="ledger_closed")
    if isinstance(new_planned, bool) or not isinstance(new_planned, int) or new_planned < 0:
        raise ValidationError(
            {"new_planned": ValidationError(message_for("amount_invalid"), code="amount_invalid")}
        )
    reason = _clean_reason(reason)
    line = BudgetLine.objects.select_for_update().get(pk=budget_line.pk)
    if new_planned == line.planned:
        raise ValidationError(
            {"new_planned": ValidationError(message_for("plan_unchanged"), code="plan_unchanged")}
        )
    spent = _line_spent(line)
    if new_planned < spent:
        raise ValidationError(
            {
                "new_planned": ValidationError(
                    _(
                        "The new plan %(new)s is below what is already spent on the line, %(spent)s. "
                        "Cancel entries first, or plan more."
                    )
                    % {"new": rupiah(new_planned), "spent": rupiah(spent)},
                    code="plan_below_spent",
                )
            }
        )
    others = sum(
        BudgetLine.objects.filter(program=program).exclude(pk=line.pk).values_list("planned", flat=True)
    )
    if others + new_planned > program.budget_total:
        raise ValidationError(
            {
                "new_planned": ValidationError(
                    _(
                        "The budget lines would add up to %(sum)s, more than the programme's total budget "
                        "of %(total)s. Raise the total budget first, or lower another line."
                    )
                    % {"sum": rupiah(others + new_planned), "total": rupiah(program.budget_total)},
                    code="lines_over_total",
                )
            }
        )
    revision = BudgetRevision(
        line=line, old_planned=line.planned, new_planned=new_planned, reason=reason, by=by
    )
    revision.full_clean()
    revision.save()
    line.planned = new_planned
    line._history_user = by  # type: ignore[attr-defined]
    line._change_reason = _history_reason(reason)  # type: ignore[attr-defined]
    line.save(update_fields=["planned"])
    return revision
