"""The programme dossier: everything about one programme as plain data (export_program, reports, API).

Personal numbers appear masked only: the dossier leaves the office.
"""

from __future__ import annotations

from .extensions import dossier_sections
from .ledger import line_realisation, realisation_total, revision_list, spending_list
from .models import Program


def program_dossier(program: Program) -> dict:
    """The whole programme as JSON-ready data: one key per registered section, in their order."""
    return {section.key: section.build(program) for section in dossier_sections}


def program_section(program: Program) -> dict:
    """The programme's own section: plan, budget, eligibility settings and stage dates."""
    office = program.office
    return {
        "code": program.code,
        "name": program.name,
        "fiscal_year": program.fiscal_year,
        "funding_source": program.funding_source,
        "office": {"name": office.name, "region_code": office.region_code},
        "budget_total": program.budget_total,
        "budget_lines": [{"name": line.name, "planned": line.planned} for line in program.budget_lines.all()],
        "group_size_min": program.group_size_min,
        "group_size_max": program.group_size_max,
        "aid_form": program.aid_form,
        "aid_per_group": program.aid_per_group,
        "status": program.status,
        "eligibility": {
            "min_age": program.min_age,
            "max_age": program.max_age,
            "categories": program.categories_allowed,
            "aid_lookback_months": program.aid_lookback_months,
            "domicile_in_jurisdiction": program.domicile_in_jurisdiction,
        },
        "stages": {
            name: (getattr(program, name).isoformat() if getattr(program, name) else None)
            for name in Program.STAGE_DATE_FIELDS
        },
    }


def budget_section(program: Program) -> dict:
    """The budget as realised: per line planned and spent, the total, every entry and every revision.

    Cancelled entries are listed with their reason and do not count in ``spent``.
    """
    lines = line_realisation(program=program)
    total = realisation_total(lines)
    return {
        "lines": [{"name": r.name, "planned": r.planned, "spent": r.spent} for r in lines],
        "planned": total.planned,
        "spent": total.spent,
        "realisation_pct": None if total.percent is None else float(total.percent),
        "entries": [
            {
                "date": e.spent_on.isoformat(),
                "line": e.budget_line.name,
                "amount": e.amount,
                "description": e.description,
                "paid_for": e.paid_for,
                "source": e.source,
                "receipt": bool(e.receipt),
                "cancelled": e.is_cancelled,
                "cancel_reason": e.cancel_reason,
            }
            for e in spending_list(program=program).order_by("spent_on", "pk")
        ],
        "revisions": [
            {
                "line": r.line.name,
                "old_planned": r.old_planned,
                "new_planned": r.new_planned,
                "reason": r.reason,
                "at": r.at.isoformat(),
            }
            for r in revision_list(program=program).order_by("at", "pk")
        ],
    }
