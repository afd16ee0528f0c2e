"""What core itself puts in the navigation: the way home."""

from django.utils.translation import gettext_lazy as _

from .extensions import NavItem, nav_items

nav_items.register(NavItem(key="home", order=0, label=_("Home"), url_name="core:home"))
