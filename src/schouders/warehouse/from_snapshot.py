"""Gather a warehouse build from the local snapshot directory."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from schouders.sources import snapshot
from schouders.warehouse.codelists import check_taakvelden
from schouders.warehouse.iv3_facts import facts_from_snapshot
from schouders.warehouse.loaded import LoadedData, Progress, no_progress

STEPS = 9


def gather_snapshot(data_dir: Path, progress: Progress = no_progress) -> LoadedData:
    snapshot.check_data_dir(data_dir)
    step = 0

    def advance(label: str) -> None:
        nonlocal step
        step += 1
        progress(label, step, STEPS)

    municipalities = snapshot.read_municipalities_per_year(data_dir)
    advance("gemeenten per jaar")
    regions = snapshot.read_regions(data_dir)
    advance("CBS-regiocodes")
    herindelingen = snapshot.read_herindelingen(data_dir)
    advance("herindelingen")
    population = snapshot.read_population(data_dir)
    advance("bevolking")
    cpi = snapshot.read_cpi(data_dir)
    gov = snapshot.read_gov_consumption_price(data_dir)
    advance("prijsindexen")
    codes = snapshot.read_codelists(data_dir)
    advance("Iv3-codelijsten")
    summary = snapshot.read_iv3_summary(data_dir)
    advance("Iv3-totalen")
    breakdowns = snapshot.read_iv3_breakdowns(data_dir)
    advance("Iv3-uitsplitsingen")
    iv3 = facts_from_snapshot(
        summary.frame, breakdowns.frame, municipalities.frame, bron=summary.provenance.bron
    )
    check_taakvelden(iv3.facts, codes.frame, str(breakdowns.provenance.locatie))
    advance("Iv3-feiten")
    sources = [
        municipalities,
        regions,
        herindelingen,
        population,
        cpi,
        gov,
        codes,
        summary,
        breakdowns,
    ]
    return LoadedData(
        municipalities_per_year=municipalities.frame,
        regions=regions.frame,
        herindelingen=herindelingen.frame,
        population=population.frame,
        prices=pd.concat([cpi.frame, gov.frame], ignore_index=True),
        codes=codes.frame,
        iv3=iv3,
        provenance=[source.provenance for source in sources],
        source_label=f"snapshot {data_dir}",
    )
