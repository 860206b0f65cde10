"""Loaded definitions and a fresh cache for the API: memoised per process, cheap to re-check.

The definitions (catalogue, domains, peer groups, signal rules) are read once per file version.
Before reading the cache the API checks - with file stats and an in-process memo, so in
microseconds on the hot path - that the cache belongs to the current warehouse, catalogue and
peer configuration, and refreshes it (a few seconds) when it does not.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from schouders.config import Settings
from schouders.indicators import pool
from schouders.indicators.cache import (
    CacheReport,
    CacheState,
    Progress,
    cache_path,
    no_progress,
    read_state,
    refresh_cache,
    stale,
    warehouse_fingerprint,
)
from schouders.indicators.catalogue import Catalogue, load_catalogue
from schouders.indicators.peers import PeerConfig, load_peer_config
from schouders.indicators.signals import SignalRule, load_rules
from schouders.indicators.tomlfile import packaged

_lock = threading.Lock()
_refresh_lock = threading.Lock()
_definitions: dict[tuple[object, ...], Definitions] = {}
_verified: dict[Path, tuple[object, ...] | None] = {}


@dataclass(frozen=True)
class Definitions:
    catalogue: Catalogue
    peers: PeerConfig
    rules: list[SignalRule]


def _stamp(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path), stat.st_mtime_ns, stat.st_size


def definitions(catalogue: Path | None = None, domains: Path | None = None,
                peers: Path | None = None, signals: Path | None = None) -> Definitions:
    """The definitions from the given TOML files (default: the ones shipped with Schouders)."""
    paths = [catalogue or packaged("catalogue.toml"), domains or packaged("domeinen.toml"),
             peers or packaged("peergroepen.toml"), signals or packaged("signalen.toml")]
    key = tuple(_stamp(path) if path.exists() else (str(path), 0, 0) for path in paths)
    with _lock:
        if key in _definitions:
            return _definitions[key]
    loaded_catalogue = load_catalogue(paths[0], paths[1])
    result = Definitions(loaded_catalogue, load_peer_config(paths[2]),
                         load_rules(loaded_catalogue, paths[3]))
    with _lock:
        _definitions[key] = result
    return result


def ensure_cache(settings: Settings, defs: Definitions, *, force: bool = False,
                 progress: Progress = no_progress) -> CacheReport | None:
    """Make sure the cache is current; returns the refresh report when work was done."""
    path = cache_path(settings)
    key = _key(settings, defs, path)
    if not force and key is not None and _verified.get(path) == key:
        return None
    state = None if force else _read(path)
    report = None
    if force or stale(state, settings, defs.catalogue, defs.peers):
        with _refresh_lock:   # one refresh at a time in this process; re-check after waiting
            fresh = None if force else _read(path)
            if force or stale(fresh, settings, defs.catalogue, defs.peers):
                report = refresh_cache(settings, defs.catalogue, defs.peers, force=force,
                                       progress=progress)
    _verified[path] = _key(settings, defs, path)
    return report


def _read(path: Path) -> CacheState | None:
    if not path.exists():
        return None
    cursor = pool.cursor(path)
    try:
        return read_state(cursor)
    except Exception:  # an unreadable cache is rebuilt, never trusted
        return None
    finally:
        cursor.close()


def _key(settings: Settings, defs: Definitions, path: Path) -> tuple[object, ...] | None:
    if not path.exists():
        return None
    stat = path.stat()
    return (stat.st_ino, stat.st_mtime_ns, warehouse_fingerprint(settings),
            defs.peers.fingerprint,
            tuple(sorted(defs.catalogue.hashes.items())))
