"""Escaping control characters and shortening text for display."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from tutor.text import printable, shorten, spreadsheet_safe


def test_terminal_attacks_are_shown_not_acted_on() -> None:
    attack = "\x1b]52;c;aGFja2VkLWNsaXA=\x07\x1b]0;PWNED\x07\x1b[2J\x1b[?1049l"
    shown = printable(attack)
    assert "\x1b" not in shown and "\x07" not in shown
    assert shown.startswith("\\x1b]52;c;")


def test_newline_and_tab_are_kept_and_crlf_is_a_newline() -> None:
    assert printable("a\tb\nc\r\nd") == "a\tb\nc\nd"


def test_c1_and_bidi_controls_are_escaped() -> None:
    assert printable("\x9b2J") == "\\x9b2J"
    assert printable("abc\u202edef") == "abc\\u202edef"


def test_invisible_and_line_breaking_characters_are_escaped() -> None:
    """Two lesson titles that differ only by a zero-width space, an Arabic letter mark or a
    tag character must not look the same; U+2028 must not break a line unseen."""
    for hidden in ("\u061c", "\u200b", "\u2028", "\u2029", "\u2060", "\ufeff", "\U000e0041"):
        shown = printable(f"Tensors{hidden}")
        assert shown != "Tensors" and hidden not in shown and shown.startswith("Tensors\\")
    assert printable("a\u200db") == "a\u200db"  # a joiner: emoji and scripts need it


@given(st.text())
def test_printable_leaves_no_control_character(text: str) -> None:
    shown = printable(text)
    assert all(ch in "\n\t" or (ord(ch) >= 0x20 and not 0x7F <= ord(ch) <= 0x9F) for ch in shown)
    bidi_or_invisible = [ch for ch in shown if unicodedata.category(ch) in {"Zl", "Zp"}
                         or unicodedata.bidirectional(ch) in {"LRE", "RLE", "LRO", "RLO", "PDF",
                                                               "LRI", "RLI", "FSI", "PDI", "ALM"}]
    assert bidi_or_invisible == []


def test_a_cell_that_would_start_a_spreadsheet_formula_reads_as_text() -> None:
    for formula in ("=HYPERLINK(\"http://x\",\"open\")", "+1+cmd|' /C calc'!A0", "-2+3",
                    "@SUM(A1:A9)", "\t=1"):
        assert spreadsheet_safe(formula) == "'" + formula
    for number in ("-0.0898", "+1e-3", "-1,000", "-.5", "3.5", "tensor(52.)", "grad_fn=<Mul>"):
        assert spreadsheet_safe(number) == number


@given(st.text(), st.integers(min_value=1, max_value=50))
def test_shorten_respects_the_limit(text: str, limit: int) -> None:
    short = shorten(text, limit)
    assert len(short) <= limit
    assert short == text or short.endswith("…")
