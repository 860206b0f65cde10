"""Dated, immutable raw snapshots of a live build, and an offline replay of them.

A live build records every collection it downloads (``RawRecorder`` around an ``ODataClient``)
into ``<home>/raw/<UTC timestamp>/``::

    snapshot.json                                   manifest: kind, creation time, base URLs,
                                                    request -> file for every download
    datasets/03759ned/Observations-1a2b3c4d.json    {"url": ..., "value": [rows as received]}
    datasets/03759ned/Observations-1a2b3c4d.json.herkomst.json
                                                    URL, table id, retrieval time, rows, sha256
    dataderden/45063NED/TypedDataSet-….json         …

The folder is written under a temporary name and renamed into place when the download is
complete; an existing snapshot folder is never overwritten and its files are made read-only.
``schouders build --data-dir <that folder>`` replays the same requests from the files
(``RawReplay``), so it rebuilds the same warehouse offline.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from schouders.atomic_duckdb import held_by_living_process
from schouders.errors import DataFileError, SchoudersError
from schouders.sources.odata import ODataClient, Progress, build_url

MANIFEST = "snapshot.json"
KIND = "schouders-live-ruw"
PROVENANCE_SUFFIX = ".herkomst.json"
TABLE_ID = re.compile(r"^\d{5}(NED|ned)$|^\d{2}\d{3}[A-Za-z]{3}$")


def is_raw_snapshot(folder: Path) -> bool:
    """Whether ``folder`` holds a raw snapshot written by a live build (its manifest says so)."""
    path = folder / MANIFEST
    if not path.is_file():
        return False
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("soort") == KIND


def request_key(base_url: str, url_or_path: str, params: dict[str, str] | None) -> str:
    """The request relative to the service root (the same for a live and a replayed build)."""
    url = build_url(base_url, url_or_path, params)
    base = base_url.rstrip("/")
    return url[len(base):] if url.startswith(base) else url


def _file_for(service: str, key: str) -> str:
    path = key.split("?", 1)[0].strip("/")
    parts = [re.sub(r"[^A-Za-z0-9_.-]", "_", part) for part in path.split("/") if part]
    parts = [part for part in parts if part not in ("ODataApi", "OData", "odata")] or ["root"]
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:8]
    return "/".join([service, *parts[:-1], f"{parts[-1]}-{digest}.json"])


def _table_of(key: str) -> str | None:
    for part in key.split("?", 1)[0].split("/"):
        if TABLE_ID.match(part):
            return part
    return None


class SnapshotWriter:
    """A raw snapshot being written: a temporary folder until :meth:`finish` renames it."""

    def __init__(self, raw_dir: Path, now: datetime | None = None) -> None:
        self.created = (now or datetime.now(tz=UTC)).replace(microsecond=0)
        self.raw_dir = raw_dir
        raw_dir.mkdir(parents=True, exist_ok=True)
        stamp = self.created.strftime("%Y%m%dT%H%M%SZ")
        self.name = stamp
        self.temp = raw_dir / f".{stamp}.partial-{os.getpid()}"
        remove_stale_partials(raw_dir)
        shutil.rmtree(self.temp, ignore_errors=True)
        self.temp.mkdir()
        self.entries: list[dict[str, Any]] = []
        self.services: dict[str, str] = {}
        self.path: Path | None = None

    def record(self, service: str, base_url: str, key: str, rows: list[dict]) -> None:
        self.services[service] = base_url
        relative = _file_for(service, key)
        target = self.temp / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        url = base_url.rstrip("/") + key if key.startswith("/") else key
        body = json.dumps({"url": url, "value": rows}, ensure_ascii=False).encode("utf-8")
        target.write_bytes(body)
        provenance = {"url": url, "tabel": _table_of(key), "verzoek": key,
                      "opgehaald_op": datetime.now(tz=UTC).isoformat(timespec="seconds"),
                      "rijen": len(rows), "sha256": hashlib.sha256(body).hexdigest()}
        target.with_name(target.name + PROVENANCE_SUFFIX).write_text(
            json.dumps(provenance, ensure_ascii=False, indent=1), encoding="utf-8")
        self.entries = [e for e in self.entries if not (e["dienst"] == service
                                                        and e["verzoek"] == key)]
        self.entries.append({"dienst": service, "verzoek": key, "bestand": relative,
                             "rijen": len(rows), "sha256": provenance["sha256"]})

    def finish(self) -> Path:
        """Write the manifest, make the files read-only and rename the folder into place."""
        manifest = {"soort": KIND, "versie": 1,
                    "gemaakt_op": self.created.isoformat(timespec="seconds"),
                    "diensten": self.services, "bestanden": self.entries}
        (self.temp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1),
                                          encoding="utf-8")
        for path in self.temp.rglob("*"):
            if path.is_file():
                path.chmod(0o444)
        for attempt in range(100):
            final = self.raw_dir / (self.name if attempt == 0 else f"{self.name}-{attempt + 1}")
            if final.exists():
                continue
            try:
                os.rename(self.temp, final)  # fails on an existing non-empty folder
            except OSError:
                continue
            self.path = final
            return final
        raise SchoudersError(f"Kan de ruwe snapshot niet opslaan in {self.raw_dir}: alle namen "
                             f"voor {self.name} bestaan al.", "Ruim oude snapshots op.")

    def abandon(self) -> None:
        """Remove the temporary folder of a download that did not complete."""
        if self.temp.exists():
            for path in self.temp.rglob("*"):
                with contextlib.suppress(OSError):
                    path.chmod(0o644)
            shutil.rmtree(self.temp, ignore_errors=True)


def remove_stale_partials(raw_dir: Path) -> None:
    """Temporary folders of killed live builds (their process is gone) are removed."""
    for folder in raw_dir.glob(".*.partial-*"):
        pid = folder.name.rsplit("-", 1)[-1]
        if held_by_living_process(pid):
            continue
        shutil.rmtree(folder, ignore_errors=True)



class RawRecorder:
    """An ODataClient whose complete collections are also written to a raw snapshot."""

    def __init__(self, client: ODataClient, service: str, writer: SnapshotWriter) -> None:
        self.client = client
        self.service = service
        self.writer = writer
        self.base_url = client.base_url

    def fetch_all(
        self,
        url_or_path: str,
        params: dict[str, str] | None = None,
        *,
        journal_dir: Path | None = None,
        progress: Progress | None = None,
        key: Sequence[str] | None = None,
    ) -> list[dict]:
        rows = self.client.fetch_all(url_or_path, params, journal_dir=journal_dir,
                                     progress=progress, key=key)
        self.writer.record(self.service, self.base_url,
                           request_key(self.base_url, url_or_path, params), rows)
        return rows


class RawReplay:
    """Answers the same requests from a raw snapshot folder, offline."""

    def __init__(self, folder: Path, service: str) -> None:
        self.folder = folder
        self.service = service
        manifest = read_manifest(folder)
        self.created = str(manifest.get("gemaakt_op") or "")
        self.base_url = str((manifest.get("diensten") or {}).get(service) or
                            f"snapshot://{service}")
        self.files = {entry["verzoek"]: entry for entry in manifest.get("bestanden", [])
                      if entry.get("dienst") == service}

    def fetch_all(
        self,
        url_or_path: str,
        params: dict[str, str] | None = None,
        *,
        journal_dir: Path | None = None,
        progress: Progress | None = None,
        key: Sequence[str] | None = None,
    ) -> list[dict]:
        request = request_key(self.base_url, url_or_path, params)
        entry = self.files.get(request)
        if entry is None:
            raise DataFileError(self.folder / MANIFEST,
                                f"de ruwe snapshot bevat geen antwoord op {request} "
                                f"({self.service})",
                                hint="Deze snapshot is onvolledig of met een andere versie van "
                                "Schouders gemaakt; bouw live opnieuw met 'schouders build'.")
        path = self.folder / entry["bestand"]
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise DataFileError(path, f"bestand ontbreekt of is onleesbaar: {exc}") from exc
        if hashlib.sha256(body).hexdigest() != entry.get("sha256"):
            raise DataFileError(path, "de controlesom klopt niet met snapshot.json; het bestand "
                                "is gewijzigd of beschadigd",
                                hint="Gebruik een andere snapshot of bouw live opnieuw.")
        try:
            rows = json.loads(body)["value"]
        except (ValueError, KeyError, TypeError) as exc:
            raise DataFileError(path, f"geen geldige ruwe snapshot: {exc}") from exc
        if not isinstance(rows, list) or len(rows) != entry.get("rijen"):
            raise DataFileError(path, f"{len(rows) if isinstance(rows, list) else 0} rijen, "
                                f"snapshot.json noemt er {entry.get('rijen')}")
        if progress is not None:
            progress(len(rows), len(rows))
        return rows


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataFileError(path, f"onleesbaar: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("soort") != KIND:
        raise DataFileError(path, "geen ruwe snapshot van Schouders", expected=f'"soort": "{KIND}"')
    return manifest
