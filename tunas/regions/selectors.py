"""Reads of the region tables: searches for pickers, children for cascading selects, NIK region checks."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache

from django.db.models import Q, QuerySet

from .models import District, Regency, Village


def within_q(prefix: str, field: str = "code") -> Q:
    """Rows whose dotted code lies inside ``prefix`` ("" is the whole country)."""
    if not prefix:
        return Q()
    return Q(**{field: prefix}) | Q(**{f"{field}__startswith": prefix + "."})


def village_search(*, query: str, within: str = "", limit: int = 20) -> list[Village]:
    """Villages inside a jurisdiction whose name contains every typed word, or whose code starts with it.

    When no name contains the words, the closest names are offered instead (a typo such as "Smarapura"
    still finds Semarapura), searched among a bounded set of the jurisdiction's villages.
    """
    words = query.split()
    qs = Village.objects.filter(within_q(within)).select_related("district__regency")
    if not words:
        return []
    digits = "".join(words).replace(".", "")
    if digits.isdigit():
        return list(qs.filter(code__startswith=_dotted(digits)).order_by("code")[:limit])
    # Word by word, so "kaja semarapura" finds Semarapura Kaja as well as "semarapura kaja" does.
    contains = qs
    for word in words:
        contains = contains.filter(name__icontains=word)
    found = list(contains.order_by("name", "code")[:limit])
    if found:
        return found
    codes = village_codes_like(query=query, within=within, limit=limit)
    by_code = {v.code: v for v in qs.filter(code__in=codes)}
    return [by_code[code] for code in codes if code in by_code]


# Fuzzy matching: how alike two words must be (difflib's ratio, 0 to 1), and how many villages are read.
FUZZY_MIN_SCORE = 0.75
FUZZY_MAX_CANDIDATES = 3000
FUZZY_MIN_LETTERS = 3


def _name_words(text: str) -> list[str]:
    return re.sub(r"[^0-9a-z]+", " ", text.lower()).split()


def _word_score(typed: str, word: str) -> float:
    score = SequenceMatcher(None, typed, word).ratio()
    if len(typed) >= 4 and len(word) > len(typed):
        # A word still being typed ("smarap" for Semarapura) is compared with the start of the name.
        score = max(score, 0.95 * SequenceMatcher(None, typed, word[: len(typed) + 1]).ratio())
    return score


def fuzzy_score(query: str, name: str) -> float:
    """How well ``name`` matches the typed words (0 to 1): every typed word against its best name word."""
    typed, words = _name_words(query), _name_words(name)
    if not typed or not words:
        return 0.0
    # The weakest typed word decides: "smarapura kaja" must not find Sanur Kaja on "kaja" alone.
    return min(max(_word_score(t, w) for w in words) for t in typed)


def _candidates_q(typed: list[str]) -> Q:
    """Names with a word whose first letters are within one typo of the longest typed word's.

    The first letter is kept; one letter may be missing, extra or wrong among the next ones. For
    "smarapura": words starting "sma", "s?ma" (Semarapura), "sm?a", "saa", "sma", ... A province or the
    whole country reads those few hundred names rather than every village.
    """
    w = [re.escape(ch) for ch in max(typed, key=len)]
    starts = (
        {f"{w[0]}{w[1]}", f"{w[0]}.{w[1]}"}
        if len(w) < 3
        else {
            f"{w[0]}{w[1]}{w[2]}",  # as typed
            f"{w[0]}.{w[1]}{w[2]}",  # a letter missing after the first
            f"{w[0]}{w[1]}.{w[2]}",  # a letter missing after the second
        }
    )
    if len(w) >= 4:
        starts |= {
            f"{w[0]}{w[2]}{w[3]}",  # the second letter typed in excess
            f"{w[0]}{w[1]}{w[3]}",  # the third letter typed in excess
            f"{w[0]}.{w[2]}{w[3]}",  # the second letter wrong
            f"{w[0]}{w[1]}.{w[3]}",  # the third letter wrong
        }
    return Q(name__iregex=rf"(^|[^0-9a-z])({'|'.join(sorted(starts))})")


def village_codes_like(*, query: str, within: str = "", limit: int = 20) -> list[str]:
    """Codes of the villages whose names are closest to ``query``, best first; none below the threshold.

    Inside a regency (a hundred villages or so) every name is compared. A province or the whole country
    compares only names sharing the start of the longest typed word, at most FUZZY_MAX_CANDIDATES of them.
    """
    typed = _name_words(query)
    if sum(len(w) for w in typed) < FUZZY_MIN_LETTERS:
        return []
    candidates = Village.objects.filter(within_q(within))
    if len(within) < 5:
        candidates = candidates.filter(_candidates_q(typed))
    scored = []
    for code, name in candidates.order_by("code").values_list("code", "name")[:FUZZY_MAX_CANDIDATES]:
        score = fuzzy_score(query, name)
        if score >= FUZZY_MIN_SCORE:
            # Ties (Semarapura Kaja, Kangin, Kauh...) go to the name closest as a whole, then by name.
            whole = SequenceMatcher(None, " ".join(typed), " ".join(_name_words(name))).ratio()
            scored.append((-score, -whole, name, code))
    scored.sort()
    return [code for *_, code in scored[:limit]]


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
