"""Strict CSV reading: every problem is reported with file, line and what was expected."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from schouders.errors import DataFileError

SNAPSHOT_HINT = (
    "Controleer de snapshotmap (--data-dir / SCHOUDERS_DATA_DIR) of herstel het bestand; "
    "het bestaande warehouse is niet gewijzigd."
)


def require_file(path: Path) -> Path:
    if not path.is_file():
        raise DataFileError(path, "bestand ontbreekt", hint=SNAPSHOT_HINT)
    return path


def read_csv_strict(
    path: Path, required: Iterable[str], *, sep: str = ",", compression: str | None = "infer"
) -> pd.DataFrame:
    """Read all columns as text; fail clearly when the file or a required column is missing."""
    require_file(path)
    try:
        frame = pd.read_csv(
            path,
            sep=sep,
            dtype=str,
            keep_default_na=False,
            compression=compression,
            encoding="utf-8-sig",
        )
    except pd.errors.EmptyDataError as exc:
        raise DataFileError(path, "bestand is leeg (zelfs de kopregel ontbreekt)",
                            expected="kolommen " + ", ".join(required),
                            hint=SNAPSHOT_HINT) from exc
    except (pd.errors.ParserError, UnicodeDecodeError, EOFError, OSError) as exc:
        raise DataFileError(
            path, f"kan niet gelezen worden als CSV: {exc}", hint=SNAPSHOT_HINT
        ) from exc
    missing = [column for column in required if column not in frame.columns]
    if missing:
        raise DataFileError(
            path,
            f"kolommen ontbreken: {', '.join(missing)}",
            location="kopregel",
            expected="kolommen " + ", ".join(required),
            hint=SNAPSHOT_HINT,
        )
    return frame


def numeric_column(
    frame: pd.DataFrame, column: str, path: Path, *, allow_empty: bool = True, integer: bool = False
) -> pd.Series:
    """Convert a text column to numbers, naming the first offending line if one is not a number."""
    text = frame[column].str.strip()
    values = pd.to_numeric(text.where(text != "", None), errors="coerce")
    bad = values.isna() & (text != "") if allow_empty else values.isna()
    if bad.any():
        position = int(bad.to_numpy().nonzero()[0][0])
        raise DataFileError(
            path,
            f"waarde {frame[column].iloc[position]!r} in kolom {column!r} is geen getal",
            location=f"regel {position + 2}",
            expected="een geheel getal" if integer else "een getal",
            hint=SNAPSHOT_HINT,
        )
    if integer:
        return values.astype("Int64")
    return values.astype("float64")


def check_pattern(
    frame: pd.DataFrame, column: str, pattern: str, path: Path, expected: str
) -> None:
    ok = frame[column].str.fullmatch(pattern)
    if not ok.all():
        position = int((~ok).to_numpy().nonzero()[0][0])
        raise DataFileError(
            path,
            f"waarde {frame[column].iloc[position]!r} in kolom {column!r} is ongeldig",
            location=f"regel {position + 2}",
            expected=expected,
            hint=SNAPSHOT_HINT,
        )


def require_rows(frame: pd.DataFrame, path: Path, what: str) -> None:
    """A file with only its header (or nothing usable) is an error, never an empty table."""
    if frame.empty:
        raise DataFileError(path, f"bevat geen {what} (alleen een kopregel?)", hint=SNAPSHOT_HINT)


def require_unique(frame: pd.DataFrame, columns: list[str], path: Path) -> None:
    """Each key once: name the line of the first repetition."""
    duplicated = frame.duplicated(columns)
    if duplicated.any():
        position = int(duplicated.to_numpy().nonzero()[0][0])
        row = frame.iloc[position]
        raise DataFileError(
            path, "dubbele regel voor " + ", ".join(f"{c}={row[c]}" for c in columns),
            location=f"regel {position + 2}", expected="elke combinatie één keer",
            hint=SNAPSHOT_HINT)


def require_range(frame: pd.DataFrame, column: str, path: Path, low: float, high: float,
                  expected: str) -> None:
    values = frame[column]
    bad = values.notna() & ((values < low) | (values > high))
    if bad.any():
        position = int(bad.to_numpy().nonzero()[0][0])
        raise DataFileError(
            path, f"onmogelijke waarde {values.iloc[position]} in kolom {column!r}",
            location=f"regel {position + 2}", expected=expected, hint=SNAPSHOT_HINT)
