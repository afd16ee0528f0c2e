"""What the training app shows on the layers below it: the programme's training tab, the dossier's
trainings, the check before aid, home cards, navigation, reports and its error codes."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from tunas.core.extensions import HomeCard, NavItem, home_actions, home_cards, nav_items
from tunas.programs.extensions import DossierSection, ProgramTab, StageCheck, dossier_sections, program_tabs
from tunas.programs.extensions import stage_checks as checks
from tunas.programs.models import Program, Stage
from tunas.registry.extensions import GroupSection, group_sections
from tunas.registry.rules import SELECTED_GROUP_STATUSES
from tunas.reports.generators import reports

from . import errors, selectors  # noqa: F401 - errors registers the app's codes
from .dossier import trainings_dossier
from .models import Training
from .reports import AttendanceRecapReport, CertificatesReport
from .views import program_tab_context

# The programme page ---------------------------------------------------------------------------------------

program_tabs.register(
    ProgramTab(
        key="training",
        label=_lazy("Training"),
        order=40,
        template="training/partials/_program_tab.html",
        context=program_tab_context,
        visible_to=selectors.may_read_training,
    )
)

dossier_sections.register(DossierSection(key="trainings", order=40, build=trainings_dossier))


def _training_missing(program: Program) -> list[str]:
    """Before the aid: every selected group trained, every session's attendance in, completion decided."""
    missing: list[str] = []
    untrained = (
        program.groups.filter(status__in=SELECTED_GROUP_STATUSES, trainings__isnull=True)
        .order_by("name")
        .values_list("name", flat=True)
    )
    if untrained:
        missing.append(_("Plan a training for these groups: %(groups)s.") % {"groups": ", ".join(untrained)})
    for training in Training.objects.filter(program=program).order_by("start_date", "pk"):
        if not training.sessions.exists():
            missing.append(_("Add the timetable of %(training)s.") % {"training": training.title})
            continue
        unmarked = selectors.unmarked_sessions(training=training)
        if unmarked:
            missing.append(
                _("Mark the attendance of %(n)s session(s) of %(training)s.")
                % {"n": unmarked, "training": training.title}
            )
        elif training.completed_at is None:
            missing.append(_("Decide the completion of %(training)s.") % {"training": training.title})
    return missing


checks.register(StageCheck(key="trainings_held", stage=Stage.TRAINING, order=40, missing=_training_missing))

# The home page --------------------------------------------------------------------------------------------


def _sessions_today(user: Any) -> dict:
    return {
        "sessions": list(selectors.my_sessions(user=user, day=selectors.today())),
        "empty": _("No session of yours today."),
    }


def _sheets_to_upload(user: Any) -> dict | None:
    missing = selectors.sheets_to_upload(user=user)
    url = reverse("training:detail", args=[missing[0][0].pk]) + "#attendance" if missing else ""
    if not missing:
        return None
    return {"count": len(missing), "label": _("Signed attendance sheets to upload"), "url": url}


home_cards.register(
    HomeCard(
        key="sessions_today",
        order=5,
        kind="panel",
        template="training/partials/_home_sessions_today.html",
        build=_sessions_today,
        visible_to=selectors.is_instructor,
    )
)
home_cards.register(
    HomeCard(
        key="sheets_to_upload",
        order=40,
        template="core/partials/_stat_card.html",
        build=_sheets_to_upload,
        visible_to=selectors.may_manage_training,
    )
)
home_actions.register(
    NavItem(
        key="my_sessions",
        order=5,
        label=_lazy("My sessions"),
        url_name="training:my_sessions",
        visible_to=selectors.is_instructor,
    )
)

# Navigation -----------------------------------------------------------------------------------------------

nav_items.register(
    NavItem(
        key="my_sessions",
        order=5,
        label=_lazy("My sessions"),
        url_name="training:my_sessions",
        visible_to=selectors.is_instructor,
    )
)
nav_items.register(
    NavItem(
        key="instructors",
        order=45,
        label=_lazy("Instructors"),
        url_name="training:instructor_list",
        visible_to=selectors.may_read_training,
    )
)

# Reports --------------------------------------------------------------------------------------------------

reports.register(AttendanceRecapReport())
reports.register(CertificatesReport())

# The group page -------------------------------------------------------------------------------------------


def _group_trainings(request: Any, group: Any) -> dict | None:
    from django.db.models import Count, Q

    from .models import CertificateStatus, Training

    trainings = list(
        Training.objects.filter(groups=group)
        .select_related("village")
        .annotate(
            certified=Count(
                "certificates",
                filter=Q(certificates__membership__group=group, certificates__status=CertificateStatus.VALID),
            )
        )
        .order_by("start_date", "pk")
    )
    return {"trainings": trainings}


group_sections.register(
    GroupSection(
        key="trainings",
        label=_lazy("Training"),
        order=30,
        template="training/partials/_group_section.html",
        context=_group_trainings,
        visible_to=selectors.may_read_training,
    )
)
