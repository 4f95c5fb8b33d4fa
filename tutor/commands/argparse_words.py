"""argparse's own words (`usage:`, `options`, its error sentences) through the tutor's catalog.

argparse translates its messages with the `gettext` module's global functions, which read the
"argparse" domain of the process locale, not the tutor's catalog or `--lang`. `install()` points
argparse's `_` at `tutor.i18n._`, so `tutor --lang sw --help` and a mistyped option are worded
in the tutor's language; a message the catalog lacks reads as argparse wrote it. The msgids
below are argparse's own (Python 3.10 to 3.13), marked so that Babel puts them in the catalog.
Call `install()` before building a parser: the group titles and the `-h` help are translated
when a parser is made.
"""

from __future__ import annotations

import argparse

from tutor.i18n import N_, _

#: argparse's messages a `tutor` user can meet (the parser's own misuse, such as conflicting
#: option strings, is a programming error and left out).
MESSAGES = (
    # TRANSLATORS: argparse's usage prefix; keep the space at the end.
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("show program's version number and exit"),
    # TRANSLATORS: argparse's error line; keep %(prog)s, %(message)s and the line break.
    N_("%(prog)s: error: %(message)s\n"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("one of the arguments %s is required"),
)


def install() -> None:
    """Word argparse's messages with the tutor's catalog, in the current language."""
    argparse._ = _  # type: ignore[attr-defined]
