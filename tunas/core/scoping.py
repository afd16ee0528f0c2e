"""Jurisdiction scoping: every read of office-owned data goes through these filters."""

from __future__ import annotations

from django.db.models import Q


def jurisdiction_q(user, field: str) -> Q:
    """Rows whose ``field`` (a region code) lies inside the user's jurisdiction; nothing for outsiders."""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    prefix = user.jurisdiction
    if prefix is None:
        return Q(pk__in=[])
    if prefix == "":
        return Q()
    return Q(**{field: prefix}) | Q(**{f"{field}__startswith": prefix + "."})


def office_q(user, office_field: str = "office") -> Q:
    """Rows owned by an office inside the user's jurisdiction (a province sees its regencies' offices)."""
    return jurisdiction_q(user, f"{office_field}__region_code")
