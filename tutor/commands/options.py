"""Options every `tutor` command accepts, before or after the subcommand."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_global_options(parser: argparse.ArgumentParser, *, suppress: bool = False) -> None:
    """`--lessons`, `--device` and `--lang`; `suppress` on a subcommand's parser, so a value
    given before the subcommand is not overwritten by the subparser's default."""
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--lessons", type=Path, metavar="DIR", default=default,
        help="read lessons from DIR instead of the shipped course",
    )
    parser.add_argument(
        "--device", metavar="D", default=argparse.SUPPRESS if suppress else None,
        help="auto (default), cpu, cuda, cuda:N or mps",
    )
    parser.add_argument(
        "--lang", metavar="CODE", default=default,
        help="read lesson translations in this language (e.g. fr)",
    )
