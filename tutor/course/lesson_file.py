"""Parse one lesson file (design.md's contract) into a `Lesson`, collecting every defect.

Markdown structure comes from markdown-it-py and quiz bodies from PyYAML; this module only maps
their tokens onto steps, cells and quizzes, and checks what a teacher can get wrong.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from tutor.course.model import (
    QUIZ_TYPES,
    Block,
    Cell,
    Lesson,
    LessonError,
    Prose,
    Quiz,
    StaticCode,
    Step,
)

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FRONT_KEYS = {"id", "title", "order", "summary", "timeout"}
QUIZ_KEYS = {"id", "type", "ask", "answer", "hints", "explain", "tolerance", "choices", "accept"}
TOLERANCE_KEYS = ("digits", "abs", "rel")


@cache
def _markdown() -> Any:
    """The Markdown parser, imported on first use (a cached course needs none)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


class _Collector:
    """Accumulates errors for one file, with 1-based line numbers."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.errors: list[LessonError] = []

    def add(self, line: int, message: str) -> None:
        self.errors.append(LessonError(str(self.path), max(line, 1), message))


def parse_lesson(path: Path, *, lang: str = "en") -> tuple[Lesson | None, list[LessonError]]:
    """Parse the lesson at `path`; the lesson is None when it cannot be used at all."""
    errors = _Collector(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        errors.add(line, "the file is not valid UTF-8")
        return None, errors.errors
    except OSError as exc:
        errors.add(1, f"cannot read the file: {exc.strerror or exc}")
        return None, errors.errors
    return parse_lesson_text(text, path, lang=lang, errors=errors)


def parse_lesson_text(
    text: str, path: Path, *, lang: str = "en", errors: _Collector | None = None
) -> tuple[Lesson | None, list[LessonError]]:
    """Parse lesson source `text` as if read from `path`."""
    errors = errors or _Collector(path)
    lines = text.splitlines()
    front, body_start = _front_matter(lines, errors)
    if front is None:
        return None, errors.errors
    steps = _steps(lines, body_start, errors)
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
        errors.add(body_start + 1, "the lesson has no steps: add text or a '## ' heading")
    return lesson, errors.errors


def _front_matter(lines: list[str], errors: _Collector) -> tuple[dict[str, Any] | None, int]:
    """The YAML mapping between the opening and closing `---`, and the first body line index."""
    if not lines or lines[0].strip() != "---":
        errors.add(1, "missing front matter: the file must start with a '---' line")
        return None, 0
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        errors.add(1, "front matter is not closed: add a '---' line after it")
        return None, 0
    data = _load_yaml("\n".join(lines[1:end]), 2, errors, "front matter")
    if isinstance(data, dict):
        data["__lines__"] = _key_lines("\n".join(lines[1:end]), 2)
    if data is None:
        return None, end + 1
    if not isinstance(data, dict):
        errors.add(2, "front matter must be a mapping of keys such as 'id: tensors'")
        return None, end + 1
    return data, end + 1


def _load_yaml(source: str, first_line: int, errors: _Collector, what: str) -> Any:
    """YAML from `source`, whose first line is `first_line`; errors name the offending line."""
    import yaml

    # libyaml's loader is several times faster than PyYAML's pure-Python one, where it is built.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(source, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + (mark.line if mark is not None else 0)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        errors.add(line, f"invalid YAML in {what}: {problem}")
        return None


def _check_front(front: dict[str, Any], errors: _Collector) -> dict[str, Any] | None:
    """The validated front matter, or None when the lesson cannot be identified."""
    key_lines: dict[str, int] = front.pop("__lines__", {})

    def at(key: str) -> int:
        return key_lines.get(key, 2)

    ok = True
    for key in sorted(set(front) - FRONT_KEYS):
        known = ", ".join(sorted(FRONT_KEYS))
        errors.add(at(key), f"unknown front matter key '{key}' (known: {known})")
    lesson_id = front.get("id")
    if lesson_id is None:
        errors.add(2, "front matter has no 'id'")
        ok = False
    elif not isinstance(lesson_id, str) or not ID_PATTERN.match(lesson_id):
        errors.add(at("id"), f"lesson id {lesson_id!r} must use lowercase letters, digits, dashes")
        ok = False
    title = front.get("title")
    if not isinstance(title, str) or not title.strip():
        errors.add(at("title"), "front matter has no 'title'")
        ok = False
    order = front.get("order", 999)
    if not isinstance(order, int) or isinstance(order, bool):
        errors.add(at("order"), f"'order' must be a whole number, not {order!r}")
        order = 999
    summary = front.get("summary", "")
    if not isinstance(summary, str):
        errors.add(at("summary"), "'summary' must be one line of text")
        summary = str(summary)
    timeout = front.get("timeout")
    if timeout is not None and (
        isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0
    ):
        errors.add(at("timeout"), f"'timeout' must be a positive number of seconds: {timeout!r}")
        timeout = None
    if not ok:
        return None
    return {"id": lesson_id, "title": title, "order": order, "summary": summary,
            "timeout": float(timeout) if timeout is not None else None}


def _steps(lines: list[str], start: int, errors: _Collector) -> list[Step]:
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
        bounds.append((0, first_heading, "Introduction", 0))
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
                errors.add(f_start + offset, f"fence {fence.markup}{fence.info} is never closed")
                continue
            block = _fence_block(fence, f_start + offset, cell_count, seen_quiz, errors)
            if block is None:
                continue
            if isinstance(block, Cell):
                cell_count += 1
            blocks.append(block)
        _add_prose(blocks, body_lines[cursor:end], cursor + offset)
        steps.append(Step(index=index, title=title or f"Step {index + 1}",
                          line=heading + offset, blocks=tuple(blocks)))
    return steps


def _add_prose(blocks: list[Block], chunk: list[str], line: int) -> None:
    text = "\n".join(chunk).strip("\n")
    if text.strip():
        leading = next(i for i, row in enumerate(chunk) if row.strip())
        blocks.append(Prose(text=text, line=line + leading))


def _fence_block(
    fence: Any, line: int, cell_count: int, seen_quiz: dict[str, int], errors: _Collector
) -> Block | None:
    """A cell, static block or quiz for a fenced block; other languages stay prose-like static."""
    words = fence.info.split()
    language = words[0].lower() if words else ""
    source = fence.content
    if language == "quiz":
        return _quiz(source, line, cell_count, seen_quiz, errors)
    if language in ("python", "py"):
        if "static" in words[1:]:
            return StaticCode(source=source, line=line)
        try:
            compile(source, "<cell>", "exec")
        except SyntaxError as exc:
            errors.add(line + (exc.lineno or 1), f"Python syntax error in cell: {exc.msg}")
            return None
        return Cell(index=cell_count, source=source, line=line)
    return StaticCode(source=source, line=line)


def _quiz(
    source: str, line: int, cell_count: int, seen: dict[str, int], errors: _Collector
) -> Quiz | None:
    """Validate a quiz block's YAML; report every problem, return None if it cannot be asked."""
    data = _load_yaml(source, line + 1, errors, "quiz")
    if data is None:
        if not source.strip():
            errors.add(line, "empty quiz block")
        return None
    if not isinstance(data, dict):
        errors.add(line + 1, "a quiz must be a YAML mapping with id, type, ask and answer")
        return None
    key_lines = _key_lines(source, line + 1)

    def at(key: str) -> int:
        return key_lines.get(key, line + 1)

    ok = True
    for key in sorted(set(data) - QUIZ_KEYS):
        errors.add(at(key), f"unknown quiz key '{key}' (known: {', '.join(sorted(QUIZ_KEYS))})")
    quiz_id = data.get("id")
    if quiz_id is None:
        errors.add(line + 1, "quiz has no 'id'")
        ok = False
    elif not isinstance(quiz_id, str) or not ID_PATTERN.match(quiz_id):
        errors.add(at("id"), f"quiz id {quiz_id!r} must use lowercase letters, digits and dashes")
        ok = False
    elif quiz_id in seen:
        errors.add(at("id"), f"duplicate quiz id '{quiz_id}' (first used on line {seen[quiz_id]})")
        ok = False
    else:
        seen[quiz_id] = at("id")
    kind = data.get("type")
    if kind not in QUIZ_TYPES:
        errors.add(at("type"), f"unknown quiz type {kind!r} (use one of: {', '.join(QUIZ_TYPES)})")
        ok = False
    ask = data.get("ask")
    if not isinstance(ask, str) or not ask.strip():
        errors.add(line + 1, "quiz has no 'ask' (the question shown to the learner)")
        ok = False
    answer = data.get("answer")
    accept = _strings(data.get("accept", []), "accept", at("accept"), errors)
    if answer is None and not (kind == "text" and accept):
        errors.add(line + 1, "quiz has no 'answer' (an expression the tutor evaluates)")
        ok = False
    if answer is not None:
        if isinstance(answer, bool) or not isinstance(answer, str | int | float):
            errors.add(at("answer"), "'answer' must be a Python expression")
            ok = False
        else:
            answer = str(answer)
            try:
                compile(answer, "<answer>", "eval")
            except SyntaxError as exc:
                errors.add(at("answer"), f"'answer' is not a Python expression: {exc.msg}")
                ok = False
    hints = _strings(data.get("hints", []), "hints", at("hints"), errors)
    choices = _strings(data.get("choices", []), "choices", at("choices"), errors)
    if kind == "choice" and len(choices) < 2:
        errors.add(at("choices"), "a choice quiz needs a 'choices' list of at least two")
        ok = False
    tolerance = _tolerance(data.get("tolerance"), at("tolerance"), errors)
    explain = data.get("explain", "")
    if not isinstance(explain, str):
        errors.add(at("explain"), "'explain' must be text")
        explain = str(explain)
    if not ok:
        return None
    return Quiz(
        id=str(quiz_id), type=str(kind), ask=str(ask).strip(),
        answer=None if answer is None else str(answer), line=line,
        cells_before=cell_count, hints=hints, explain=explain.strip(), tolerance=tolerance,
        choices=choices, accept=accept,
    )


def _key_lines(source: str, first_line: int) -> dict[str, int]:
    """File line of each top-level key in a quiz body, for precise messages."""
    found: dict[str, int] = {}
    for n, text in enumerate(source.splitlines()):
        match = re.match(r"^([A-Za-z_][\w-]*)\s*:", text)
        if match and match.group(1) not in found:
            found[match.group(1)] = first_line + n
    return found


def _strings(value: Any, key: str, line: int, errors: _Collector) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        errors.add(line, f"'{key}' must be a list of text items")
        return ()
    return tuple(str(v) for v in value)


def _tolerance(value: Any, line: int, errors: _Collector) -> dict[str, float] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or len(value) != 1 or next(iter(value)) not in TOLERANCE_KEYS:
        errors.add(line, "'tolerance' must be one of {digits: N}, {abs: X} or {rel: X}")
        return None
    key, number = next(iter(value.items()))
    if isinstance(number, bool) or not isinstance(number, int | float) or number <= 0:
        errors.add(line, f"tolerance '{key}' must be a positive number, not {number!r}")
        return None
    if key == "digits" and not isinstance(number, int):
        errors.add(line, "tolerance 'digits' must be a whole number of significant digits")
        return None
    return {key: number}
