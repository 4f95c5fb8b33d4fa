"""Syntax colours for the cell editors, made from the app's theme (never literal colours).

Textual's bundled editor themes have fixed colours: on a light theme, in 16 colours or with
NO_COLOR (grey 240 keywords on grey 237) some of their text could not be read. These styles use
the theme's text colours, which Textual makes legible on its surfaces, so the editor follows the
theme and every text keeps a WCAG AA contrast (tests/ui/test_contrast.py measures it).
"""

from __future__ import annotations

from rich.style import Style
from textual.color import Color
from textual.widgets.text_area import TextAreaTheme

from tutor.ui.legible import legible

#: Tree-sitter names by the theme colour that draws them (bold for keywords).
ROLES = {
    "text-accent": ("keyword", "repeat", "exception", "include", "keyword.function",
                    "keyword.return", "keyword.operator", "conditional", "type.builtin"),
    "text-success": ("string", "string.documentation"),
    "text-warning": ("number", "float", "boolean", "constant.builtin"),
    "text-primary": ("function", "function.call", "method", "method.call", "class", "type",
                     "type.class"),
}


#: The same roles in 16 colours, where the theme's colours are the terminal's own palette: blue
#: and red are too dark on black there, so keywords are cyan and calls plain.
ANSI_ROLES = {
    "secondary": ROLES["text-accent"],
    "success": ROLES["text-success"],
    "warning": ROLES["text-warning"],
}


def code_theme(name: str, variables: dict[str, str], ansi: bool) -> TextAreaTheme:
    """The editor theme for an app theme whose CSS variables are `variables`."""

    def color(variable: str) -> Color:
        return Color.parse(variables[variable])

    foreground, surface = color("foreground"), color("surface")
    if ansi:  # the terminal's own colours and palette: no blending
        base = gutter = Style(color="default", bgcolor="default")
        comment = Style(color="default", italic=True)
        current = Style(color="default", bgcolor="default", bold=True)
    else:
        soft = legible(surface.blend(foreground, 0.6), [surface], foreground)
        gutter = Style(color=soft.rich_color, bgcolor=surface.rich_color)
        comment = Style(color=soft.rich_color, italic=True)
        base = Style(color=foreground.rich_color, bgcolor=surface.rich_color)
        current = Style(color=foreground.rich_color, bgcolor=surface.rich_color, bold=True)
    syntax = {"comment": comment}
    for variable, names in (ANSI_ROLES if ansi else ROLES).items():
        bold = names is ROLES["text-accent"]
        syntax.update(dict.fromkeys(names, Style(color=color(variable).rich_color, bold=bold)))
    return TextAreaTheme(name=name, base_style=base, gutter_style=gutter,
                         cursor_line_gutter_style=current, syntax_styles=syntax)
