"""What other apps show on a group's page: its trainings, aid, mentoring, products.

The registry defines this registry and draws it below the members; the apps above it (training, aid,
mentoring, catalog) register their sections in their own ``contributions.py``. The registry never imports
those apps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tunas.core.extensions import Label, Registry

if TYPE_CHECKING:
    from tunas.core.http import AuthenticatedHttpRequest

    from .models import Group


def _everyone(user: Any) -> bool:
    return True


@dataclass(frozen=True)
class GroupSection:
    """A card on the group page: ``template`` is drawn with the page's context plus ``context(...)``, whose
    keys it reads under ``section`` (a section returning None is left out)."""

    key: str
    label: Label
    order: int
    template: str
    context: Callable[[AuthenticatedHttpRequest, Group], dict | None]
    visible_to: Callable[[Any], bool] = field(default=_everyone)


group_sections: Registry[GroupSection] = Registry("group page sections")


def sections_for(request: AuthenticatedHttpRequest, group: Group) -> list[tuple[GroupSection, dict]]:
    """The sections this user sees on this group's page, each with its data, in order."""
    shown = []
    for section in group_sections:
        if not section.visible_to(request.user):
            continue
        data = section.context(request, group)
        if data is not None:
            shown.append((section, data))
    return shown


# Who reads a group without reading the whole jurisdiction (a mentor, their assigned groups) -----------------


@dataclass(frozen=True)
class GroupReaders:
    """Groups a user reads by assignment rather than by jurisdiction: ``group_ids(user)`` is a query of
    group ids (a subquery, never a list), or None when the user holds no such assignment."""

    key: str
    order: int
    group_ids: Callable[[Any], Any]


group_readers: Registry[GroupReaders] = Registry("group readers")


def assigned_group_ids(user: Any):
    """The union of the groups every registered reader gives this user, as subqueries; [] when none."""
    found = []
    for reader in group_readers:
        ids = reader.group_ids(user)
        if ids is not None:
            found.append(ids)
    return found


# When a group actually received its aid (the aid app's handovers and transfers) -----------------------------


@dataclass(frozen=True)
class AidDateSource:
    """``dates(group_ids)`` gives the day each of those groups received its aid, for the groups it knows."""

    key: str
    order: int
    dates: Callable[[set[int]], dict[int, Any]]


aid_date_sources: Registry[AidDateSource] = Registry("aid date sources")


def aid_dates(*, group_ids: set[int]) -> dict:
    """The first day each group received aid, by any registered source; a group none of them knows keeps
    its programme's aid date (records from before handovers were kept in Tunas)."""
    found: dict = {}
    if not group_ids:
        return found
    for source in aid_date_sources:
        for group_id, day in source.dates(group_ids).items():
            found[group_id] = min(found.get(group_id, day), day)
    return found


# What other apps record about a group during a mentor's visit (the aid app: the condition of its items) -----


@dataclass(frozen=True)
class VisitCheck:
    """A part of the visit form that another app owns. The visit's service calls it after it has checked
    that the mentor may write for the group:

    - ``context(group)`` gives what the form's ``template`` draws (under ``check``), or None when there is
      nothing to check in this group;
    - ``clean(group, items, on)`` reads the items the phone sent under ``checks[key]`` and returns them
      cleaned, or raises ``ValidationError`` keyed ``checks.<key>.<item id>``, shown beside that item;
    - ``record(group, cleaned, on, by, visit_id)`` stores them in the visit's transaction, once per visit;
    - ``recorded(visit_id)`` gives the lines the visit's page shows (``detail_template``, under ``lines``).
    """

    key: str
    label: Label
    order: int
    template: str
    detail_template: str
    context: Callable[[Group], dict | None]
    clean: Callable[[Group, Any, Any], Any]
    record: Callable[..., None]
    recorded: Callable[[Any], list]


visit_checks: Registry[VisitCheck] = Registry("visit checks")


def visit_checks_for(group: Group) -> list[tuple[VisitCheck, dict]]:
    """The parts of the visit form for this group, each with its data, in order."""
    shown = []
    for check in visit_checks:
        data = check.context(group)
        if data is not None:
            shown.append((check, data))
    return shown


# Who keeps figures that depend on which groups are selected (mentoring's reports per month) ----------------


@dataclass(frozen=True)
class SelectionListener:
    """``changed(group_ids)`` is called in the transaction of a decision that moves those groups into or out
    of the selection, so that figures kept elsewhere follow at once."""

    key: str
    order: int
    changed: Callable[[list[int]], None]


selection_listeners: Registry[SelectionListener] = Registry("selection listeners")
