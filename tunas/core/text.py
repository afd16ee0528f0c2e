"""Text as people type it into names and addresses: one Unicode form, no invisible characters.

A name pasted from a chat or a PDF can carry zero-width spaces (which defeat the duplicate check: two
names that look the same compare different) or bidirectional overrides (which make a name display as
another). Zero-width characters are removed; direction controls are refused, since no Indonesian name
needs them.
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width space, non-joiner, joiner, word joiner, byte-order mark, soft hyphen.
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# Left-to-right/right-to-left marks, embeddings, overrides and isolates, Arabic letter mark.
_BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")


def has_direction_controls(value: str) -> bool:
    """Whether ``value`` holds characters that change the display direction of text."""
    return bool(_BIDI_CONTROLS.search(value or ""))


def clean_text(value: str) -> str:
    """NFC form, zero-width characters removed, runs of white space as one space, trimmed."""
    text = unicodedata.normalize("NFC", value or "")
    text = _ZERO_WIDTH.sub("", text)
    return " ".join(text.split())
