"""What the mentoring app shows on the layers below it: who reads which groups (a mentor, the assigned
ones), the group page's mentoring card, the programme's mentoring tab, the dossier's visits and monthly
reports, the check before evaluation, home cards, navigation and the reports."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from tunas.core.extensions import HomeCard, NavItem, home_actions, home_cards, nav_items
from tunas.programs.extensions import DossierSection, ProgramTab, StageCheck, dossier_sections, program_tabs
from tunas.programs.extensions import stage_checks as checks
from tunas.programs.models import Program, Stage
from tunas.registry.extensions import (
    GroupReaders,
    GroupSection,
    SelectionListener,
    group_readers,
    group_sections,
    selection_listeners,
)
from tunas.reports.generators import reports

from . import counts, selectors
from . import errors as _errors  # noqa: F401 - registers the app's error codes
from .dossier import progress_reports_dossier, visits_dossier
from .reports import MentoringRecapReport, MonthlyFiguresReport
from .views import group_section_context, program_tab_context

group_readers.register(GroupReaders(key="mentoring", order=10, group_ids=selectors.mentor_group_ids))
# A group rejected (or verified) after it reported leaves (or joins) the monthly report counts at once.
selection_listeners.register(SelectionListener(key="mentoring", order=10, changed=counts.refresh_groups))

group_sections.register(
    GroupSection(
        key="mentoring",
        label=_lazy("Mentoring"),
        order=60,
        template="mentoring/partials/_group_section.html",
        context=group_section_context,
        visible_to=selectors.may_read_mentoring,
    )
)

program_tabs.register(
    ProgramTab(
        key="mentoring",
        label=_lazy("Mentoring"),
        order=60,
        template="mentoring/partials/_program_mentoring.html",
        context=program_tab_context,
    )
)

dossier_sections.register(DossierSection(key="visits", order=60, build=visits_dossier))
dossier_sections.register(DossierSection(key="progress_reports", order=61, build=progress_reports_dossier))


def _reports_missing(program: Program) -> list[str]:
    """Each selected group has its monthly report for every month of the mentoring period."""
    missing = selectors.groups_missing_months(program)
    return [
        _("%(group)s has no monthly report yet for: %(months)s.")
        % {"group": name, "months": ", ".join(f"{m:%m/%Y}" for m in months)}
        for name, months in missing.items()
    ]


checks.register(
    StageCheck(key="mentoring_reports", stage=Stage.MENTORING, order=60, missing=_reports_missing)
)

STAT_CARD = "core/partials/_stat_card.html"


def _my_groups(user: Any) -> dict:
    """The mentor's groups as cards, each saying whether last month's report is still due."""
    month = selectors.last_month()
    missing = set(selectors.groups_missing_report(user=user, month=month).values_list("pk", flat=True))
    if user.office is None:
        who = _("The programme officer of your office assigns mentors to groups.")
    else:
        who = _("The programme officer of %(office)s assigns mentors to groups.") % {"office": user.office}
    return {
        "cards": [
            {"assignment": a, "report_due": a.group_id in missing}
            for a in selectors.my_assignments(user=user)
        ],
        "month": month,
        "empty": _("No group is assigned to you yet."),
        "who": who,
    }


def _due(user: Any) -> dict:
    return {
        "count": selectors.groups_missing_report_count(user=user),
        "label": _("Monthly reports due this month"),
        "url": reverse("mentoring:overview"),
    }


def _officer_missing(user: Any) -> dict:
    # From the kept counts (mentoring.counts): one row per programme in mentoring, not one per group.
    return {
        "count": selectors.groups_missing_report_count(user=user),
        "label": _("Groups without last month's report"),
        "url": reverse("mentoring:overview"),
    }


def _overdue(user: Any) -> dict:
    return {
        "count": selectors.follow_ups_overdue(user=user).count(),
        "label": _("Follow-ups overdue"),
        "url": reverse("mentoring:overview"),
    }


# The accounts app's placeholder card ("no group is assigned yet") is replaced by the mentor's real groups.
home_cards.unregister("mentor_groups")
home_cards.register(
    HomeCard(
        key="mentor_groups",
        order=60,
        kind="panel",
        template="mentoring/partials/_home_groups.html",
        build=_my_groups,
        visible_to=selectors.is_mentor,
    )
)
home_cards.register(
    HomeCard(
        key="mentoring_reports_due", order=63, template=STAT_CARD, build=_due, visible_to=selectors.is_mentor
    )
)
home_cards.register(
    HomeCard(
        key="mentoring_groups_missing",
        order=64,
        template=STAT_CARD,
        build=_officer_missing,
        visible_to=selectors.may_manage,
    )
)
home_cards.register(
    HomeCard(
        key="mentoring_follow_ups_overdue",
        order=65,
        template=STAT_CARD,
        build=_overdue,
        visible_to=lambda user: selectors.may_manage(user) or selectors.is_mentor(user),
    )
)
home_actions.register(
    NavItem(
        key="mentoring_visit",
        order=20,
        label=_lazy("My groups"),
        url_name="mentoring:overview",
        visible_to=selectors.is_mentor,
    )
)
nav_items.register(
    NavItem(
        key="mentoring",
        order=55,
        label=_lazy("Mentoring"),
        url_name="mentoring:overview",
        visible_to=selectors.may_read_mentoring,
    )
)

reports.register(MentoringRecapReport())
reports.register(MonthlyFiguresReport())
