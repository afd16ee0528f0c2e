"""Loads the demo. ``load()`` is idempotent: it looks records up by their natural keys and creates only
what is missing."""

from tunas.programs.models import STAGE_ORDER, Program, Stage
from tunas.programs.services import program_advance

from .foundation import DEMO_PASSWORD, DEMO_USERS, load_foundation
from .registry import load_registry

# Where each demo programme stands once loaded: the 2018 one has run its whole course.
FINAL_STAGES = {"KLK-TKM-2018": Stage.CLOSED}


def load() -> dict:
    result = load_foundation()
    result.update(load_registry(result["programs"]))
    for code, stage in FINAL_STAGES.items():
        result["programs"][code] = _advance_to(result["programs"][code], stage)
    return result


def _advance_to(program: Program, stage: str) -> Program:
    """Moves the programme through its lifecycle as an officer would, each step's checks included."""
    program.refresh_from_db()
    while STAGE_ORDER.index(program.status) < STAGE_ORDER.index(stage):
        program = program_advance(program=program, expected_version=program.version)
    return program


__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "load"]
