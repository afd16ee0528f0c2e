"""The built-in demo: the Klungkung 2018 programme from the news report, and a 2026 one in registration.

``load()`` is idempotent: it looks records up by their natural keys and creates only what is missing.
"""

from .foundation import DEMO_PASSWORD, DEMO_USERS, load_foundation


def load() -> dict:
    from .registry import load_registry

    result = load_foundation()
    result.update(load_registry(result["programs"]))
    return result


__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "load"]
