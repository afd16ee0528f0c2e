"""What programs itself shows: its overview and budget tabs, dossier section, date checks and home card."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tunas.core.choices import TargetCategory
from tunas.core.extensions import HomeCard, Label, NavItem, home_actions, home_cards, nav_items
from tunas.core.http import AuthenticatedHttpRequest
from tunas.reports.generators import reports

from . import ledger, selectors, views_ledger
from .dossier import budget_section, program_section
from .extensions import DossierSection, ProgramTab, StageCheck, dossier_sections, program_tabs, stage_checks
from .models import Program, Stage
from .reports import BudgetRealisationReport


def _overview_context(request: AuthenticatedHttpRequest, program: Program) -> dict:
    return {
        "group_total": program.groups.count(),
        "category_labels": [
            label for key, label in TargetCategory.choices if key in program.categories_allowed
        ],
    }


program_tabs.register(
    ProgramTab(
        key="overview",
        label=gettext_lazy("Overview"),
        order=0,
        template="programs/partials/_tab_overview.html",
        context=_overview_context,
    )
)
program_tabs.register(
    ProgramTab(
        key="budget",
        label=gettext_lazy("Budget"),
        order=80,
        template="programs/partials/_tab_budget.html",
        context=views_ledger.budget_tab_context,
    )
)

dossier_sections.register(DossierSection(key="program", order=0, build=program_section))
dossier_sections.register(DossierSection(key="budget", order=90, build=budget_section))


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
    (Stage.TRAINING, "training_start", gettext_lazy("Set the training dates.")),
    (Stage.AID, "aid_date", gettext_lazy("Set the aid handover date.")),
    (Stage.MENTORING, "mentoring_until", gettext_lazy("Set the date mentoring runs until.")),
    (Stage.EVALUATION, "evaluation_date", gettext_lazy("Set the evaluation date.")),
]:
    stage_checks.register(
        StageCheck(key=f"{field}_set", stage=stage, order=0, missing=_date_check(field, sentence))
    )


def _programs_by_stage(user: Any) -> dict:
    programs = selectors.with_group_counts(
        list(selectors.program_list_visible(user=user).order_by("-fiscal_year", "code")[:20])
    )
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


def _budget_warnings(user: Any) -> dict | None:
    rows = ledger.lines_past_warning(user=user)
    return {"rows": rows} if rows else None


home_cards.register(
    HomeCard(
        key="budget_warnings",
        order=110,
        kind="panel",
        template="programs/partials/_home_budget_warnings.html",
        build=_budget_warnings,
        visible_to=lambda user: user.manages_programmes,
    )
)
home_actions.register(
    NavItem(
        key="program_create",
        order=0,
        label=gettext_lazy("New programme"),
        url_name="programs:create",
        visible_to=lambda user: user.manages_programmes,
    )
)
nav_items.register(
    NavItem(
        key="programs",
        order=10,
        label=gettext_lazy("Programmes"),
        url_name="programs:list",
        visible_to=lambda user: user.reads_jurisdiction,
    )
)

reports.register(BudgetRealisationReport())
