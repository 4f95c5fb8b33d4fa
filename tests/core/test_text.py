"""Escaping control characters and shortening text for display."""

from hypothesis import given
from hypothesis import strategies as st

from tutor.text import printable, shorten


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


@given(st.text())
def test_printable_leaves_no_control_character(text: str) -> None:
    shown = printable(text)
    assert all(ch in "\n\t" or (ord(ch) >= 0x20 and not 0x7F <= ord(ch) <= 0x9F) for ch in shown)


@given(st.text(), st.integers(min_value=1, max_value=50))
def test_shorten_respects_the_limit(text: str, limit: int) -> None:
    short = shorten(text, limit)
    assert len(short) <= limit
    assert short == text or short.endswith("…")
