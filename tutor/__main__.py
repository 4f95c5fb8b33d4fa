"""Lets `python -m tutor` behave like the `tutor` console script."""

from tutor.cli import main

raise SystemExit(main())
