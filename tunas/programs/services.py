"""Writes for programmes and their budget lines. Views, the API and load_demo call these."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tunas.accounts.roles import Role
from tunas.core.concurrency import save_versioned
from tunas.core.errors import message_for
from tunas.core.formatting import rupiah
from tunas.core.http import StaffUser

from .lifecycle import missing_for_next_stage, next_stage, previous_stage
from .models import BudgetLine, Program

# simple-history keeps a change reason of at most 100 characters.
STEP_BACK_REASON_MAX = 100


@transaction.atomic
def program_save(
    *, program: Program, budget_lines: Iterable[tuple[str, int]] | None = None, expected_version: int | None
) -> Program:
    """Validates and saves a programme and its budget lines; refuses stale edits and lines over the total."""
    program.full_clean()
    lines = [(name.strip(), int(planned)) for name, planned in (budget_lines or []) if name and name.strip()]
    if budget_lines is not None and sum(p for _, p in lines) > program.budget_total:
        raise ValidationError(
            {
                "budget_total": _(
                    "The budget lines add up to more than the total budget. Raise the total or lower a line."
                )
            },
            code="value_invalid",
        )
    save_versioned(program, expected_version=expected_version)
    if budget_lines is not None:
        _lines_save(program, lines)
    return program


def _lines_save(program: Program, lines: list[tuple[str, int]]) -> None:
    """Updates the lines in place, row by row: a line keeps its identity (and so its spending entries and
    revisions); a line with spending is neither removed nor planned below what is spent on it."""
    from .ledger import line_realisation

    existing = {r.line.position: (r.line, r) for r in line_realisation(program=program) if r.line is not None}
    kept = set()
    for i, (name, planned) in enumerate(lines):
        found = existing.get(i)
        if found is None:
            BudgetLine.objects.create(program=program, name=name, planned=planned, position=i)
            continue
        line, row = found
        kept.add(i)
        if planned < row.spent:
            raise ValidationError(
                {
                    "budget_total": _(
                        "The line “%(line)s” has %(spent)s spent already: its plan cannot go below it."
                    )
                    % {"line": row.name, "spent": rupiah(row.spent)}
                },
                code="plan_below_spent",
            )
        if (line.name, line.planned) != (name, planned):
            line.name, line.planned = name, planned
            line.save(update_fields=["name", "planned"])
    for position, (line, row) in existing.items():
        if position in kept:
            continue
        if row.spent or line.spendings.exists() or line.revisions.exists():
            raise ValidationError(
                {
                    "budget_total": _("The line “%(line)s” has spending entries: it cannot be removed.")
                    % {"line": row.name}
                },
                code="value_invalid",
            )
        line.delete()


@transaction.atomic
def program_advance(*, program: Program, expected_version: int) -> Program:
    """Moves a programme to its next lifecycle stage once nothing is missing for it."""
    target = next_stage(program)
    if target is None:
        raise ValidationError(_("The programme is already closed."), code="value_invalid")
    missing = missing_for_next_stage(program)
    if missing:
        raise ValidationError(missing, code="value_invalid")
    program.status = target
    save_versioned(program, expected_version=expected_version)
    return program


@transaction.atomic
def program_step_back(*, program: Program, by: StaffUser, reason: str, expected_version: int) -> Program:
    """Moves a programme back one stage: an administrator only, with a reason kept in its history."""
    if not by.has_role(Role.ADMIN):
        raise PermissionDenied(_("Only an administrator may move a programme back a stage."))
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": ValidationError(message_for("required"), code="required")})
    if len(reason) > STEP_BACK_REASON_MAX:
        raise ValidationError(
            {
                "reason": ValidationError(
                    _("Keep the reason to %(max)s characters.") % {"max": STEP_BACK_REASON_MAX},
                    code="value_invalid",
                )
            }
        )
    target = previous_stage(program)
    if target is None:
        raise ValidationError(
            _("The programme is in planning, its first stage: there is no stage before it."),
            code="value_invalid",
        )
    program.status = target
    program._change_reason = reason  # type: ignore[attr-defined]  # read by simple-history on save
    program._history_user = by  # type: ignore[attr-defined]
    save_versioned(program, expected_version=expected_version)
    return program
