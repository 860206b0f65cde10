"""One writer at a time: an exclusive ``fcntl`` lock on ``<home>/.warehouse.lock``.

``schouders build`` (while it writes and swaps the new file) and ``schouders levering`` (while
it copies, changes and swaps the warehouse) both hold this lock, so neither replaces the file
under the other: a delivery that arrives during a build waits, then applies to the new
warehouse; a build that finishes during a delivery waits, then re-applies the stored delivery.
The lock belongs to the open file, so the operating system releases it when the holder exits or
is killed; there are no stale locks to clean up. Whoever has to wait is told so.
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from schouders.config import Settings

LOCK_NAME = ".warehouse.lock"
Notify = Callable[[str], None]


def say_on_stderr(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def lock_path(settings: Settings) -> Path:
    return settings.home / LOCK_NAME


@contextmanager
def writer_lock(settings: Settings, what: str, notify: Notify = say_on_stderr
                ) -> Iterator[float]:
    """Hold the warehouse writer lock; yields the seconds spent waiting for it."""
    path = lock_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    waited = 0.0
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(handle)
            notify(f"Een ander proces schrijft in het warehouse ({holder}); {what} wacht tot "
                   "het klaar is …")
            started = time.monotonic()
            fcntl.flock(handle, fcntl.LOCK_EX)
            waited = time.monotonic() - started
            notify(f"Het andere proces is klaar na {waited:.1f} s; {what} gaat verder.")
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"pid {os.getpid()}: {what}".encode(), 0)
        yield waited
    finally:
        fcntl.flock(handle, fcntl.LOCK_UN)
        os.close(handle)


def _holder(handle: int) -> str:
    try:
        text = os.pread(handle, 200, 0).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    return text or "onbekend proces"
