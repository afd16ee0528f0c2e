"""The report list in the navigation, for whoever may have at least one report."""

from django.utils.translation import gettext_lazy as _

from tunas.core.extensions import NavItem, nav_items

from .generators import reports_for

nav_items.register(
    NavItem(
        key="reports",
        order=70,
        label=_("Reports"),
        url_name="reports:list",
        visible_to=lambda user: bool(reports_for(user)),
    )
)
