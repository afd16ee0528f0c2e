"""Request types for views: behind ``login_required`` the user is a Tunas user, never anonymous."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from tunas.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """For annotations only: ``request.user`` has the office, roles and jurisdiction of accounts.User."""

    user: User  # type: ignore[assignment]
    htmx: HtmxDetails
