"""Provenance of one loaded source: which table or file, when retrieved, how many rows, checksum."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class Provenance:
    onderdeel: str
    bron: str
    tabel: str | None
    locatie: str
    opgehaald_op: datetime | None
    rijen: int
    sha256: str | None
    opmerking: str | None = None  # e.g. why a part is unavailable (then rijen = 0)


@dataclass(frozen=True)
class SourceTable:
    """A frame read from a source, together with where it came from."""

    frame: pd.DataFrame
    provenance: Provenance


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_provenance(
    onderdeel: str, path: Path, rows: int, *, tabel: str | None = None
) -> Provenance:
    """Provenance of a snapshot file; its modification time stands in for the retrieval time."""
    mtime = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).replace(tzinfo=None)
    return Provenance(
        onderdeel=onderdeel,
        bron=path.name,
        tabel=tabel,
        locatie=str(path),
        opgehaald_op=mtime,
        rijen=rows,
        sha256=file_sha256(path),
    )


def download_provenance(
    onderdeel: str, tabel: str, url: str, rows: int, payload_digest: str | None = None
) -> Provenance:
    now = datetime.now(tz=UTC).replace(tzinfo=None)
    return Provenance(
        onderdeel=onderdeel,
        bron=f"CBS {tabel}",
        tabel=tabel,
        locatie=url,
        opgehaald_op=now,
        rijen=rows,
        sha256=payload_digest,
    )


def unavailable_provenance(onderdeel: str, reason: str) -> Provenance:
    """A warehouse part that could not be loaded from this source, and why (0 rows)."""
    return Provenance(onderdeel=onderdeel, bron="niet beschikbaar", tabel=None,
                      locatie="-", opgehaald_op=None, rijen=0, sha256=None, opmerking=reason)
