"""Municipal boundaries (gemeentegrenzen) from the snapshot: cartomap TopoJSON, WGS84.

``cartomap_gemeenten/gemeente_<jaar>.topojson`` (SOURCES.md §12) holds one GeometryCollection
``gemeente_<jaar>`` whose Polygon/MultiPolygon geometries carry ``properties.statcode``
(``GMnnnn``) and ``statnaam``. The arcs are quantised and delta-encoded; :func:`decode_topojson`
turns every geometry into a plain GeoJSON geometry (lon/lat, rounded to 5 decimals, about 1 m).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd

from schouders.errors import DataFileError
from schouders.sources.csvfile import SNAPSHOT_HINT
from schouders.sources.provenance import SourceTable, file_provenance

BOUNDARY_DIR = "cartomap_gemeenten"
FILE_PATTERN = re.compile(r"^gemeente_(\d{4})\.topojson$")
DECIMALS = 5


def boundary_files(data_dir: Path) -> dict[int, Path]:
    folder = data_dir / BOUNDARY_DIR
    if not folder.is_dir():
        return {}
    found = {}
    for path in sorted(folder.iterdir()):
        match = FILE_PATTERN.match(path.name)
        if match and path.is_file():
            found[int(match.group(1))] = path
    return found


def read_boundaries(data_dir: Path) -> list[SourceTable]:
    """One table per year: jaar, gm_code, naam, geometrie (GeoJSON geometry as JSON text)."""
    return [read_boundary_file(path, jaar) for jaar, path in boundary_files(data_dir).items()]


def read_boundary_file(path: Path, jaar: int) -> SourceTable:
    try:
        topology = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise DataFileError(path, f"geen leesbare TopoJSON: {exc}", hint=SNAPSHOT_HINT) from exc
    if not isinstance(topology, dict) or topology.get("type") != "Topology":
        raise DataFileError(path, "geen TopoJSON-topologie", expected='"type": "Topology"',
                            hint=SNAPSHOT_HINT)
    name = f"gemeente_{jaar}"
    collection = (topology.get("objects") or {}).get(name)
    if not isinstance(collection, dict) or not isinstance(collection.get("geometries"), list):
        raise DataFileError(path, f"object {name!r} met geometrieën ontbreekt",
                            hint=SNAPSHOT_HINT)
    rows = []
    for index, (properties, geometry) in enumerate(decode_topojson(topology, collection, path)):
        code = str(properties.get("statcode") or "").strip()
        if not re.fullmatch(r"GM\d{4}", code):
            raise DataFileError(path, f"geometrie {index + 1} heeft geen geldige statcode "
                                f"({code!r})", expected="een code als GM0363", hint=SNAPSHOT_HINT)
        rows.append((jaar, code, str(properties.get("statnaam") or "").strip() or None,
                     json.dumps(geometry, separators=(",", ":"))))
    frame = pd.DataFrame(rows, columns=["jaar", "gm_code", "naam", "geometrie"])
    if frame.empty:
        raise DataFileError(path, "bevat geen gemeenten", hint=SNAPSHOT_HINT)
    duplicated = frame["gm_code"].duplicated()
    if duplicated.any():
        raise DataFileError(path, f"gemeente {frame.loc[duplicated, 'gm_code'].iloc[0]} komt "
                            "twee keer voor", hint=SNAPSHOT_HINT)
    return SourceTable(frame, file_provenance("gemeente_grens", path, len(frame),
                                              tabel="cartomap/nl (PDOK/CBS)"))


def decode_topojson(topology: dict[str, Any], collection: dict[str, Any],
                    path: Path) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(properties, GeoJSON geometry) for every geometry of a TopoJSON GeometryCollection."""
    transform = topology.get("transform")
    try:
        arcs = [_arc(arc, transform) for arc in topology["arcs"]]
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise DataFileError(path, f"ongeldige arcs: {exc}", hint=SNAPSHOT_HINT) from exc
    result = []
    for index, item in enumerate(collection["geometries"]):
        kind = item.get("type") if isinstance(item, dict) else None
        try:
            if kind == "Polygon":
                coordinates: Any = [_ring(ring, arcs) for ring in item["arcs"]]
            elif kind == "MultiPolygon":
                coordinates = [[_ring(ring, arcs) for ring in polygon] for polygon in item["arcs"]]
            else:
                raise ValueError(f"soort {kind!r} wordt niet ondersteund")
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise DataFileError(path, f"geometrie {index + 1} is ongeldig: {exc}",
                                expected="Polygon of MultiPolygon", hint=SNAPSHOT_HINT) from exc
        result.append((item.get("properties") or {}, {"type": kind, "coordinates": coordinates}))
    return result


def _arc(arc: list[list[float]], transform: dict[str, Any] | None) -> list[list[float]]:
    if not transform:
        return [[round(float(x), DECIMALS), round(float(y), DECIMALS)] for x, y, *_ in arc]
    (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
    points, x, y = [], 0.0, 0.0
    for dx, dy, *_ in arc:
        x += dx
        y += dy
        points.append([round(x * sx + tx, DECIMALS), round(y * sy + ty, DECIMALS)])
    return points


def _ring(indices: list[int], arcs: list[list[list[float]]]) -> list[list[float]]:
    ring: list[list[float]] = []
    for index in indices:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(points if not ring else points[1:])
    if len(ring) < 4 or ring[0] != ring[-1]:
        raise ValueError("ring is niet gesloten")
    return ring
