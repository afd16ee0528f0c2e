"""What the registry shows on the layers below it: programme tabs, the dossier's groups, stage checks,
home cards, navigation and its reports."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from tunas.core.extensions import HomeCard, NavItem, home_actions, home_cards, nav_items
from tunas.programs.extensions import DossierSection, ProgramTab, StageCheck, dossier_sections, program_tabs
from tunas.programs.extensions import stage_checks as checks
from tunas.programs.models import Program, Stage
from tunas.reports.generators import reports

from . import rules, selectors
from .dossier import groups_dossier
from .reports import AuditTrailReport, GroupListReport, MemberListReport
from .views import groups_tab_context, participants_tab_context

# The programme page ---------------------------------------------------------------------------------------

program_tabs.register(
    ProgramTab(
        key="groups",
        label=_lazy("Groups"),
        order=20,
        template="registry/partials/_program_groups.html",
        context=groups_tab_context,
        visible_to=selectors.may_read_registry,
    )
)
program_tabs.register(
    ProgramTab(
        key="participants",
        label=_lazy("Participants"),
        order=30,
        template="registry/partials/_program_members.html",
        context=participants_tab_context,
        visible_to=selectors.may_read_registry,
    )
)

dossier_sections.register(DossierSection(key="groups", order=20, build=groups_dossier))


def _registration_missing(program: Program) -> list[str]:
    counts = selectors.program_group_counts(program=program)
    missing: list[str] = []
    if counts["groups"] == 0:
        missing.append(_("Register at least one business group."))
    if counts["undersized"]:
        missing.append(
            _("%(n)s group(s) have fewer than %(min)s members.")
            % {"n": counts["undersized"], "min": program.group_size_min}
        )
    return missing


def _verification_missing(program: Program) -> list[str]:
    counts = selectors.program_group_counts(program=program)
    missing: list[str] = []
    if counts["pending_members"]:
        missing.append(_("%(n)s member(s) still wait for verification.") % {"n": counts["pending_members"]})
    if counts["verified_groups"] == 0:
        missing.append(_("Verify at least one group."))
    return missing


checks.register(
    StageCheck(key="groups_registered", stage=Stage.REGISTRATION, order=20, missing=_registration_missing)
)
checks.register(
    StageCheck(key="members_verified", stage=Stage.VERIFICATION, order=20, missing=_verification_missing)
)

# The home page --------------------------------------------------------------------------------------------

STAT_CARD = "core/partials/_stat_card.html"


def _stat(count: int, label: str, url: str) -> dict:
    return {"count": count, "label": label, "url": url}


def _groups_waiting(user: Any) -> dict:
    return _stat(
        selectors.groups_awaiting_verification_count(user=user),
        _("Groups waiting for verification"),
        reverse("registry:group_list") + "?status=forming",
    )


def _open_warnings(user: Any) -> dict:
    return _stat(
        selectors.open_warning_count(user=user),
        _("Members with unresolved duplicate warnings"),
        reverse("registry:member_list") + "?warnings=open",
    )


def _queue(user: Any) -> dict:
    return _stat(
        selectors.pending_member_count(user=user),
        _("Members waiting in the verification queue"),
        reverse("registry:verification_queue"),
    )


def _manages(user: Any) -> bool:
    return bool(user.manages_programmes)


home_cards.register(
    HomeCard(key="groups_waiting", order=10, template=STAT_CARD, build=_groups_waiting, visible_to=_manages)
)
home_cards.register(
    HomeCard(key="open_warnings", order=20, template=STAT_CARD, build=_open_warnings, visible_to=_manages)
)
home_cards.register(
    HomeCard(
        key="verification_queue", order=30, template=STAT_CARD, build=_queue, visible_to=rules.may_verify
    )
)
home_actions.register(
    NavItem(
        key="verification_queue",
        order=10,
        label=_lazy("Open the verification queue"),
        url_name="registry:verification_queue",
        visible_to=rules.may_verify,
    )
)

# Navigation -----------------------------------------------------------------------------------------------

nav_items.register(
    NavItem(
        key="groups",
        order=20,
        label=_lazy("Groups"),
        url_name="registry:group_list",
        visible_to=selectors.may_read_registry,
    )
)
nav_items.register(
    NavItem(
        key="participants",
        order=30,
        label=_lazy("Participants"),
        url_name="registry:member_list",
        visible_to=selectors.may_read_registry,
    )
)
nav_items.register(
    NavItem(
        key="audit",
        order=80,
        label=_lazy("Audit trail"),
        url_name="registry:office_trail",
        visible_to=rules.may_read_office_trail,
    )
)
nav_items.register(
    NavItem(
        key="verification",
        order=40,
        label=_lazy("Verification"),
        url_name="registry:verification_queue",
        visible_to=rules.may_verify,
    )
)

# Reports --------------------------------------------------------------------------------------------------

reports.register(GroupListReport())
reports.register(MemberListReport())
reports.register(AuditTrailReport())

# Headline numbers -----------------------------------------------------------------------------------------
# Until the dashboards come, the viewer's home (and the officer's, below what needs them) shows the area's
# programmes, groups and people: two aggregate queries whatever the size (registry.headlines).


def _headlines(user: Any) -> dict:
    from .headlines import headlines_visible

    return {"headlines": headlines_visible(user=user)}


def _sees_headlines(user: Any) -> bool:
    # Imported here so that this block stays appended to the module (registry has a Role of its own).
    from tunas.accounts.roles import Role as UserRole

    return bool(user.has_role(UserRole.VIEWER, UserRole.OFFICER, UserRole.ADMIN))


home_cards.register(
    HomeCard(
        key="headlines",
        order=50,
        kind="panel",
        template="registry/partials/_home_headlines.html",
        build=_headlines,
        visible_to=_sees_headlines,
    )
)
