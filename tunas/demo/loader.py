"""Loads the demo. ``load()`` is idempotent: it looks records up by their natural keys and creates only
what is missing."""

from collections.abc import Callable

from tunas.programs.models import STAGE_ORDER, Program, Stage
from tunas.programs.services import program_advance

from .aid import load_aid
from .catalog import load_catalog
from .foundation import DEMO_PASSWORD, DEMO_USERS, load_foundation
from .mentoring import load_mentoring
from .registry import load_registry
from .training import load_training

# Where each demo programme stands once loaded: the 2018 one has run its whole course.
FINAL_STAGES = {"KLK-TKM-2018": Stage.CLOSED}

# What the office records while a programme is in a stage, before it moves on (the stage checks ask for it).
StageStep = Callable[[Program, dict], None]
STAGE_STEPS: dict[str, list[StageStep]] = {
    Stage.TRAINING: [load_training],
    Stage.AID: [load_aid],
    Stage.MENTORING: [load_mentoring, load_catalog],
}


def load() -> dict:
    result = load_foundation()
    result.update(load_registry(result["programs"]))
    for code, stage in FINAL_STAGES.items():
        result["programs"][code] = _advance_to(result["programs"][code], stage, result)
    return result


def _advance_to(program: Program, stage: str, result: dict) -> Program:
    """Moves the programme through its lifecycle as an officer would, recording each stage's work first."""
    program.refresh_from_db()
    while STAGE_ORDER.index(program.status) < STAGE_ORDER.index(stage):
        for step in STAGE_STEPS.get(program.status, []):
            step(program, result)
        program.refresh_from_db()
        program = program_advance(program=program, expected_version=program.version)
    return program


__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "load"]
