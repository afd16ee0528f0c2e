"""The region browser in the navigation, for the staff who keep the hamlet lists."""

from django.utils.translation import gettext_lazy as _

from tunas.core.extensions import NavItem, nav_items

nav_items.register(
    NavItem(
        key="regions",
        order=60,
        label=_("Regions"),
        url_name="regions:browser",
        visible_to=lambda user: user.manages_programmes,
    )
)
