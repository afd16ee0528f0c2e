"""What the aid app shows on the layers below it: the programme's aid tab, the dossier's aid section, the
check before mentoring, home cards, navigation and its report."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from tunas.core.extensions import HomeCard, home_cards
from tunas.programs.extensions import DossierSection, ProgramTab, StageCheck, dossier_sections, program_tabs
from tunas.programs.extensions import stage_checks as checks
from tunas.programs.models import AidForm, Program, Stage
from tunas.registry.extensions import (
    AidDateSource,
    GroupSection,
    VisitCheck,
    aid_date_sources,
    group_sections,
    visit_checks,
)
from tunas.reports.generators import reports

from . import errors as _errors  # noqa: F401 - registers the app's error codes
from . import selectors, services
from .dossier import aid_dossier
from .models import CashTransfer
from .reports import AidDistributionReport
from .views import aid_tab_context

program_tabs.register(
    ProgramTab(
        key="aid",
        label=_lazy("Aid"),
        order=50,
        template="aid/partials/_program_aid.html",
        context=aid_tab_context,
        visible_to=selectors.may_read_aid,
    )
)

dossier_sections.register(DossierSection(key="aid", order=50, build=aid_dossier))


def _aid_missing(program: Program) -> list[str]:
    """Every selected group has its signed handover record (goods) or its transfer (money)."""
    if program.aid_form == AidForm.MONEY:
        paid = set(CashTransfer.objects.filter(program=program).values_list("group__name", flat=True))
        waiting = [name for name in _selected_names(program) if name not in paid]
        if waiting:
            return [_("No cash transfer is recorded yet for: %(groups)s.") % {"groups": ", ".join(waiting)}]
        return []
    waiting = selectors.groups_without_signed_handover(program=program)
    if waiting:
        return [
            _("No signed handover record is uploaded yet for: %(groups)s.") % {"groups": ", ".join(waiting)}
        ]
    return []


def _selected_names(program: Program) -> list[str]:
    from tunas.registry.models import Group
    from tunas.registry.selectors import SELECTED_STATUSES

    return list(
        Group.objects.filter(program=program, status__in=SELECTED_STATUSES)
        .order_by("name")
        .values_list("name", flat=True)
    )


checks.register(StageCheck(key="aid_handed_over", stage=Stage.AID, order=50, missing=_aid_missing))

STAT_CARD = "core/partials/_stat_card.html"


def _manages(user: Any) -> bool:
    return bool(user.manages_programmes)


def _to_sign(user: Any) -> dict:
    return {
        "count": selectors.handovers_to_sign(user=user).count(),
        "label": _("Handover records waiting for their signed scan"),
        "url": reverse("aid:handovers_unsigned"),
    }


def _overdue(user: Any) -> dict:
    return {
        "count": selectors.reports_overdue(user=user).count(),
        "label": _("Accountability reports overdue"),
        "url": reverse("aid:reports_overdue"),
    }


home_cards.register(
    HomeCard(key="aid_to_sign", order=60, template=STAT_CARD, build=_to_sign, visible_to=_manages)
)
home_cards.register(
    HomeCard(key="aid_reports_overdue", order=61, template=STAT_CARD, build=_overdue, visible_to=_manages)
)

reports.register(AidDistributionReport())

# The group page and the double-aid rule -------------------------------------------------------------------


def _group_aid(request: Any, group: Any) -> dict | None:
    from .models import Handover

    handovers = list(Handover.objects.filter(group=group).order_by("handed_on", "pk"))
    return {"handovers": handovers, "assets": len(selectors.group_assets(group=group))}


group_sections.register(
    GroupSection(
        key="aid",
        label=_lazy("Aid"),
        order=40,
        template="aid/partials/_group_section.html",
        context=_group_aid,
        visible_to=selectors.may_read_aid,
    )
)
aid_date_sources.register(
    AidDateSource(
        key="aid", order=10, dates=lambda group_ids: selectors.aid_dates_by_group(group_ids=group_ids)
    )
)

# The condition of the group's items, checked by its mentor during a visit ---------------------------------

visit_checks.register(
    VisitCheck(
        key=services.VISIT_CHECK_KEY,
        label=_lazy("Condition of the aid equipment"),
        order=10,
        template="aid/partials/_visit_check.html",
        detail_template="aid/partials/_visit_check_detail.html",
        context=selectors.visit_check_context,
        clean=services.visit_checks_clean,
        record=services.visit_checks_record,
        recorded=selectors.visit_checks_recorded,
    )
)
