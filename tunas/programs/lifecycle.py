"""What a programme needs before it may move to the next stage of its lifecycle."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .models import STAGE_ORDER, Program, Stage


@dataclass
class StageStep:
    key: str
    label: str
    state: str  # "done", "current" or "todo"


def stage_steps(program: Program) -> list[StageStep]:
    current = program.stage_index
    return [
        StageStep(key, str(label), "done" if i < current else "current" if i == current else "todo")
        for i, (key, label) in enumerate(Stage.choices)
    ]


def next_stage(program: Program) -> str | None:
    i = program.stage_index
    return STAGE_ORDER[i + 1] if i + 1 < len(STAGE_ORDER) else None


def missing_for_next_stage(program: Program) -> list[str]:
    """Sentences naming what is still missing before ``program`` can leave its current stage."""
    missing: list[str] = []
    status = program.status
    if status == Stage.PLANNING:
        if program.budget_total <= 0:
            missing.append(_("Enter the total budget."))
        if not program.budget_lines.exists():
            missing.append(_("Add at least one budget line."))
        if not (program.registration_start and program.registration_end):
            missing.append(_("Set the registration dates."))
    elif status == Stage.REGISTRATION:
        from tunas.registry.selectors import program_group_counts

        counts = program_group_counts(program=program)
        if counts["groups"] == 0:
            missing.append(_("Register at least one business group."))
        if counts["undersized"]:
            missing.append(
                _("%(n)s group(s) have fewer than %(min)s members.")
                % {"n": counts["undersized"], "min": program.group_size_min}
            )
    elif status == Stage.VERIFICATION:
        from tunas.registry.selectors import program_group_counts

        counts = program_group_counts(program=program)
        if counts["pending_members"]:
            missing.append(
                _("%(n)s member(s) still wait for verification.") % {"n": counts["pending_members"]}
            )
        if counts["verified_groups"] == 0:
            missing.append(_("Verify at least one group."))
    elif status == Stage.TRAINING and not program.training_start:
        missing.append(_("Set the training dates."))
    elif status == Stage.AID and not program.aid_date:
        missing.append(_("Set the aid handover date."))
    elif status == Stage.MENTORING and not program.mentoring_until:
        missing.append(_("Set the date mentoring runs until."))
    elif status == Stage.EVALUATION and not program.evaluation_date:
        missing.append(_("Set the evaluation date."))
    return missing
