"""Normalise what a learner typed: Unicode forms, minus signs, superscript exponents, case."""

from __future__ import annotations

import re
import unicodedata

#: Answers longer than this are refused before any parsing.
MAX_ANSWER_CHARS = 10_000

_MINUS = dict.fromkeys(map(ord, "\u2212\u2010\u2011\u2012\u2013\ufe63\uff0d"), "-")
_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_SUPERSCRIPT_RUN = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+")
_EDGE_PUNCTUATION = " .,;:!?'\"`()[]{}<>«»“”‘’"


def normalize_typed(text: str) -> str:
    """NFKC form with every minus-like dash as '-' and superscripts as '^N'; stripped."""
    text = _SUPERSCRIPT_RUN.sub(lambda m: "^" + m.group().translate(_SUPERSCRIPT), text)
    return unicodedata.normalize("NFKC", text).translate(_MINUS).strip()


def normalize_words(text: str) -> str:
    """Case-folded, spaces collapsed, surrounding punctuation dropped: for text and choices."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(folded.split()).strip(_EDGE_PUNCTUATION)


_LOOSE_DROP = re.compile(r"[\s\-_,'’]")


def loose_key(text: str) -> str:
    """`normalize_words` without spaces, dashes, underscores, commas or apostrophes, so that
    `fine tuning`, `60,000` and `view(2,3)` meet `Fine-tuning`, `60000` and `view(2, 3)`."""
    return _LOOSE_DROP.sub("", normalize_words(text))
