"""Demo catalog records for the 2018 programme, made through the catalog app's services."""

from __future__ import annotations

from tunas.programs.models import Program


def load_catalog(program: Program, result: dict) -> None:
    """Records the 2018 programme's catalog work (idempotent)."""
    return None
