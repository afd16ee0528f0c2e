"""Sign-in with a username typed in any case: "Admin", "ADMIN" and "admin" are the same account.

Office staff type their username on phones that capitalise the first letter, and on laptops with Caps Lock
on; Django's ModelBackend compares usernames exactly and answers "wrong password". Listed after axes'
backend in AUTHENTICATION_BACKENDS, so throttling still runs first.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest


def normalize_username(username: str) -> str:
    """The form of a username that decides who it is: NFKC (as Django stores it), then case-folded."""
    return unicodedata.normalize("NFKC", username).casefold()


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username axes counts failures under (AXES_USERNAME_CALLABLE): one counter for every spelling.

    Without it five wrong passwords for "admin" and five more for "Admin" would be two separate lockouts.
    """
    source: Any = credentials if credentials else getattr(request, "POST", {})
    username = source.get("username") if source else None
    return normalize_username(username) if isinstance(username, str) else username


class CaseInsensitiveModelBackend(ModelBackend):
    """ModelBackend that finds the user with ``username__iexact``."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        user_model = get_user_model()
        if username is None:
            username = kwargs.get(user_model.USERNAME_FIELD)
        if username is None or password is None:
            return None
        user = self._find(user_model, username)
        if user is None:
            # Run the password hasher once anyway: an unknown username takes as long as a wrong password.
            user_model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    @staticmethod
    def _find(user_model: Any, username: str) -> Any:
        """The one user whose username matches in any case; the exact spelling wins if two accounts differ
        only in case (older accounts; the user form refuses new ones), otherwise nobody."""
        field = user_model.USERNAME_FIELD
        candidates = list(user_model._default_manager.filter(**{f"{field}__iexact": username})[:5])
        if len(candidates) == 1:
            return candidates[0]
        exact = [u for u in candidates if getattr(u, field) == username]
        return exact[0] if len(exact) == 1 else None
