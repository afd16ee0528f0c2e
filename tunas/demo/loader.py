"""Loads the demo. ``load()`` is idempotent: it looks records up by their natural keys and creates only
what is missing."""

from .foundation import DEMO_PASSWORD, DEMO_USERS, load_foundation
from .registry import load_registry


def load() -> dict:
    result = load_foundation()
    result.update(load_registry(result["programs"]))
    return result


__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "load"]
