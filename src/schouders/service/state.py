"""Per-process state of the web app: the read-only warehouse connection and the caches.

The warehouse is immutable between builds, so everything derived from it is cached per process
and dropped when the warehouse file changes (a build swaps the file atomically). DuckDB
connections are not safe to share between threads; every thread gets its own cursor.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import duckdb

from schouders.config import Settings
from schouders.errors import SchoudersError
from schouders.warehouse.store import open_warehouse

log = logging.getLogger("schouders.service")

T = TypeVar("T")
CACHE_SIZE = 2048
STAT_INTERVAL_SECONDS = 2.0


class WarehouseMissingError(SchoudersError):
    """No warehouse has been built yet: the app shows how to build one."""


class NotFoundError(SchoudersError):
    """Something the URL names does not exist (an indicator code, a page): a 404."""


class WebState:
    """Connection and caches shared by all requests of one worker process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.RLock()
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._stamp: tuple[int, int] | None = None
        self._generation = 0
        self._local = threading.local()
        self._cache: OrderedDict[Hashable, Any] = OrderedDict()
        self._computing: dict[Hashable, threading.Lock] = {}
        self._checked_at = 0.0

    # -- warehouse -------------------------------------------------------------------------

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            info = self.settings.warehouse_path.stat()
        except FileNotFoundError:
            return None
        return (info.st_ino, info.st_mtime_ns)

    def refresh(self, now: float) -> None:
        """Reopen the warehouse when it was rebuilt; raise when there is none."""
        if self._connection is not None and now - self._checked_at < STAT_INTERVAL_SECONDS:
            return
        stamp = self._file_stamp()
        with self._lock:
            self._checked_at = now
            if stamp is None:
                self._close()
                # the path goes to the log, not to the client
                log.warning("no warehouse at %s", self.settings.warehouse_path)
                raise WarehouseMissingError(
                    "Er is nog geen warehouse.",
                    "Bouw het eerst met 'schouders build' (live CBS) of "
                    "'schouders build --data-dir PAD' (lokale snapshot) en laad de pagina opnieuw.",
                )
            if stamp != self._stamp or self._connection is None:
                self._close()
                self._connection = open_warehouse(self.settings)
                self._stamp = stamp
                self._generation += 1

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection = None
        self._stamp = None
        self._cache.clear()

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for the calling thread on the current warehouse."""
        if self._connection is None:
            import time

            self.refresh(time.monotonic())
        local = self._local
        if getattr(local, "generation", None) != self._generation:
            with self._lock:
                assert self._connection is not None
                local.cursor = self._connection.cursor()
                local.generation = self._generation
        return local.cursor

    @property
    def generation(self) -> int:
        return self._generation

    # -- cache -----------------------------------------------------------------------------

    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        """Memoise ``compute()`` under ``key`` until the warehouse changes (LRU bounded).

        Concurrent callers of the same key wait for the first computation instead of
        repeating it (the panel takes seconds; the warm-up and a first visitor may collide).
        """
        full_key = (self._generation, key)
        with self._lock:
            if full_key in self._cache:
                self._cache.move_to_end(full_key)
                return self._cache[full_key]
            key_lock = self._computing.setdefault(full_key, threading.Lock())
        with key_lock:
            with self._lock:
                if full_key in self._cache:
                    return self._cache[full_key]
            try:
                value = compute()
            finally:
                with self._lock:
                    self._computing.pop(full_key, None)
            with self._lock:
                self._cache[full_key] = value
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        return value

    def peek(self, key: Hashable) -> Any | None:
        """The cached value for ``key``, or None (never computes; safe on the event loop)."""
        full_key = (self._generation, key)
        with self._lock:
            value = self._cache.get(full_key)
            if value is not None:
                self._cache.move_to_end(full_key)
            return value

    def close(self) -> None:
        with self._lock:
            self._close()
