"""Markdown for lesson prose, with code blocks that never make Pygments guess their language.

Textual's Markdown guesses the lexer of a code block without a language, and guessing loads
every Pygments lexer (about 250 modules, ~19 MiB in the UI process). Such blocks are plain text.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Markdown
from textual.widgets.markdown import MarkdownBlock, MarkdownFence


class PlainFence(MarkdownFence):
    """A code block: highlighted when it names its language, plain text otherwise."""

    @classmethod
    def highlight(cls, code: str, language: str, ansi: bool = False, dark: bool = False
                  ) -> Content:
        return super().highlight(code, language or "text", ansi=ansi, dark=dark)


class Prose(Markdown):
    """Markdown whose unlabelled code blocks stay plain text."""

    BLOCKS: dict[str, type[MarkdownBlock]] = {  # noqa: RUF012 (Markdown declares it so)
        **Markdown.BLOCKS, "fence": PlainFence, "code_block": PlainFence,
    }
