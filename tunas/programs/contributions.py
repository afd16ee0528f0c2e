"""What programs itself shows: its overview and budget tabs, dossier section, date checks and home card."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from tunas.core.choices import TargetCategory
from tunas.core.extensions import HomeCard, Label, NavItem, home_actions, home_cards, nav_items
from tunas.core.http import AuthenticatedHttpRequest

from . import selectors
from .dossier import program_section
from .extensions import DossierSection, ProgramTab, StageCheck, dossier_sections, program_tabs, stage_checks
from .models import Program, Stage


def _overview_context(request: AuthenticatedHttpRequest, program: Program) -> dict:
    return {
        "group_total": program.groups.count(),
        "category_labels": [
            label for key, label in TargetCategory.choices if key in program.categories_allowed
        ],
    }


def _budget_context(request: AuthenticatedHttpRequest, program: Program) -> dict:
    return {"budget_lines": list(program.budget_lines.all())}


program_tabs.register(
    ProgramTab(
        key="overview",
        label=_lazy("Overview"),
        order=0,
        template="programs/partials/_tab_overview.html",
        context=_overview_context,
    )
)
program_tabs.register(
    ProgramTab(
        key="budget",
        label=_lazy("Budget"),
        order=80,
        template="programs/partials/_tab_budget.html",
        context=_budget_context,
    )
)

dossier_sections.register(DossierSection(key="program", order=0, build=program_section))


def _planning_missing(program: Program) -> list[str]:
    missing: list[str] = []
    if program.budget_total <= 0:
        missing.append(_("Enter the total budget."))
    if not program.budget_lines.exists():
        missing.append(_("Add at least one budget line."))
    if not (program.registration_start and program.registration_end):
        missing.append(_("Set the registration dates."))
    return missing


def _date_check(field: str, sentence: Label):
    def missing(program: Program) -> list[str]:
        return [] if getattr(program, field) else [str(sentence)]

    return missing


stage_checks.register(StageCheck(key="planning", stage=Stage.PLANNING, order=0, missing=_planning_missing))
# Lazy sentences: translated when the check runs, in the reader's language.
for stage, field, sentence in [
    (Stage.TRAINING, "training_start", _lazy("Set the training dates.")),
    (Stage.AID, "aid_date", _lazy("Set the aid handover date.")),
    (Stage.MENTORING, "mentoring_until", _lazy("Set the date mentoring runs until.")),
    (Stage.EVALUATION, "evaluation_date", _lazy("Set the evaluation date.")),
]:
    stage_checks.register(
        StageCheck(key=f"{field}_set", stage=stage, order=0, missing=_date_check(field, sentence))
    )


def _programs_by_stage(user: Any) -> dict:
    programs = list(selectors.program_list_visible(user=user).order_by("-fiscal_year", "code")[:20])
    by_stage: dict[str, list[Program]] = {}
    for program in programs:
        by_stage.setdefault(program.get_status_display(), []).append(program)
    return {"by_stage": by_stage, "can_manage": user.manages_programmes}


home_cards.register(
    HomeCard(
        key="programs_by_stage",
        order=100,
        kind="panel",
        template="programs/partials/_home_by_stage.html",
        build=_programs_by_stage,
        visible_to=lambda user: user.reads_jurisdiction,
    )
)
home_actions.register(
    NavItem(
        key="program_create",
        order=0,
        label=_lazy("New programme"),
        url_name="programs:create",
        visible_to=lambda user: user.manages_programmes,
    )
)
nav_items.register(
    NavItem(
        key="programs",
        order=10,
        label=_lazy("Programmes"),
        url_name="programs:list",
        visible_to=lambda user: user.reads_jurisdiction,
    )
)
