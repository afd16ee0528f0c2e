"""Reads of the region tables: searches for pickers, children for cascading selects, NIK region checks."""

from __future__ import annotations

from functools import lru_cache

from django.db.models import Q, QuerySet

from .models import District, Regency, Village


def within_q(prefix: str, field: str = "code") -> Q:
    """Rows whose dotted code lies inside ``prefix`` ("" is the whole country)."""
    if not prefix:
        return Q()
    return Q(**{field: prefix}) | Q(**{f"{field}__startswith": prefix + "."})


def village_search(*, query: str, within: str = "", limit: int = 20) -> QuerySet[Village]:
    """Villages inside a jurisdiction whose name contains every typed word, or whose code starts with it."""
    words = query.split()
    qs = Village.objects.filter(within_q(within)).select_related("district__regency")
    if not words:
        return qs.none()
    digits = "".join(words).replace(".", "")
    if digits.isdigit():
        return qs.filter(code__startswith=_dotted(digits)).order_by("code")[:limit]
    # Word by word, so "kaja semarapura" finds Semarapura Kaja as well as "semarapura kaja" does.
    for word in words:
        qs = qs.filter(name__icontains=word)
    return qs.order_by("name", "code")[:limit]


def _dotted(digits: str) -> str:
    parts = [digits[0:2], digits[2:4], digits[4:6], digits[6:10]]
    return ".".join(p for p in parts if p)


def regencies_in(prefix: str) -> QuerySet[Regency]:
    return Regency.objects.filter(within_q(prefix)).order_by("code")


def districts_of(regency_code: str) -> QuerySet[District]:
    return District.objects.filter(regency_id=regency_code).order_by("name")


def villages_of(district_code: str) -> QuerySet[Village]:
    return Village.objects.filter(district_id=district_code).order_by("name")


@lru_cache(maxsize=1)
def known_district_codes() -> frozenset[str]:
    """Every district code, read once per process (7,285 short strings) for NIK region warnings."""
    return frozenset(District.objects.values_list("code", flat=True))


def district_exists(code: str) -> bool:
    codes = known_district_codes()
    if not codes:
        # Regions are not loaded yet: no warning rather than a warning on every NIK, and no caching of the
        # empty answer, so the check works as soon as load_regions has run.
        known_district_codes.cache_clear()
        return True
    return code in codes


def normalize_region_code(text: str) -> str:
    """``5105031008`` or ``51.05.03.1008`` -> ``51.05.03.1008``."""
    digits = "".join(ch for ch in str(text) if ch.isdigit())
    return _dotted(digits)
