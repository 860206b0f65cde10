"""Warehouse build and query speed against a naive pandas-from-CSV baseline, in the same run.

    python benchmarks/bench_build.py [--data-dir ../shared/data] [--repeat 20]

Prints, for the same machine and run:
- build time from the snapshot vs. the baseline "read every CSV with pandas" (the least a
  pandas user must do before the first question), and the warehouse size vs. the source files;
- the time to fetch one municipality's full history (all years, documents and fact keys) from the
  warehouse vs. (a) re-reading the CSVs with pandas and filtering, (b) filtering pandas frames
  already in memory.
Ratios > 1 mean the warehouse is faster. No thresholds are asserted: machines are noisy.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

from schouders.config import load_settings
from schouders.sources import snapshot
from schouders.warehouse.build import build_warehouse

GM = "GM0363"
CSV_FILES = (
    snapshot.IV3_SUMMARY,
    snapshot.IV3_BREAKDOWNS,
    snapshot.INWONERS,
    snapshot.GEMEENTEN_PER_JAAR,
)


def timed(function: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def pandas_load(data_dir: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_csv(data_dir / name) for name in CSV_FILES}


def pandas_history(frames: dict[str, pd.DataFrame]) -> int:
    summary = frames[snapshot.IV3_SUMMARY]
    breakdowns = frames[snapshot.IV3_BREAKDOWNS]
    return len(summary[summary["gm_code"] == GM]) + len(breakdowns[breakdowns["gm_code"] == GM])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(__file__).resolve().parents[1].parent / "shared" / "data",
    )
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    data_dir = args.data_dir.resolve()

    with tempfile.TemporaryDirectory() as home:
        settings = load_settings(data_dir=data_dir, home=home)
        build_seconds = timed(lambda: build_warehouse(settings), 3)
        baseline_seconds = timed(lambda: pandas_load(data_dir), 3)
        size = settings.warehouse_path.stat().st_size
        source_size = sum((data_dir / name).stat().st_size for name in CSV_FILES)

        con = duckdb.connect(str(settings.warehouse_path), read_only=True)
        query = "SELECT * FROM iv3_fact WHERE gm_code = ? ORDER BY jaar, document, taakveld"
        rows = len(con.execute(query, [GM]).fetchall())
        warehouse_query = timed(lambda: con.execute(query, [GM]).fetchall(), args.repeat)
        frames = pandas_load(data_dir)
        in_memory = timed(lambda: pandas_history(frames), args.repeat)
        from_csv = timed(lambda: pandas_history(pandas_load(data_dir)), 3)
        con.close()

    print(
        f"Warehouse build from snapshot: {build_seconds:.2f} s "
        f"(baseline: pandas reads the CSVs, {baseline_seconds:.2f} s; "
        f"ratio build/baseline = {build_seconds / baseline_seconds:.2f}x — the build also "
        "validates, maps herindelingen, code lists and writes a queryable store)"
    )
    print(
        f"Warehouse size: {size / 1e6:.1f} MB vs. source CSV files {source_size / 1e6:.1f} MB "
        f"(ratio warehouse/source = {size / source_size:.2f}x; the sources are gzip-compressed)"
    )
    print(f"Full history of {GM} ({rows} facts): warehouse {warehouse_query * 1000:.2f} ms")
    print(
        f"  vs. pandas re-reading CSVs {from_csv * 1000:.0f} ms: "
        f"{from_csv / warehouse_query:.0f}x faster"
    )
    print(
        f"  vs. pandas frames already in memory {in_memory * 1000:.2f} ms: "
        f"{in_memory / warehouse_query:.1f}x faster"
    )


if __name__ == "__main__":
    main()
