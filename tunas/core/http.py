"""Request types for views: behind ``login_required`` the user is a Tunas user, never anonymous.

Core imports no other Tunas app, so the user is described here by what views use of it (a Protocol);
``accounts.User`` has all of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails


class StaffUser(Protocol):
    """What a signed-in Tunas user offers the views (``accounts.User`` implements it)."""

    pk: Any
    username: str
    is_authenticated: bool
    is_superuser: bool
    office: Any
    office_id: int | None

    @property
    def roles(self) -> frozenset[str]: ...

    def has_role(self, *roles: str) -> bool: ...

    def get_full_name(self) -> str: ...

    @property
    def jurisdiction(self) -> str | None: ...

    @property
    def sees_full_nik(self) -> bool: ...

    @property
    def reads_jurisdiction(self) -> bool: ...

    @property
    def manages_programmes(self) -> bool: ...


class AuthenticatedHttpRequest(HttpRequest):
    """For annotations only: ``request.user`` is a signed-in Tunas user (office, roles, jurisdiction)."""

    user: StaffUser  # type: ignore[assignment]
    htmx: HtmxDetails
