"""A terminal driver that survives bytes that are not UTF-8 on its input (issue #10, item 10).

Textual's Linux driver decodes input with a strict UTF-8 decoder in its input thread: one stray
byte (0xFF from a misconfigured terminal, a binary paste, line noise on a serial link) raises
there, and the app ends. The input loop is restarted instead, with a fresh decoder and parser;
the chunk that held the bad bytes (at most one read, a few KiB) is dropped.
"""

from __future__ import annotations

import sys

from textual.driver import Driver


def tolerant(driver_class: type[Driver]) -> type[Driver]:
    """`driver_class`, or a subclass of it whose input survives undecodable bytes (for the
    Linux/macOS driver; other drivers decode differently and are returned as they are)."""
    if sys.platform == "win32":
        return driver_class
    from textual.drivers.linux_driver import LinuxDriver

    if not issubclass(driver_class, LinuxDriver):
        return driver_class

    class TolerantDriver(driver_class):  # type: ignore[valid-type, misc]
        """Restarts the input loop after a decoding error rather than ending the app."""

        def run_input_thread(self) -> None:
            while True:
                try:
                    super().run_input_thread()
                except UnicodeDecodeError:
                    continue
                return

    return TolerantDriver
