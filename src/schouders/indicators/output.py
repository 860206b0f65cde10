"""Write tables as csv, json, parquet or xlsx (to a file, or csv/json to standard output)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from schouders.errors import SchoudersError

FORMATS = ("table", "csv", "json", "parquet", "xlsx")
BINARY = ("parquet", "xlsx")


def check_format(fmt: str, output: Path | None) -> None:
    if fmt not in FORMATS:
        raise SchoudersError(f"Onbekend formaat {fmt!r}.", f"Kies uit: {', '.join(FORMATS)}.")
    if fmt in BINARY and output is None:
        raise SchoudersError(f"Formaat {fmt} is binair en heeft --output PAD nodig.",
                             f"Bijvoorbeeld: --format {fmt} --output resultaat.{fmt}")


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-safe records: NaN becomes null, numpy scalars become Python numbers."""
    clean = frame.astype(object).where(frame.notna(), None)
    return [{key: _plain(item) for key, item in row.items()} for row in clean.to_dict("records")]


def _plain(item: object) -> object:
    if isinstance(item, np.integer):
        return int(item)
    if isinstance(item, np.floating):
        return float(item)
    if isinstance(item, np.bool_):
        return bool(item)
    return item


def write_json(payload: object, output: Path | None) -> None:
    text = json.dumps(payload, ensure_ascii=False, indent=2, default=str)
    if output is None:
        sys.stdout.write(text + "\n")
    else:
        output.write_text(text + "\n", encoding="utf-8")


def write_frames(frames: dict[str, pd.DataFrame], fmt: str, output: Path | None,
                 meta: dict[str, object] | None = None) -> None:
    """Export one or more named tables. csv and parquet take the first table (the main one);
    json and xlsx take all of them (json with ``meta`` as well)."""
    main = next(iter(frames.values()))
    try:
        if fmt == "csv":
            if output is None:
                main.to_csv(sys.stdout, index=False)
            else:
                main.to_csv(output, index=False)
        elif fmt == "json":
            payload: dict[str, object] = dict(meta or {})
            payload.update({name: records(frame) for name, frame in frames.items()})
            write_json(payload if len(frames) > 1 or meta else records(main), output)
        elif fmt == "parquet":
            main.to_parquet(output, index=False)
        elif fmt == "xlsx":
            with pd.ExcelWriter(output) as writer:
                for name, frame in frames.items():
                    frame.to_excel(writer, sheet_name=name[:31], index=False)
                if meta:
                    pd.DataFrame({"veld": list(meta), "waarde": [str(v) for v in meta.values()]}
                                 ).to_excel(writer, sheet_name="toelichting", index=False)
    except OSError as exc:
        raise SchoudersError(f"Kan niet schrijven naar {output}: {exc}") from exc
