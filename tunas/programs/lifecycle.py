"""What a programme needs before it may move to the next stage of its lifecycle, and what a move changes."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tunas.core.extensions import Label

from .extensions import stage_checks
from .models import STAGE_ORDER, Program, Stage

# What moving on into a stage changes, in one sentence: the confirmation says it before the move.
STAGE_CHANGES: dict[str, Label] = {
    Stage.REGISTRATION: _(
        "Registration opens: groups propose themselves and their members register with their NIK and KK."
    ),
    Stage.VERIFICATION: _(
        "Registration closes and verification begins: the verifiers decide on every member."
    ),
    Stage.TRAINING: _(
        "Verification ends: groups and members can then be changed only by an administrator, with a "
        "reason; training begins."
    ),
    Stage.AID: _("Training ends: the aid is handed over to the groups and recorded in handover records."),
    Stage.MENTORING: _(
        "The aid handover ends: mentors visit their groups and send monthly progress reports."
    ),
    Stage.EVALUATION: _("Mentoring ends: the businesses are monitored and evaluated."),
    Stage.CLOSED: _("The programme closes: its groups and members can no longer be changed."),
}

# What going back into a stage changes, for the administrator's step back.
STAGE_BACK_CHANGES: dict[str, Label] = {
    Stage.PLANNING: _("Back to planning: registration stops until the programme moves on again."),
    Stage.REGISTRATION: _("Registration reopens: groups and members may register again; verification waits."),
    Stage.VERIFICATION: _(
        "Verification reopens: officers may change groups and members again without an administrator."
    ),
    Stage.TRAINING: _("Back to training: the aid handover waits until the programme moves on again."),
    Stage.AID: _("Back to the aid handover: mentoring waits until the programme moves on again."),
    Stage.MENTORING: _("Back to mentoring: the evaluation waits until the programme moves on again."),
    Stage.EVALUATION: _(
        "The programme reopens for evaluation: an administrator may change its groups and members again."
    ),
}


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


def previous_stage(program: Program) -> str | None:
    i = program.stage_index
    return STAGE_ORDER[i - 1] if i > 0 else None


def stage_label(stage: str) -> str:
    return str(Stage(stage).label)


def missing_for_next_stage(program: Program) -> list[str]:
    """Sentences naming what is still missing before ``program`` can leave its current stage.

    Each app registers its own checks (``StageCheck`` in its contributions); this reads them in order.
    """
    missing: list[str] = []
    for check in stage_checks:
        if check.stage == program.status:
            missing.extend(check.missing(program))
    return missing
