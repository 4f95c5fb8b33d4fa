"""Shared by the app's tests: the lesson files of the test course, and a polling wait."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

MINI_LESSON = '''---
id: mini
title: Mini lesson
order: 1
summary: A small lesson for the app's tests.
---

Intro: two steps with cells, a quiz in each.

## Tensors and gradients

Make two tensors and a scalar loss.

```python
import torch
w = torch.tensor([2.0, 3.0], requires_grad=True)
x = torch.tensor([1.0, 4.0])
loss = (w * x).sum()
loss.backward()
print("loss is", loss.item())
```

```quiz
id: loss-value
type: number
ask: What is `loss`?
answer: loss.item()
hints:
  - Multiply element by element, then add.
  - 2·1 + 3·4
explain: 2·1 + 3·4 = 14.
```

## Shapes

```python
y = w.detach().reshape(2, 1)
print(y.shape)
```

```python
print("twice the sum:", (y * 2).sum().item())
```

```quiz
id: y-shape
type: shape
ask: What is the shape of `y`?
answer: y.shape
```
'''

SECOND_LESSON = '''---
id: second
title: Second lesson
order: 2
summary: Only prose.
---

Nothing to run here.
'''

BROKEN_LESSON = '''---
id: broken
title: Broken lesson
order: 3
---

## A step

```quiz
id: bad
type: essay
ask: Why?
answer: 1
```
'''


def write_lessons(folder: Path) -> Path:
    """The test course: a mini lesson, a prose-only lesson and a broken file."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "01-mini.md").write_text(MINI_LESSON, encoding="utf-8")
    (folder / "02-second.md").write_text(SECOND_LESSON, encoding="utf-8")
    (folder / "03-broken.md").write_text(BROKEN_LESSON, encoding="utf-8")
    return folder


async def wait_until(pilot: object, condition: Callable[[], bool], tries: int = 200) -> None:
    """Let the app run until `condition` holds (polls; fails after `tries` short pauses)."""
    for _ in range(tries):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition never held")


def plain(renderable: object) -> str:
    """A Rich renderable (an option's prompt) as plain text."""
    import io

    from rich.console import Console

    console = Console(width=200, file=io.StringIO(), record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


async def on_second_step(app: Any, pilot: Any) -> Any:
    """Go on from a lesson's first step to its second; the lesson screen."""
    from tutor.ui.screens.lesson import LessonScreen

    await pilot.pause()
    await pilot.press("f8")
    screen = app.screen
    assert isinstance(screen, LessonScreen)
    return screen
