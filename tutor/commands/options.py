"""Options every `tutor` command accepts, before or after the subcommand."""

from __future__ import annotations

import argparse
from pathlib import Path

from tutor.i18n import _, available_languages


def add_global_options(parser: argparse.ArgumentParser, *, suppress: bool = False) -> None:
    """`--lessons`, `--device` and `--lang`; `suppress` on a subcommand's parser, so a value
    given before the subcommand is not overwritten by the subparser's default."""
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        # TRANSLATORS: placeholders in the help (upper case): a folder, a device, a language code.
        "--lessons", type=Path, metavar=_("DIR"), default=default,
        help=_("read lessons from DIR instead of the shipped course"),
    )
    parser.add_argument(
        "--device", metavar=_("D"), default=argparse.SUPPRESS if suppress else None,
        help=_("auto (default), cpu, cuda, cuda:N or mps"),
    )
    parser.add_argument(
        "--lang", metavar=_("CODE"), default=default,
        help=_("the language of the interface and lessons: {languages} (default: TUTOR_LANG, "
               "the settings file, then the locale)").format(
                   languages=", ".join(available_languages())),
    )

