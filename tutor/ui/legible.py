"""Theme text colours made legible: at least WCAG AA (4.5:1) on the theme's backgrounds.

Textual's themes colour text with `$text-success`, `$text-accent`, the footer's keys with
`$footer-key-foreground` and so on; on several themes (textual-light among them) those fall
near 3:1 on their own backgrounds. The app replaces each such colour by the same hue blended
toward the theme's foreground just far enough to reach the target on every background, with a
margin so that a 256-colour terminal's nearest colour still passes. ANSI themes are left alone:
their colours are the terminal's own palette (the stylesheets handle them with `:ansi`).
"""

from __future__ import annotations

from rich.color import ColorSystem
from textual.color import Color

#: Theme variables used as text colours (by our stylesheets or Textual's widgets).
TEXT_COLOURS = (
    "text-primary", "text-secondary", "text-accent", "text-warning", "text-error",
    "text-success", "footer-key-foreground", "foreground-muted",
)

#: Backgrounds text is drawn on.
BACKGROUNDS = ("background", "surface", "panel", "boost", "footer-background")

#: The contrast aimed at, in true colour and once both colours are rounded to a 256-colour
#: terminal's palette (which can move them toward each other): AA's 4.5:1 and a margin.
TARGET = 4.8


def luminance(color: Color) -> float:
    """Relative luminance (WCAG 2.x)."""
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)


def contrast(a: Color, b: Color) -> float:
    """WCAG contrast ratio, 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def rounded(color: Color) -> Color:
    """The colour a 256-colour terminal shows for `color`."""
    r, g, b = color.rich_color.downgrade(ColorSystem.EIGHT_BIT).get_truecolor()
    return Color(r, g, b)


def readable(text: Color, background: Color, target: float) -> bool:
    """Whether `text` meets `target` on `background`, in true colour and in 256 colours."""
    return (contrast(text, background) >= target
            and contrast(rounded(text), rounded(background)) >= target)


def legible(color: Color, backgrounds: list[Color], toward: Color, target: float = TARGET
            ) -> Color:
    """`color`, blended toward `toward` (the foreground) until it meets `target` on every one
    of `backgrounds`."""
    for step in range(21):
        candidate = color.blend(toward, step / 20)
        if all(readable(candidate, background, target) for background in backgrounds):
            return candidate
    return toward


def parsed(value: str | None) -> Color | None:
    """A variable's colour, or None for values that are not one (`auto 87%`)."""
    if value is None:
        return None
    try:
        color = Color.parse(value)
    except Exception:  # Textual raises ColorParseError and friends for such values
        return None
    return None if color.ansi is not None or color.a < 1 else color


def legible_variables(variables: dict[str, str]) -> dict[str, str]:
    """The text-colour variables of a theme that need it, made legible (see the module)."""
    foreground = parsed(variables.get("foreground"))
    backgrounds = [c for c in map(parsed, map(variables.get, BACKGROUNDS)) if c is not None]
    if foreground is None or not backgrounds:
        return {}
    changed = {}
    # Some themes' own foreground is under the bar (solarized: 4.4:1): toward white or black.
    extreme = Color(255, 255, 255) if luminance(backgrounds[0]) < 0.2 else Color(0, 0, 0)
    readable_foreground = legible(foreground, backgrounds, extreme, target=7.0)
    if readable_foreground != foreground:
        foreground = readable_foreground
        changed["foreground"] = foreground.hex
    for name in TEXT_COLOURS:
        color = parsed(variables.get(name))
        if color is not None:
            fixed = legible(color, backgrounds, foreground)
            if fixed != color:
                changed[name] = fixed.hex
    return changed
