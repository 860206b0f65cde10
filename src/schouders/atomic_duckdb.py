"""Write a DuckDB file atomically: build it under a temporary name, swap it in with os.replace.

Used by the warehouse build and the indicator cache. A failed or killed writer leaves the previous
file untouched; its half-written file is removed by the next writer (unless its process lives).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

TEMP_MARKER = ".building-"


@contextmanager
def atomic_duckdb(target: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to a new file that replaces ``target`` when the block ends without error."""
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(target)
    temp = target.with_name(f".{target.name}{TEMP_MARKER}{os.getpid()}.{uuid.uuid4().hex[:8]}")
    try:
        con = duckdb.connect(str(temp))
        try:
            yield con
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        temp.with_name(temp.name + ".wal").unlink(missing_ok=True)
        raise


def remove_stale_temp_files(target: Path) -> None:
    """Remove half-written files of writers that died; leave those of living processes."""
    for leftover in target.parent.glob(f".{target.name}{TEMP_MARKER}*"):
        pid_text = leftover.name.split(TEMP_MARKER, 1)[1].split(".", 1)[0]
        if held_by_living_process(pid_text):
            continue
        leftover.unlink(missing_ok=True)


def held_by_living_process(pid_text: str) -> bool:
    """Whether a temporary name's process id (text) is another process that still runs: its
    half-written file may still be in use and must not be removed."""
    return pid_text.isdigit() and int(pid_text) != os.getpid() and _alive(int(pid_text))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
