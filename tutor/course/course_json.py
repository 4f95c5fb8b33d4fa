"""A parsed course as plain JSON data and back, checking every field on the way in.

The course cache stores this instead of a pickle: the cache folder is writable by any cell a
learner runs, and unpickling a file runs whatever code it names. Reading JSON runs nothing,
and anything that is not exactly a course reads as "no cache".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

from tutor.course.model import (
    Cell,
    Course,
    Lesson,
    LessonError,
    Prose,
    Quiz,
    StaticCode,
    Step,
)


class NotACourse(ValueError):
    """The data is not a course this version wrote."""


def encode(value: Any) -> Any:
    """Dataclasses as {"kind": class name, field: value...}; tuples as lists; paths as text."""
    if is_dataclass(value) and not isinstance(value, type):
        data = {"kind": type(value).__name__}
        data.update({f.name: encode(getattr(value, f.name)) for f in fields(value)})
        return data
    if isinstance(value, list | tuple):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {str(key): encode(item) for key, item in value.items()}
    if isinstance(value, Path):
        return str(value)
    return value


Decoder = Callable[[Any], Any]


def _typed(*kinds: type) -> Decoder:
    def check(value: Any) -> Any:
        if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            raise NotACourse(f"expected {kinds}, found {type(value).__name__}")
        return value
    return check


TEXT = _typed(str)
WHOLE = _typed(int)
NUMBER = _typed(int, float)


def _optional(decoder: Decoder) -> Decoder:
    return lambda value: None if value is None else decoder(value)


def _items(decoder: Decoder) -> Decoder:
    def check(value: Any) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise NotACourse("expected a list")
        return tuple(decoder(item) for item in value)
    return check


def _tolerance(value: Any) -> dict[str, float] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise NotACourse("expected a tolerance mapping")
    return {TEXT(key): NUMBER(number) for key, number in value.items()}


def _constraints(value: Any) -> dict[str, Any] | None:
    from tutor.grading.constraints import as_mapping, parse_constraints

    if value is None:
        return None
    if not isinstance(value, dict):
        raise NotACourse("expected a constraints mapping")
    try:
        return as_mapping(parse_constraints(value))
    except ValueError as exc:
        raise NotACourse(str(exc)) from None


def _path(value: Any) -> Path:
    return Path(TEXT(value))


#: Each class the cache holds, with a decoder per field.
SCHEMA: dict[str, tuple[type, dict[str, Decoder]]] = {
    "LessonError": (LessonError, {"file": TEXT, "line": WHOLE, "message": TEXT}),
    "Prose": (Prose, {"text": TEXT, "line": WHOLE}),
    "Cell": (Cell, {"index": WHOLE, "source": TEXT, "line": WHOLE}),
    "StaticCode": (StaticCode, {"source": TEXT, "line": WHOLE}),
    "Quiz": (Quiz, {
        "id": TEXT, "type": TEXT, "ask": TEXT, "answer": _optional(TEXT), "line": WHOLE,
        "cells_before": WHOLE, "hints": _items(TEXT), "explain": TEXT, "tolerance": _tolerance,
        "choices": _items(TEXT), "accept": _items(TEXT), "check": _optional(TEXT),
        "show": _optional(TEXT), "solution": _optional(TEXT), "answer_choices": _items(TEXT),
        "shown": _items(TEXT), "constraints": _constraints}),
}


def _object(*kinds: str) -> Decoder:
    def check(value: Any) -> Any:
        if not isinstance(value, dict) or value.get("kind") not in kinds:
            raise NotACourse(f"expected one of {kinds}")
        cls, decoders = SCHEMA[value["kind"]]
        if set(value) != {"kind", *decoders}:
            raise NotACourse(f"unexpected fields in {value['kind']}")
        return cls(**{name: decode(value[name]) for name, decode in decoders.items()})
    return check


SCHEMA["Step"] = (Step, {"index": WHOLE, "title": TEXT, "line": WHOLE,
                         "blocks": _items(_object("Prose", "Cell", "StaticCode", "Quiz"))})
SCHEMA["Lesson"] = (Lesson, {"id": TEXT, "title": TEXT, "order": WHOLE, "summary": TEXT,
                             "path": _path, "steps": _items(_object("Step")),
                             "timeout": _optional(NUMBER), "lang": TEXT})


def _course(value: Any) -> Course:
    if not isinstance(value, dict) or set(value) != {"kind", "lessons", "errors", "directory"} \
            or value["kind"] != "Course":
        raise NotACourse("expected a course")
    return Course(lessons=list(_items(_object("Lesson"))(value["lessons"])),
                  errors=list(_items(_object("LessonError"))(value["errors"])),
                  directory=_optional(_path)(value["directory"]))


def decode(data: Any) -> Course:
    """The course in `data` (as `encode` wrote it); NotACourse when it is anything else."""
    return _course(data)
