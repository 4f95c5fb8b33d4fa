"""YAML from a lesson file (front matter, quiz bodies) with the file line of every top-level key.

Positions come from PyYAML's own node marks (`compose`), so a message points at the key the
teacher wrote, whatever the YAML style (flow mappings, quoted keys, block scalars).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor.course.model import LessonError
from tutor.i18n import _


class Collector:
    """Accumulates the errors of one file, with 1-based line numbers."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.errors: list[LessonError] = []

    def add(self, line: int, message: str) -> None:
        self.errors.append(LessonError(str(self.path), max(line, 1), message))


@dataclass
class Located:
    """A loaded YAML document and where its parts are in the file."""

    data: Any
    first_line: int
    """File line of the document's first line."""
    keys: dict[str, int] = field(default_factory=dict)
    """File line of each top-level key."""
    values: dict[str, int] = field(default_factory=dict)
    """File line where each top-level value's text starts (the line after `|` or `>`)."""

    def at(self, key: str) -> int:
        """The line of `key`, or the document's first line when the key is absent."""
        return self.keys.get(key, self.first_line)


def load_yaml(source: str, first_line: int, errors: Collector, what: str) -> Located | None:
    """Parse `source`, whose first line is file line `first_line`; None (and an error at the
    offending line) when it is not valid YAML."""
    import yaml

    # libyaml's loader is several times faster than PyYAML's pure-Python one, where it is built.
    loader_class = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = loader_class(source)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + (mark.line if mark is not None else 0)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        errors.add(line, _("invalid YAML in {part}: {problem}").format(part=what, problem=problem))
        return None
    finally:
        loader.dispose()
    located = Located(data, first_line)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in located.keys:
                errors.add(first_line + key_node.start_mark.line,
                           _("'{key}' is given twice in {part} (first on line {line})").format(
                               key=key, part=what, line=located.keys[key]))
                continue
            located.keys[key] = first_line + key_node.start_mark.line
            block = isinstance(value_node, yaml.ScalarNode) and value_node.style in ("|", ">")
            located.values[key] = first_line + value_node.start_mark.line + int(block)
    return located
