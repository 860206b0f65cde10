"""Gather a warehouse build from the live CBS OData services.

Iv3 per year from dataderden.cbs.nl (table found by title in the IV3 catalogue), population, CPI,
price of government consumption and the municipal code history from the CBS OData v4 datasets
API. Downloads are resumable: an interrupted build continues where it stopped.
"""

from __future__ import annotations

import dataclasses
import os
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from schouders.config import Settings
from schouders.errors import DownloadError, SchoudersError
from schouders.sources.cbs_iv3 import Iv3Source
from schouders.sources.cbs_opendata import OpenDataSource, parse_herindelingen
from schouders.sources.odata import (
    DEFAULT_DEADLINE,
    DEFAULT_DOWNLOAD_DEADLINE,
    Fetcher,
    ODataClient,
)
from schouders.sources.provenance import Provenance, download_provenance
from schouders.sources.raw_snapshot import RawRecorder, RawReplay, SnapshotWriter
from schouders.sources.snapshot import FIRST_YEAR, chain_index
from schouders.warehouse.iv3_facts import facts_from_raw
from schouders.warehouse.loaded import LoadedData, Progress, no_progress
from schouders.warehouse.plausibility import check_plausible

DOCUMENT_KEYS = {"begroting": "X000", "jaarrekening": "X005"}
RAW_DIR = "raw"  # <home>/raw/<UTC timestamp>/: the raw snapshots of live builds


def iv3_years() -> range:
    """Budgets are published in the autumn before their year: look one year ahead."""
    return range(FIRST_YEAR, date.today().year + 2)


def gather_live(
    settings: Settings, progress: Progress = no_progress, *, replay: Path | None = None
) -> LoadedData:
    """Download everything from CBS (recording a raw snapshot under ``<home>/raw/``), or, with
    ``replay``, answer the same requests from such a raw snapshot folder."""
    if replay is not None:
        datasets_replay = RawReplay(replay, "datasets")
        loaded = _gather(datasets_replay, RawReplay(replay, "dataderden"), settings, progress)
        check_plausible(loaded, live=True)
        created = datetime.fromisoformat(datasets_replay.created).replace(tzinfo=None)
        loaded.provenance = [dataclasses.replace(
            item, locatie=f"ruwe snapshot {replay}: {item.locatie}", opgehaald_op=created)
            for item in loaded.provenance]
        loaded.source_label = f"ruwe snapshot {replay} (live CBS van {datasets_replay.created})"
        return loaded
    writer = SnapshotWriter(settings.home / RAW_DIR)
    try:
        with client(settings, settings.datasets_url) as datasets, client(
            settings, settings.dataderden_url
        ) as dataderden:
            loaded = _gather(RawRecorder(datasets, "datasets", writer),
                             RawRecorder(dataderden, "dataderden", writer), settings, progress)
        check_plausible(loaded, live=True)  # an implausible download is not kept as snapshot
        path = writer.finish()
    except BaseException:
        writer.abandon()
        raise
    loaded.source_label += f"; ruwe snapshot {path}"
    loaded.raw_snapshot = path
    return loaded


def client(settings: Settings, base_url: str) -> ODataClient:
    """A client with the build's retry policy. SCHOUDERS_CBS_DEADLINE (seconds, default 300)
    bounds every single request including a body that trickles in; SCHOUDERS_CBS_DOWNLOAD_DEADLINE
    (default 4 h) bounds one whole paged download with its retries."""
    return ODataClient(base_url, max_retries=settings.retries, backoff=settings.backoff,
                       deadline=seconds_from_env("SCHOUDERS_CBS_DEADLINE", DEFAULT_DEADLINE),
                       download_deadline=seconds_from_env("SCHOUDERS_CBS_DOWNLOAD_DEADLINE",
                                                          DEFAULT_DOWNLOAD_DEADLINE))


def seconds_from_env(name: str, default: float) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise SchoudersError(f"{name}={text!r} is geen positief aantal seconden.",
                             f"Geef bijvoorbeeld {name}={default:g} of laat hem weg.")
    return value


def _gather(datasets: Fetcher, dataderden: Fetcher, settings: Settings,
            progress: Progress) -> LoadedData:
    provenance: list[Provenance] = []
    journal = settings.download_dir
    opendata = OpenDataSource(datasets)
    progress("CBS-regiocodes (03759ned)", 0, 5)
    codes = opendata.municipal_codes()
    provinces = province_names(datasets)
    regions = regions_frame(codes, provinces)
    herindelingen = herindelingen_frame(parse_herindelingen(codes))
    provenance.append(download_provenance("gemeente", "03759ned",
                                          f"{datasets.base_url}/03759ned/RegioSCodes",
                                          len(codes)))
    progress("bevolking (03759ned)", 1, 5)
    population = opendata.population(
        journal_dir=journal, progress=lambda rows, total: progress(
            f"bevolking (03759ned): {rows} rijen", 1, 5))
    provenance.append(download_provenance("bevolking", "03759ned",
                                          f"{datasets.base_url}/03759ned/Observations",
                                          len(population)))
    progress("prijsindexen (86141NED, 85880NED)", 2, 5)
    cpi = opendata.cpi().assign(reeks="cpi", basisjaar=2025, bron="CBS 86141NED")
    cpi = cpi.rename(columns={"cpi": "waarde"})
    gov = chain_index(opendata.government_consumption_price().rename(
        columns={"mutatie_pct": "mutatie"})).assign(
            reeks="overheidsconsumptie", bron="CBS 85880NED")
    for table, rows in (("86141NED", len(cpi)), ("85880NED", len(gov))):
        provenance.append(download_provenance("prijsindex", table,
                                              f"{datasets.base_url}/{table}", rows))
    progress("Iv3 (dataderden)", 3, 5)
    raw, municipalities, code_lists = download_iv3(
        Iv3Source(dataderden), settings, progress, provenance)
    progress("Iv3-feiten", 4, 5)
    iv3 = facts_from_raw(raw, municipalities, bron="CBS Iv3 (dataderden)")
    progress("Iv3-feiten", 5, 5)
    return LoadedData(
        municipalities_per_year=municipalities,
        regions=regions,
        herindelingen=herindelingen,
        population=population[["gm_code", "jaar", "inwoners"]],
        prices=pd.concat([cpi, gov], ignore_index=True),
        codes=code_lists,
        iv3=iv3,
        provenance=provenance,
        source_label=f"live CBS ({dataderden.base_url}, {datasets.base_url})",
    )


def download_iv3(
    source: Iv3Source, settings: Settings, progress: Progress, provenance: list[Provenance]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    frames: list[pd.DataFrame] = []
    municipalities: list[pd.DataFrame] = []
    codes: list[pd.DataFrame] = []
    years = list(iv3_years())
    for index, jaar in enumerate(years):
        try:
            table = source.find_table(jaar)
        except DownloadError:
            if jaar > FIRST_YEAR and frames:
                break  # the next year's table is not published yet
            raise
        keys = {row["Key"].strip() for row in source.dimension(table.identifier, "Verslagsoort")}
        documents = [doc for doc, suffix in DOCUMENT_KEYS.items() if f"{jaar}{suffix}" in keys]

        label = f"Iv3 {jaar} ({table.identifier})"

        def report(rows: int, total: int | None, label: str = label, step: int = index) -> None:
            done = f"{rows}" + (f"/{total}" if total else "")
            progress(f"{label}: {done} rijen", step, len(years))

        raw = source.download(table.identifier, jaar, documents,
                              journal_dir=settings.download_dir / "iv3", progress=report)
        frames.append(raw)
        provenance.append(download_provenance(
            "iv3_fact", table.identifier,
            f"{source.client.base_url}/ODataApi/OData/{table.identifier}/TypedDataSet",
            len(raw)))
        names = source.dimension(table.identifier, "Gemeenten")
        municipalities.append(pd.DataFrame({
            "gm_code": [row["Key"].strip() for row in names],
            "jaar": jaar,
            "naam": [row["Title"].strip().removesuffix(" (gemeente)") for row in names],
        }))
        codes.append(code_list_frame(source, table.identifier, jaar))
    per_year = pd.concat(municipalities, ignore_index=True)
    per_year = per_year[per_year["gm_code"].str.fullmatch(r"GM\d{4}")]
    return pd.concat(frames, ignore_index=True), per_year, pd.concat(codes, ignore_index=True)


def code_list_frame(source: Iv3Source, table: str, jaar: int) -> pd.DataFrame:
    """The taakveld and categorie code lists of one year, as the CBS table's dimensions carry."""
    rows = []
    for row in source.dimension(table, "TaakveldBalanspost"):
        code = row["Key"].strip()
        if code[:1].isdigit():
            rows.append((jaar, "taakveld", code.rstrip("."), row["Title"].strip(), None))
    for row in source.dimension(table, "Categorie"):
        code = row["Key"].strip()
        side = {"L": "categorie_lasten", "B": "categorie_baten"}.get(code[:1].upper())
        if side and code[1:2].isdigit():
            rows.append((jaar, side, code[1:], row["Title"].strip(), None))
    frame = pd.DataFrame(rows, columns=["jaar", "codelijst", "code", "omschrijving", "ouder"])
    return frame.drop_duplicates(["jaar", "codelijst", "code"])


def province_names(client: Fetcher) -> dict[str, str]:
    codes = client.fetch_all("03759ned/RegioSCodes", {"$count": "true"}, key=("Identifier",))
    return {row["Identifier"]: row["Title"].removesuffix(" (PV)").strip()
            for row in codes if str(row.get("Identifier", "")).startswith("PV")}


def regions_frame(codes: pd.DataFrame, provinces: dict[str, str]) -> pd.DataFrame:
    frame = codes.rename(columns={"gm_naam": "naam"}).copy()
    frame["naam"] = frame["naam"].str.removesuffix(" (gemeente)")
    frame["provincie_naam"] = frame["provincie_code"].map(provinces)
    frame["begindatum"] = pd.NaT
    return frame[["gm_code", "naam", "begindatum", "provincie_code", "provincie_naam"]]


def herindelingen_frame(parsed: pd.DataFrame) -> pd.DataFrame:
    frame = parsed.copy()
    frame["datum"] = pd.to_datetime(frame["datum"])
    frame["jaar"] = frame["datum"].dt.year + (frame["datum"].dt.day_of_year > 1).astype(int)
    frame["aandeel"] = pd.to_numeric(frame["aandeel_inwoners"]).fillna(1.0)
    frame["inwoners"] = pd.to_numeric(frame["inwoners"])
    return frame[["datum", "jaar", "soort", "oude_gm_code", "oude_gm_naam", "nieuwe_gm_code",
                  "nieuwe_gm_naam", "inwoners", "aandeel"]]
