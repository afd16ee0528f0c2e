"""What accounts shows on the layers below it: the user administration in the navigation, and the first
screen of the roles whose own work (training, mentoring, the group's page) has no pages yet."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from tunas.core.extensions import HomeCard, NavItem, home_cards, nav_items

from .roles import Role

nav_items.register(
    NavItem(
        key="users",
        order=90,
        label=_lazy("Users"),
        url_name="accounts:user_list",
        visible_to=lambda user: user.has_role(Role.ADMIN),
    )
)

# The home page --------------------------------------------------------------------------------------------
# A mentor, an instructor or a group chair sees what is theirs; until the mentoring and training records
# exist, nothing is assigned to anyone, and the card says so and who assigns it. The apps that bring the
# assignments replace these cards with their own (unregister the key, register theirs).

ROLE_CARD = "accounts/partials/_home_role.html"


def _holds(role: str):
    # Held by name, not through has_role: a superuser is not a mentor waiting for groups.
    def visible(user: Any) -> bool:
        return role in user.roles

    return visible


def _office_sentence(user: Any, with_office: str, without_office: str) -> str:
    if user.office is None:
        return without_office
    return with_office % {"office": user.office}


def _mentor(user: Any) -> dict:
    return {
        "title": _("My groups"),
        "empty": _("No group is assigned to you yet."),
        "who": _office_sentence(
            user,
            _("The programme officer of %(office)s assigns mentors to groups."),
            _("The programme officer of your office assigns mentors to groups."),
        ),
    }


def _group_rep(user: Any) -> dict:
    return {
        "title": _("My group"),
        "empty": _("No group is linked to your account yet."),
        "who": _office_sentence(
            user,
            _("The programme officer of %(office)s links group chairs to their groups."),
            _("The programme officer of your office links group chairs to their groups."),
        ),
    }


for key, order, role, build in [
    ("mentor_groups", 60, Role.MENTOR, _mentor),
    ("group_rep_group", 62, Role.GROUP_REP, _group_rep),
]:
    home_cards.register(
        HomeCard(key=key, order=order, kind="panel", template=ROLE_CARD, build=build, visible_to=_holds(role))
    )
