"""Subcommands of the `tutor` command line, one module each."""
