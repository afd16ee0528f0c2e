"""The user administration in the navigation, for the office's administrators."""

from django.utils.translation import gettext_lazy as _

from tunas.core.extensions import NavItem, nav_items

from .roles import Role

nav_items.register(
    NavItem(
        key="users",
        order=90,
        label=_("Users"),
        url_name="accounts:user_list",
        visible_to=lambda user: user.has_role(Role.ADMIN),
    )
)
