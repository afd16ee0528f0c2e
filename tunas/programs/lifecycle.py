"""What a programme needs before it may move to the next stage of its lifecycle."""

from __future__ import annotations

from dataclasses import dataclass

from .extensions import stage_checks
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
    """Sentences naming what is still missing before ``program`` can leave its current stage.

    Each app registers its own checks (``StageCheck`` in its contributions); this reads them in order.
    """
    missing: list[str] = []
    for check in stage_checks:
        if check.stage == program.status:
            missing.extend(check.missing(program))
    return missing
