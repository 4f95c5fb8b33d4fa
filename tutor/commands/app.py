"""`tutor` and `tutor LESSON`: open the app (at the lesson list, or straight into a lesson)."""

from __future__ import annotations

import argparse
import sys

from tutor.course import load_course
from tutor.i18n import _
from tutor.settings import Settings


def run_app(args: argparse.Namespace, lesson: str | None, settings: Settings | None = None
            ) -> int:
    """Run the app; exit status 2 for an unknown lesson id."""
    course = load_course(args.lessons, args.lang)
    if lesson is not None and course.lesson(lesson) is None:
        known = ", ".join(item.id for item in course.lessons) or _("none")
        print(_("tutor: no lesson '{lesson}' (lessons: {known}); `tutor list` shows them, and "
                "any that are broken.").format(lesson=lesson, known=known), file=sys.stderr)

        return 2
    from tutor.ui.app import TutorApp  # imported late: `tutor list` need not load Textual

    app = TutorApp(course, lesson=lesson, device=args.device or "auto",
                   settings=settings)
    app.run()
    return app.return_code or 0
