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
#: Invisible formatting characters (Unicode category Cf: zero-width spaces, bidi marks and
#: overrides, the byte-order mark, soft hyphens) that come with pasted text and mean nothing.
_INVISIBLE = re.compile(r"[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
                        r"\ufeff\ufff9-\ufffb]")
#: Vulgar fractions (½, ¾...), after a whole number or not: "2½" is 2 + 1/2. A match starts
#: only where a run of digits starts: tried inside a run as well, a long run of digits took
#: quadratic time (10,000 typed digits: 5 s of the app's event loop per grade).
_VULGAR = "½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅐⅛⅜⅝⅞⅑⅒↉"
_VULGAR_RUN = re.compile(rf"(?<!\d)(\d*)\s*([{_VULGAR}])")
#: Digits of other scripts (Arabic-Indic ٣, Devanagari ३...) and the Arabic decimal marks.
_OTHER_DIGIT = re.compile(r"[^\x00-\x7f]")
_ARABIC_MARKS = str.maketrans({"\u066b": ".", "\u066c": ",", "\u2044": "/"})


def _vulgar(match: re.Match[str]) -> str:
    whole, fraction = match.group(1), unicodedata.normalize("NFKC", match.group(2))
    fraction = fraction.replace("\u2044", "/")
    return f"({whole}+{fraction})" if whole else fraction


def _ascii_digit(match: re.Match[str]) -> str:
    char = match.group()
    return str(unicodedata.decimal(char)) if unicodedata.decimal(char, None) is not None else char


def normalize_typed(text: str) -> str:
    """NFKC form with every minus-like dash as '-', superscripts as '^N', vulgar fractions as
    a/b, digits of any script as ASCII digits and invisible formatting characters dropped;
    stripped."""
    text = _INVISIBLE.sub("", text)
    text = _SUPERSCRIPT_RUN.sub(lambda m: "^" + m.group().translate(_SUPERSCRIPT), text)
    text = _VULGAR_RUN.sub(_vulgar, text)
    text = unicodedata.normalize("NFKC", text).translate(_MINUS).translate(_ARABIC_MARKS)
    return _OTHER_DIGIT.sub(_ascii_digit, text).strip()


def normalize_words(text: str) -> str:
    """Case-folded, spaces collapsed, surrounding punctuation dropped: for text and choices."""
    folded = unicodedata.normalize("NFKC", _INVISIBLE.sub("", text)).casefold()
    return " ".join(folded.split()).strip(_EDGE_PUNCTUATION)


_LOOSE_DROP = re.compile(r"[\s\-_,'’]")


def loose_key(text: str) -> str:
    """`normalize_words` without spaces, dashes, underscores, commas or apostrophes, so that
    `fine tuning`, `60,000` and `view(2,3)` meet `Fine-tuning`, `60000` and `view(2, 3)`."""
    return _LOOSE_DROP.sub("", normalize_words(text))
