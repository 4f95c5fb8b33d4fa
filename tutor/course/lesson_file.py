"""Parse one lesson file (docs/lesson-format.md) into a `Lesson`, collecting every defect.

Markdown structure comes from markdown-it-py and quiz bodies from PyYAML; this module only maps
their tokens onto steps, cells and quizzes, and checks what a teacher can get wrong.
"""

from __future__ import annotations

import math
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

from tutor.course.model import Block, Cell, Lesson, LessonError, Prose, Quiz, StaticCode, Step
from tutor.course.quiz_block import ID_PATTERN, parse_quiz
from tutor.course.yaml_source import Collector, Located, load_yaml
from tutor.i18n import N_, _, in_language

FRONT_KEYS = {"id", "title", "order", "summary", "timeout"}
#: The range of a lesson's `timeout` (seconds per cell): long enough for a training loop on a slow
#: CPU, short enough that a runaway cell in `tutor check` ends.
MIN_TIMEOUT = 0.1
MAX_TIMEOUT = 600.0
#: Largest lesson file read (the largest shipped one is under 20 KB).
MAX_LESSON_BYTES = 4 << 20
#: Most cells, and most quizzes, one step may hold: the app builds a step's editors and quiz
#: panels at once (a step of 1,000 quizzes took 42 s to show and 700 MB). The course's steps
#: hold at most 3 of each.
MAX_PER_STEP = 20


@cache
def _markdown() -> Any:
    """The Markdown parser, imported on first use (a cached course needs none)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


def parse_lesson(path: Path, *, lang: str = "en") -> tuple[Lesson | None, list[LessonError]]:
    """Parse the lesson at `path`; the lesson is None when it cannot be used at all."""
    errors = Collector(path)
    try:
        with path.open("rb") as file:
            data = file.read(MAX_LESSON_BYTES + 1)
    except OSError as exc:
        errors.add(1, _("cannot read the file: {error}").format(error=exc.strerror or exc))
        return None, errors.errors
    if len(data) > MAX_LESSON_BYTES:  # never read whole: the app must not hold a huge file
        errors.add(1, _("the file is larger than {mib} MiB; a lesson is a few dozen kilobytes"
                        ).format(mib=MAX_LESSON_BYTES >> 20))
        return None, errors.errors
    try:
        # utf-8-sig: a byte order mark, which some Windows editors write, is not text.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        errors.add(data[: exc.start].count(b"\n") + 1, _("the file is not valid UTF-8"))
        return None, errors.errors
    return parse_lesson_text(text, path, lang=lang, errors=errors)


def parse_lesson_text(
    text: str, path: Path, *, lang: str = "en", errors: Collector | None = None
) -> tuple[Lesson | None, list[LessonError]]:
    """Parse lesson source `text` as if read from `path`."""
    errors = errors or Collector(path)
    lines = text.removeprefix("\ufeff").splitlines()
    front, body_start = _front_matter(lines, errors)
    if front is None:
        return None, errors.errors
    steps = _steps(lines, body_start, errors, lang=lang)
    meta = _check_front(front, errors)
    if meta is None:
        return None, errors.errors
    lesson = Lesson(
        id=meta["id"],
        title=meta["title"],
        order=meta["order"],
        summary=meta["summary"],
        path=path,
        steps=tuple(steps),
        timeout=meta.get("timeout"),
        lang=lang,
    )
    if not lesson.steps:
        errors.add(body_start + 1, _("the lesson has no steps: add text or a '## ' heading"))
    return lesson, errors.errors


def _front_matter(lines: list[str], errors: Collector) -> tuple[Located | None, int]:
    """The YAML mapping between the opening and closing `---`, and the first body line index."""
    if not lines or lines[0].strip() != "---":
        errors.add(1, _("missing front matter: the file must start with a '---' line"))
        return None, 0
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        errors.add(1, _("front matter is not closed: add a '---' line after it"))
        return None, 0
    front = load_yaml("\n".join(lines[1:end]), 2, errors, _("front matter"))
    if front is None:
        return None, end + 1
    if not isinstance(front.data, dict):
        errors.add(2, _("front matter must be a mapping of keys such as 'id: tensors'"))
        return None, end + 1
    return front, end + 1


def _check_front(front: Located, errors: Collector) -> dict[str, Any] | None:
    """The validated front matter, or None when the lesson cannot be identified."""
    data: dict[str, Any] = front.data
    at = front.at
    ok = True
    for key in sorted(set(data) - FRONT_KEYS, key=str):
        known = ", ".join(sorted(FRONT_KEYS))
        errors.add(at(str(key)), _("unknown front matter key '{key}' (known: {known})").format(
            key=key, known=known))
    lesson_id = data.get("id")
    if lesson_id is None:
        errors.add(2, _("front matter has no 'id'"))
        ok = False
    elif not isinstance(lesson_id, str) or not ID_PATTERN.match(lesson_id):
        errors.add(at("id"), _("lesson id {id!r} must use lowercase letters, digits, dashes"
                               ).format(id=lesson_id))
        ok = False
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        errors.add(at("title"), _("front matter has no 'title'"))
        ok = False
    order = data.get("order", 999)
    if not isinstance(order, int) or isinstance(order, bool):
        errors.add(at("order"), _("'order' must be a whole number, not {value!r}").format(
            value=order))
        order = 999
    summary = data.get("summary", "")
    if not isinstance(summary, str):
        errors.add(at("summary"), _("'summary' must be one line of text"))
        summary = str(summary)
    timeout = data.get("timeout")
    if timeout is not None and not _sane_timeout(timeout):
        errors.add(at("timeout"), _("'timeout' must be a number of seconds from {least:g} to "
                                    "{most:g}, not {value!r}").format(
                                        least=MIN_TIMEOUT, most=MAX_TIMEOUT, value=timeout))
        timeout = None
    if not ok:
        return None
    return {"id": lesson_id, "title": title, "order": order, "summary": summary,
            "timeout": float(timeout) if timeout is not None else None}


def _sane_timeout(value: object) -> bool:
    """A finite number of seconds a cell may reasonably run (nan and inf are not)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and MIN_TIMEOUT <= value <= MAX_TIMEOUT


def _steps(lines: list[str], start: int, errors: Collector, *, lang: str = "en") -> list[Step]:
    """Split the body into steps at level-2 headings and parse each step's blocks."""
    body = "\n".join(lines[start:])
    tokens = _markdown().parse(body)
    # Positions are body-relative 0-based; `offset` turns them into file lines (1-based).
    offset = start + 1
    headings: list[tuple[int, str]] = []
    fences: list[tuple[int, int, Any]] = []  # (first line, end line, token)
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2" and token.map:
            headings.append((token.map[0], tokens[i + 1].content.strip()))
        elif token.type == "fence" and token.map:
            fences.append((token.map[0], token.map[1], token))
    body_lines = lines[start:]
    bounds: list[tuple[int, int, str, int]] = []  # (first, end, title, heading line)
    first_heading = headings[0][0] if headings else len(body_lines)
    if any(line.strip() for line in body_lines[:first_heading]):
        # TRANSLATORS: the title of a lesson's first step when its text has no heading.
        bounds.append((0, first_heading, in_language(lang, N_("Introduction")), 0))
    for n, (line, title) in enumerate(headings):
        end = headings[n + 1][0] if n + 1 < len(headings) else len(body_lines)
        bounds.append((line + 1, end, title, line))

    steps: list[Step] = []
    seen_quiz: dict[str, int] = {}
    cell_count = 0
    for index, (first, end, title, heading) in enumerate(bounds):
        blocks: list[Block] = []
        cursor = first
        for f_start, f_end, fence in (f for f in fences if first <= f[0] < end):
            _add_prose(blocks, body_lines[cursor:f_start], cursor + offset)
            cursor = f_end
            closed = f_end - 1 > f_start and body_lines[f_end - 1].strip().startswith(fence.markup)
            if not closed:
                errors.add(f_start + offset, _("fence {fence} is never closed").format(
                    fence=fence.markup + fence.info))
                continue
            block = _fence_block(fence, f_start + offset, cell_count, seen_quiz, errors,
                                 lang != "en")
            if block is None:
                continue
            if isinstance(block, Cell):
                cell_count += 1
            blocks.append(block)
        _add_prose(blocks, body_lines[cursor:end], cursor + offset)
        for kind, what in ((Cell, _("cells")), (Quiz, _("quizzes"))):
            of_kind = [block for block in blocks if isinstance(block, kind)]
            if len(of_kind) > MAX_PER_STEP:
                errors.add(of_kind[MAX_PER_STEP].line, _(
                    "a step may hold at most {most} {what}; this is number {number}: split the "
                    "step in two at a '## ' heading").format(
                        most=MAX_PER_STEP, what=what, number=MAX_PER_STEP + 1))
        steps.append(Step(index=index, title=title or in_language(lang, N_("Step {number}")
                                                                   ).format(number=index + 1),

                          line=heading + offset, blocks=_with_shown_numbers(blocks)))
    return steps


def _with_shown_numbers(blocks: list[Block]) -> tuple[Block, ...]:
    """The step's blocks, each quiz given the numbers shown in its own text and the step's prose
    (the precision the lesson shows, which the grader honours)."""
    from tutor.grading.shown import numbers_in

    prose = numbers_in("\n".join(block.text for block in blocks if isinstance(block, Prose)))
    return tuple(
        replace(block, shown=numbers_in("\n".join((block.ask, *block.hints, block.explain)))
                + prose) if isinstance(block, Quiz) else block
        for block in blocks)


def _add_prose(blocks: list[Block], chunk: list[str], line: int) -> None:
    text = "\n".join(chunk).strip("\n")
    if text.strip():
        leading = next(i for i, row in enumerate(chunk) if row.strip())
        blocks.append(Prose(text=text, line=line + leading))


def _fence_block(
    fence: Any, line: int, cell_count: int, seen_quiz: dict[str, int], errors: Collector,
    translation: bool = False,
) -> Block | None:
    """A cell, static block or quiz for a fenced block; other languages stay prose-like static."""
    words = fence.info.split()
    language = words[0].lower() if words else ""
    source = fence.content
    if language == "quiz":
        return parse_quiz(source, line, cell_count, seen_quiz, errors, translation=translation)
    if language in ("python", "py"):
        if "static" in words[1:]:
            return StaticCode(source=source, line=line)
        try:
            compile(source, "<cell>", "exec")
        except SyntaxError as exc:
            errors.add(line + (exc.lineno or 1),
                       _("Python syntax error in cell: {error}").format(error=exc.msg))
            return None
        return Cell(index=cell_count, source=source, line=line)
    return StaticCode(source=source, line=line)
