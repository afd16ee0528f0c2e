"""What other apps show on a programme: its page's tabs, its dossier's sections, its stage checks.

Programs defines these registries and reads them; the apps above (registry, training, aid, mentoring, ...)
fill them in their own ``contributions.py``. Programs never imports those apps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tunas.core.extensions import Label, Registry

if TYPE_CHECKING:
    from tunas.core.http import AuthenticatedHttpRequest

    from .models import Program


def _readers(user: Any) -> bool:
    return bool(user.reads_jurisdiction)


def _no_context(request: AuthenticatedHttpRequest, program: Program) -> dict:
    return {}


@dataclass(frozen=True)
class ProgramTab:
    """A tab of the programme page: its template is drawn with the page's context plus ``context(...)``."""

    key: str
    label: Label
    order: int
    template: str
    context: Callable[[AuthenticatedHttpRequest, Program], dict] = field(default=_no_context)
    visible_to: Callable[[Any], bool] = field(default=_readers)


@dataclass(frozen=True)
class DossierSection:
    """A top-level key of the programme dossier (``export_program --json``): JSON-ready data."""

    key: str
    order: int
    build: Callable[[Program], Any]


@dataclass(frozen=True)
class StageCheck:
    """Sentences naming what is still missing before a programme may leave ``stage`` (empty: nothing)."""

    key: str
    stage: str
    order: int
    missing: Callable[[Program], list[str]]


program_tabs: Registry[ProgramTab] = Registry("programme tabs")
dossier_sections: Registry[DossierSection] = Registry("dossier sections")
stage_checks: Registry[StageCheck] = Registry("stage checks")


def tabs_for(user: Any) -> list[ProgramTab]:
    """The tabs this user sees, in order."""
    return [tab for tab in program_tabs if tab.visible_to(user)]
