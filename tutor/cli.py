"""The `tutor` command line: global options, then a subcommand or the app."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from tutor import __version__
from tutor.commands import argparse_words
from tutor.commands.options import add_global_options
from tutor.i18n import SOURCE_LANGUAGE, _, choose_language, set_language
from tutor.settings import Settings, SettingsError, load_settings, settings_path

#: Subcommand modules under `tutor.commands`; each defines `register(subparsers)`.
COMMANDS: tuple[str, ...] = ("list", "check", "progress", "doctor", "serve", "report")


def build_parser(commands: Sequence[str] = COMMANDS) -> argparse.ArgumentParser:
    """The parser for `commands` (each imported to register itself), global options included."""
    argparse_words.install()
    # TRANSLATORS: the usage lines of `tutor --help`; LESSON and COMMAND are placeholders.
    usage = [_("tutor [options] [LESSON]"), _("tutor [options] COMMAND [command options]")]
    parser = argparse.ArgumentParser(
        prog="tutor",
        # The second line starts under the first, after argparse's (translated) "usage: ".
        usage=("\n" + " " * len(_("usage: "))).join(usage),
        description=_("Learn the PyTorch foundations of large language models, live in a "
                      "terminal."),
        epilog=_("Without a command, `tutor` opens the app at the lesson list; `tutor LESSON` "
                 "opens that lesson where you left it. Settings (keys, device, theme, "
                 "language) are read from {path}; options and TUTOR_KEYS win over it."
                 ).format(path=settings_path()),
    )
    parser.add_argument("--version", action="version", version=f"tutor {__version__}",
                        help=_("show program's version number and exit"))
    add_global_options(parser)
    parser.set_defaults(command=None)
    if not commands:
        return parser
    # prog: each subcommand's usage line starts `tutor check`, not with the usage above.
    subparsers = parser.add_subparsers(dest="command", metavar=_("COMMAND"), prog="tutor")
    for name in commands:
        module = importlib.import_module(f"tutor.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    lesson, args_list = _split_lesson(args_list)
    wants_command = any(a in COMMANDS for a in args_list) or {"-h", "--help"} & set(args_list)
    # Starting the app needs no subcommand module: skipping their imports keeps the first frame
    # quick (bench/first_frame.py).
    try:
        settings: Settings | None = load_settings()
    except SettingsError as exc:
        settings = None
        problem = exc  # worded below, once the language is chosen
    # The language comes first: the help and every message after it are in it.
    choice = choose_language(_option_value(args_list, "--lang"),
                             settings.language if settings else None)
    set_language(choice.language)
    if choice.notice:
        print(f"tutor: {choice.notice}", file=sys.stderr)
    parser = build_parser(COMMANDS if wants_command else ())
    args = parser.parse_args(args_list)
    if settings is None:
        print(_("tutor: settings file {problem}").format(problem=problem), file=sys.stderr)
        return 2
    if getattr(args, "json", False):
        # JSON keys and values are contracts: English, whatever the language of the lessons.
        set_language(SOURCE_LANGUAGE)

    # Options given on the command line win over the settings file.
    args.device = args.device or settings.device or "auto"
    args.lang = choice.language
    args.language_notice = choice.notice

    if args.command is None:
        from tutor.commands.app import run_app

        return run_app(args, lesson, settings)
    try:
        return int(args.func(args))
    except BrokenPipeError:
        # `tutor list | head` closed the pipe early: not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _option_value(args: list[str], option: str) -> str | None:
    """The value of `option` (`--lang sw` or `--lang=sw`), read before the parser is built."""
    for i, arg in enumerate(args):
        if arg == option and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(option + "="):
            return arg.split("=", 1)[1]
    return None


def _split_lesson(args: list[str]) -> tuple[str | None, list[str]]:
    """`tutor LESSON` opens the app at a lesson: take the first positional that is not a command."""
    takes_value = {"--lessons", "--device", "--lang"}
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in takes_value:
            i += 2
            continue
        if arg.startswith("-"):
            i += 1
            continue
        if arg in COMMANDS:
            return None, args
        return arg, args[:i] + args[i + 1 :]
    return None, args
