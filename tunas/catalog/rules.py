"""Who may do what in the catalogue, and what a price change or a group's state means for publication."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import Q

from tunas.accounts.roles import Role
from tunas.core.scoping import office_q
from tunas.registry.rules import SELECTED_GROUP_STATUSES

# The groups the catalogue may show: they passed selection and have not dissolved or been rejected.
PUBLIC_GROUP_STATUSES = tuple(str(s) for s in SELECTED_GROUP_STATUSES)


def price_change_needs_approval(*, approved: int | None, new: int) -> bool:
    """A first publication, or a price more than half away from the one last approved, waits for an
    officer."""
    if approved is None:
        return True
    return abs(new - approved) * 2 > approved


def _in_jurisdiction(user: Any, office: Any) -> bool:
    prefix = getattr(user, "jurisdiction", None)
    if prefix is None:
        return False
    code = office.region_code
    return prefix == "" or code == prefix or code.startswith(prefix + ".")


def may_approve(user: Any, group: Any) -> bool:
    """An officer (or administrator) of an office whose jurisdiction holds the group's programme."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.manages_programmes
        and _in_jurisdiction(user, group.program.office)
    )


def _linked(user: Any, profile: Any, role: str, field: str) -> bool:
    return (
        profile is not None
        and role in user.roles
        and getattr(profile, field) == user.pk
        and _in_jurisdiction(user, profile.group.program.office)
    )


def _assigned_groups(user: Any):
    """The groups the mentoring app assigns to this mentor now (a subquery), or None without that app."""
    if not apps.is_installed("tunas.mentoring"):
        return None
    assignment = apps.get_model("mentoring", "Assignment")
    return assignment.objects.filter(mentor=user, ended_on__isnull=True).values("group_id")


def is_group_mentor(user: Any, group: Any, profile: Any = None) -> bool:
    """The group's mentor: assigned to it in the mentoring app, or linked to its catalogue profile."""
    if not (
        user.is_authenticated and Role.MENTOR in user.roles and _in_jurisdiction(user, group.program.office)
    ):
        return False
    profile = profile if profile is not None else _profile(group)
    if _linked(user, profile, Role.MENTOR, "mentor_id"):
        return True
    assigned = _assigned_groups(user)
    return assigned is not None and assigned.filter(group_id=group.pk).exists()


def is_group_chair(user: Any, group: Any, profile: Any = None) -> bool:
    profile = profile if profile is not None else _profile(group)
    return bool(user.is_authenticated and _linked(user, profile, Role.GROUP_REP, "representative_id"))


def _profile(group: Any) -> Any:
    try:
        return group.catalog_profile
    except Exception:  # noqa: BLE001 - RelatedObjectDoesNotExist: no profile yet
        return None


def may_edit(user: Any, group: Any, profile: Any = None) -> bool:
    """The group's chair, the group's mentor or an officer edits the group's page and products."""
    if user is None or not user.is_authenticated:
        return False
    return (
        may_approve(user, group)
        or is_group_mentor(user, group, profile)
        or is_group_chair(user, group, profile)
    )


def may_link_editors(user: Any, group: Any) -> bool:
    """Only an officer links a chair's account or a mentor to a group."""
    return may_approve(user, group)


def may_see_interest(user: Any, group: Any, profile: Any = None) -> bool:
    """Clicks on the order button are shown to officers and to the group's mentor."""
    return may_approve(user, group) or is_group_mentor(user, group, profile)


def mentor_groups_q(user: Any, prefix: str = "") -> Q:
    """Groups (or, with ``prefix="group__"``, products) of which the user is the mentor."""
    q = Q(**{f"{prefix}catalog_profile__mentor": user})
    assigned = _assigned_groups(user)
    if assigned is not None:
        q |= Q(**{f"{prefix}pk__in": assigned})
    return q


def staff_scope_q(user: Any, prefix: str = "") -> Q:
    """Groups (``prefix=""``) or products (``prefix="group__"``) a signed-in user works on: the office's
    jurisdiction for the roles reading it, the linked groups for a mentor or a chair."""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    inside = office_q(user, f"{prefix}program__office")
    if user.reads_jurisdiction:
        return inside
    linked = Q(pk__in=[])
    if Role.MENTOR in user.roles:
        linked |= mentor_groups_q(user, prefix)
    if Role.GROUP_REP in user.roles:
        linked |= Q(**{f"{prefix}catalog_profile__representative": user})
    return inside & linked


def works_in_catalog(user: Any) -> bool:
    """Whether the catalogue's staff pages open at all for this user (rows are scoped separately)."""
    return bool(
        user is not None
        and user.is_authenticated
        and (user.reads_jurisdiction or user.has_role(Role.MENTOR, Role.GROUP_REP))
    )
