"""Demo training records for the 2018 programme, made through the training app's services."""

from __future__ import annotations

from tunas.programs.models import Program


def load_training(program: Program, result: dict) -> None:
    """Records the 2018 programme's training work (idempotent)."""
    return None
