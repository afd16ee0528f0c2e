"""Contribution registries: how a higher app shows its pieces on a lower layer's pages.

A lower layer defines a registry: the home page's cards and the navigation here; the programme page's
tabs, dossier sections and stage checks in the programs app's ``extensions.py``; reports in the reports
app. Each app registers its pieces in its own ``contributions.py``, imported once at start-up by
``autodiscover_contributions`` (as the admin finds ``admin.py``). The lower layer reads the registry and
never imports the app.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules

CONTRIBUTIONS_MODULE = "contributions"


class Contribution(Protocol):
    """What every registered piece has: a unique key and a place in the order."""

    @property
    def key(self) -> str: ...

    @property
    def order(self) -> int: ...


T = TypeVar("T", bound=Contribution)


class Registry(Generic[T]):
    """Pieces by key, read in ``order`` (then key). Registering a key twice is a configuration error."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._items: dict[str, T] = {}

    def register(self, item: T) -> T:
        if item.key in self._items:
            raise ImproperlyConfigured(f"{self.name}: the key {item.key!r} is registered twice.")
        self._items[item.key] = item
        return item

    def unregister(self, key: str) -> None:
        self._items.pop(key, None)

    def get(self, key: str) -> T | None:
        return self._items.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[T]:
        return iter(self.items())

    def __len__(self) -> int:
        return len(self._items)

    def items(self) -> list[T]:
        return sorted(self._items.values(), key=lambda item: (item.order, item.key))

    @contextlib.contextmanager
    def register_temporarily(self, *items: T) -> Iterator[None]:
        """For tests: the items are registered inside the block only."""
        for item in items:
            self.register(item)
        try:
            yield
        finally:
            for item in items:
                self.unregister(item.key)


def _everyone(user: Any) -> bool:
    return True


Label = str | Promise


@dataclass(frozen=True)
class HomeCard:
    """A card on the home page: what needs the signed-in user now.

    ``build(user)`` returns the template's context, or None when the card has nothing for this user.
    A ``stat`` card is a small tile in the "What needs you now" row; a ``panel`` spans the page below it.
    """

    key: str
    order: int
    template: str
    build: Callable[[Any], dict | None]
    kind: str = "stat"
    visible_to: Callable[[Any], bool] = field(default=_everyone)


@dataclass(frozen=True)
class NavItem:
    """An entry of the main navigation; ``url_name`` is reversed when the page is drawn."""

    key: str
    order: int
    label: Label
    url_name: str
    visible_to: Callable[[Any], bool] = field(default=_everyone)


home_cards: Registry[HomeCard] = Registry("home cards")
# The home page's one primary button: the first of these the user may use.
home_actions: Registry[NavItem] = Registry("home actions")
nav_items: Registry[NavItem] = Registry("navigation")


def autodiscover_contributions() -> None:
    """Imports every installed app's ``contributions`` module once (called from CoreConfig.ready)."""
    autodiscover_modules(CONTRIBUTIONS_MODULE)
