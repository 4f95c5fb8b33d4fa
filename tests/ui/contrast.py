"""WCAG contrast of what the app draws, computed from the rendered screen's styles.

The screen is read back as Textual composes it (the strips it would write, its NO_COLOR filter
applied), then each character's colours are turned into what a terminal shows: true colour as
is, or reduced the way Rich reduces them for a 256- or 16-colour terminal, shown with xterm's
palette. Whitespace and block/box-drawing characters (borders, scrollbars) are not text.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.color import Color, ColorSystem, ColorType
from rich.color_triplet import ColorTriplet
from rich.style import Style
from rich.terminal_theme import TerminalTheme
from textual.app import App
from textual.geometry import Region

#: xterm's default palette: what a 16-colour terminal shows for each of the standard colours.
XTERM = TerminalTheme(
    (0, 0, 0), (229, 229, 229),
    [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205),
     (0, 205, 205), (229, 229, 229)],
    [(127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255),
     (0, 255, 255), (255, 255, 255)],
)

#: Colour depth of each mode a test can ask for.
SYSTEMS = {"truecolor": ColorSystem.TRUECOLOR, "256": ColorSystem.EIGHT_BIT,
           "16": ColorSystem.STANDARD}

#: WCAG AA for normal text.
AA = 4.5


def luminance(rgb: ColorTriplet | tuple[int, int, int]) -> float:
    """Relative luminance (WCAG 2.x)."""
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    """The WCAG contrast ratio of two colours, from 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def shown(color: Color | None, system: ColorSystem, default: tuple[int, int, int]
          ) -> tuple[int, int, int]:
    """The colour a terminal of this depth shows (xterm's palette for the standard colours)."""
    if color is None or color.type == ColorType.DEFAULT:
        return default
    reduced = color.downgrade(system) if system != ColorSystem.TRUECOLOR else color
    return tuple(reduced.get_truecolor(XTERM))  # type: ignore[return-value]


def is_text(char: str) -> bool:
    """Letters, digits, punctuation: not blanks, box drawing, blocks or braille."""
    if char.isspace() or not char:
        return False
    return not 0x2500 <= ord(char) <= 0x259F and not 0x2800 <= ord(char) <= 0x28FF


@dataclass
class Finding:
    """A run of text below the bar, where it is on the screen."""

    text: str
    row: int
    ratio: float
    fg: tuple[int, int, int]
    bg: tuple[int, int, int]

    def __str__(self) -> str:
        return f"row {self.row}: {self.text!r} {self.ratio:.2f}:1 (fg {self.fg}, bg {self.bg})"


def colours(style: Style, system: ColorSystem) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """Foreground and background of a style as shown (reverse and dim applied)."""
    fg = shown(style.color, system, XTERM.foreground_color)
    bg = shown(style.bgcolor, system, XTERM.background_color)
    if style.reverse:
        fg, bg = bg, fg
    if style.dim:
        fg = tuple((f + b) // 2 for f, b in zip(fg, bg, strict=True))  # type: ignore[assignment]
    return fg, bg


def low_contrast(app: App[object], mode: str, bar: float = AA, region: Region | None = None
                 ) -> list[Finding]:
    """Every run of text on the app's screen (or in `region` of it: a dialog over a faded
    screen) whose contrast is under `bar` in `mode`."""
    system = SYSTEMS[mode]
    findings: list[Finding] = []
    strips = app.screen._compositor.render_strips()  # what the terminal would be sent
    for row, strip in enumerate(strips):
        x = 0
        for segment in strip:
            start, x = x, x + segment.cell_length
            if region is not None and not region.contains(start, row):
                continue
            if segment.control or segment.style is None:
                continue
            text = "".join(c for c in segment.text if is_text(c))
            if not text:
                continue
            fg, bg = colours(segment.style, system)
            ratio = contrast(fg, bg)
            if ratio < bar:
                findings.append(Finding(segment.text.strip(), row, ratio, fg, bg))
    return findings
