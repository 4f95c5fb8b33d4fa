"""How an app served by `tutor serve` finds the class's shared runner: two environment variables.

`tutor serve` starts each student's app with TUTOR_RUNNER_SOCKET (the shared zygote's Unix
socket) and TUTOR_SANDBOX (the student's sandbox policy as JSON: `{"student", "scratch",
"deny"}`, sent with every spawn; tutor.runner.sandbox applies it in the worker). Without them
`tutor` starts its own runner, as it always has.
"""

from __future__ import annotations

import json
import os
from typing import Any

SOCKET_VARIABLE = "TUTOR_RUNNER_SOCKET"
SANDBOX_VARIABLE = "TUTOR_SANDBOX"
#: The file of the teacher's one-line messages, which the app shows as they come
#: (tutor.ui.class_messages).
MESSAGES_VARIABLE = "TUTOR_CLASS_MESSAGES"


def runner_options(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """The Runner keyword arguments the environment asks for: none for a local `tutor`."""
    environ = dict(os.environ) if environ is None else environ
    path = environ.get(SOCKET_VARIABLE)
    if not path:
        return {}
    options: dict[str, Any] = {"attach": path}
    policy = environ.get(SANDBOX_VARIABLE)
    if policy:
        options["sandbox"] = json.loads(policy)
    return options
