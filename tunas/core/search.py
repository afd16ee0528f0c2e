"""Text search that does not scan: every typed word must appear, in any order, as the village picker takes
them ("sari made" finds Ni Made Sari; extra spaces and capitals do not matter).

On PostgreSQL a trigram GIN index (``pg_trgm``) answers the containment; when the words are found nowhere, a
second try by trigram word similarity finds a word typed with a slip ("Sudarmo" for Sudarma), as the village
picker falls back to its closest names. On SQLite, meant for one office's own data, the same words are
matched by LIKE.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Q

# Words shorter than this are matched only exactly: similarity on two letters finds everything.
FUZZY_MIN_LETTERS = 4
# More words than this are ignored: a pasted paragraph is not a name.
MAX_WORDS = 6


def search_words(text: str) -> list[str]:
    """The lower-cased words of a query, at most ``MAX_WORDS`` of them, each at most 40 characters."""
    return [word[:40] for word in " ".join(str(text or "").lower().split()).split(" ") if word][:MAX_WORDS]


def words_q(field: str, text: str, *, lowered: bool = True, fuzzy: bool = False) -> Q:
    """Rows whose ``field`` holds every word of ``text``. ``lowered`` says the field is stored lower-case
    (a search key), so a case-sensitive match can use its trigram index directly; ``fuzzy`` (PostgreSQL
    only) also accepts words similar to the typed ones."""
    condition = Q()
    for word in search_words(text):
        lookup = "contains" if lowered else "icontains"
        one = Q(**{f"{field}__{lookup}": word})
        if fuzzy and lowered and len(word) >= FUZZY_MIN_LETTERS:
            one |= Q(**{f"{field}__trigram_word_similar": word})
        condition &= one
    return condition


def supports_fuzzy() -> bool:
    """Whether the database can look for similar words (pg_trgm)."""
    return connection.vendor == "postgresql"
