"""The public pages' cache: a page is kept until anything it shows changes.

Every catalogue service bumps a generation number when it commits; a cached page's key holds the
generation and the newest entry of the registry's group and membership histories (a group dissolved or
renamed, a member's consent withdrawn: every registry save writes one), so that a page is never served
stale, whichever app made the change. Those are two primary-key lookups per request. Any registry change
drops every cached page, which is correct if coarse; a hook the registry calls would let it drop less.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models import Subquery
from django.http import HttpRequest, HttpResponse
from django.utils import translation

T = TypeVar("T")
GENERATION_KEY = "catalog:generation"
TIMEOUT = 600


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, None)
        value = cache.get(GENERATION_KEY) or 1
    return int(value)


def _bump() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, None)


def catalog_changed() -> None:
    """Called by every write the public pages show: their cached copies are dropped once it commits."""
    transaction.on_commit(_bump)


def registry_fingerprint() -> str:
    """The registry's latest change to any group or membership: the newest row of their history tables
    (every save through the registry writes one). One statement of two primary-key lookups."""
    from tunas.registry.models import Group, Membership

    groups = Group.history.model.objects  # type: ignore[attr-defined]
    members = Membership.history.model.objects  # type: ignore[attr-defined]
    newest_member = members.order_by("-history_id").values("history_id")[:1]
    row = groups.order_by("-history_id").values_list("history_id", Subquery(newest_member)).first()
    if row is None:  # no group yet: only the memberships' side can have changed
        row = (None, members.order_by("-history_id").values_list("history_id", flat=True).first())
    return f"{row[0]}|{row[1]}"


def cache_state() -> str:
    """What every cached page and datum depends on: the generation and the registry's latest change."""
    return f"{generation()}|{registry_fingerprint()}"


def request_state(request: HttpRequest) -> str:
    """The state ``public_cached`` read for this request, or a fresh one (one read per request)."""
    state = getattr(request, "catalog_state", None)
    if state is None:
        state = cache_state()
        request.catalog_state = state  # type: ignore[attr-defined]
    return state


def cached_data(name: str, build: Callable[[], T], *, state: str) -> T:
    """A value the public pages share (the categories, the districts, the featured products), kept until
    anything changes; pages whose own copy is not cached still reuse it."""
    key = f"catalog:data:{name}:{hashlib.sha256(state.encode()).hexdigest()}"
    found = cache.get(key)
    if found is None:
        found = build()
        cache.set(key, found, TIMEOUT)
    return found


def public_cached(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Caches a public page's 200 answers by path, query string and language (the pages hold no token)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "GET":
            return view(request, *args, **kwargs)
        raw = "|".join([request.get_full_path(), translation.get_language() or "", request_state(request)])
        key = "catalog:page:" + hashlib.sha256(raw.encode()).hexdigest()
        cached = cache.get(key)
        if cached is not None:
            content, content_type = cached
            response = HttpResponse(content, content_type=content_type)
            response["X-Catalog-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            cache.set(key, (response.content, response["Content-Type"]), TIMEOUT)
        return response

    return wrapped
