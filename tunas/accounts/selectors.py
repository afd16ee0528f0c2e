"""Reads of users, scoped to the viewer's office."""

from django.db.models import QuerySet

from tunas.core.http import StaffUser
from tunas.core.scoping import office_q

from .models import User


def user_list_visible(*, user: StaffUser) -> QuerySet[User]:
    """Users of offices inside the viewer's jurisdiction, with their office and roles in two queries."""
    return (
        User.objects.filter(office_q(user))
        .select_related("office")
        .prefetch_related("groups")
        .order_by("office__name", "username")
    )
