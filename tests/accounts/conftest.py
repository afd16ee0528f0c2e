"""Fixtures shared by the foundation tests."""

from tests.core.quick_hashing import _quick_argon2  # noqa: F401
