"""Readers for the local open-data snapshot (the project's ``shared/data``; see its SOURCES.md).

Each reader validates its file and returns a :class:`SourceTable` with provenance. Nothing here
knows about the warehouse; the builder decides where each frame goes.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd

from schouders.errors import DataFileError
from schouders.sources.csvfile import (
    SNAPSHOT_HINT,
    check_pattern,
    numeric_column,
    read_csv_strict,
    require_file,
    require_range,
    require_rows,
    require_unique,
)
from schouders.sources.provenance import SourceTable, file_provenance

FIRST_YEAR = 2017
LAST_YEAR = 2026
GM_PATTERN = r"GM\d{4}"

JOEY = "joeykurtosis_gemeentefinancien"
CHECKDECIJFERS = "checkdecijfers_cbs_odata_v4"
DEFINITIES = "cbs_iv3_definities"

GEMEENTEN_PER_JAAR = f"{JOEY}/gemeenten_per_jaar_2010_2026.csv"
INWONERS = f"{JOEY}/inwoners_2017_2026.csv"
IV3_SUMMARY = f"{JOEY}/iv3_summary_2017_2026.csv"
IV3_BREAKDOWNS = f"{JOEY}/iv3_summary_breakdowns_long_2017_2026.csv.gz"
REGIOS_CODES = f"{CHECKDECIJFERS}/03759ned/codes-RegioS.json"
REGIOS_METADATA = f"{CHECKDECIJFERS}/derived_03759ned_RegioS_gemeenten_metadata.csv"
HERINDELINGEN = f"{CHECKDECIJFERS}/derived_herindelingen_opheffingen.csv"
CPI = f"{CHECKDECIJFERS}/derived_86141NED_cpi_2025is100_alle_bestedingen.csv"
GOV_CONSUMPTION = f"{CHECKDECIJFERS}/derived_85880NED_jaarmutaties_long.csv"
CODELISTS = f"{DEFINITIES}/iv3_codelijsten_gemeente_2017_2026.csv"


def check_data_dir(data_dir: Path) -> None:
    if not data_dir.is_dir():
        raise DataFileError(
            data_dir,
            "snapshotmap bestaat niet",
            hint="Geef met --data-dir of SCHOUDERS_DATA_DIR de map op met SOURCES.md "
            "(bijv. ../shared/data), of laat beide weg om live bij CBS te laden.",
        )


def read_municipalities_per_year(data_dir: Path) -> SourceTable:
    """gm_code, jaar, naam for every municipality that existed on 1 January of jaar (2017-2026)."""
    path = data_dir / GEMEENTEN_PER_JAAR
    frame = read_csv_strict(path, ["gm_code", "gm_naam", "jaar"])
    check_pattern(frame, "gm_code", GM_PATTERN, path, "een code als GM0363")
    frame["jaar"] = numeric_column(frame, "jaar", path, allow_empty=False, integer=True)
    frame = frame[frame["jaar"].between(FIRST_YEAR, LAST_YEAR)]
    result = frame.rename(columns={"gm_naam": "naam"})[["gm_code", "jaar", "naam"]]
    return SourceTable(
        result.reset_index(drop=True), file_provenance("gemeente_jaar", path, len(result))
    )


def read_regions(data_dir: Path) -> SourceTable:
    """All 835 historical municipality codes with name, start date and provincie (CBS RegioS)."""
    path = data_dir / REGIOS_METADATA
    frame = read_csv_strict(path, ["gm_code", "gm_naam", "begindatum", "dimension_group"])
    check_pattern(frame, "gm_code", GM_PATTERN, path, "een code als GM0363")
    provinces = read_province_names(data_dir)
    frame["provincie_code"] = (
        frame["dimension_group"]
        .str.removeprefix("GM")
        .where(frame["dimension_group"].str.startswith("GMPV"), None)
    )
    frame["provincie_naam"] = frame["provincie_code"].map(provinces)
    frame["begindatum"] = pd.to_datetime(frame["begindatum"], format="%d-%m-%Y", errors="coerce")
    frame["naam"] = frame["gm_naam"].str.removesuffix(" (gemeente)")
    result = frame[["gm_code", "naam", "begindatum", "provincie_code", "provincie_naam"]]
    return SourceTable(result, file_provenance("gemeente", path, len(result), tabel="03759ned"))


def read_province_names(data_dir: Path) -> dict[str, str]:
    path = require_file(data_dir / REGIOS_CODES)
    try:
        codes = json.loads(path.read_text(encoding="utf-8"))["value"]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise DataFileError(path, f"geen geldige CBS-codelijst: {exc}", hint=SNAPSHOT_HINT) from exc
    return {
        item["Identifier"]: item["Title"].removesuffix(" (PV)").strip()
        for item in codes
        if str(item.get("Identifier", "")).startswith("PV")
    }


def read_herindelingen(data_dir: Path) -> SourceTable:
    path = data_dir / HERINDELINGEN
    frame = read_csv_strict(
        path,
        [
            "datum",
            "soort",
            "oude_gm_code",
            "oude_gm_naam",
            "nieuwe_gm_code",
            "nieuwe_gm_naam",
            "inwoners",
            "aandeel_inwoners",
        ],
    )
    for column in ("oude_gm_code", "nieuwe_gm_code"):
        check_pattern(frame, column, GM_PATTERN, path, "een code als GM0363")
    frame["datum"] = pd.to_datetime(frame["datum"], format="%Y-%m-%d", errors="coerce")
    if frame["datum"].isna().any():
        position = int(frame["datum"].isna().to_numpy().nonzero()[0][0])
        raise DataFileError(
            path,
            "ongeldige datum",
            location=f"regel {position + 2}",
            expected="JJJJ-MM-DD",
            hint=SNAPSHOT_HINT,
        )
    frame["inwoners"] = numeric_column(frame, "inwoners", path)
    frame["aandeel"] = numeric_column(frame, "aandeel_inwoners", path).fillna(1.0)
    frame["jaar"] = frame["datum"].dt.year + (frame["datum"].dt.day_of_year > 1).astype(int)
    result = frame[
        [
            "datum",
            "jaar",
            "soort",
            "oude_gm_code",
            "oude_gm_naam",
            "nieuwe_gm_code",
            "nieuwe_gm_naam",
            "inwoners",
            "aandeel",
        ]
    ]
    return SourceTable(result, file_provenance("herindeling", path, len(result), tabel="03759ned"))


def read_population(data_dir: Path) -> SourceTable:
    path = data_dir / INWONERS
    frame = read_csv_strict(path, ["gm_code", "jaar", "aantal_inwoners"])
    check_pattern(frame, "gm_code", GM_PATTERN, path, "een code als GM0363")
    frame["jaar"] = numeric_column(frame, "jaar", path, allow_empty=False, integer=True)
    frame["inwoners"] = numeric_column(frame, "aantal_inwoners", path, integer=True)
    require_rows(frame, path, "bevolkingscijfers")
    require_range(frame, "inwoners", path, 1, 2_000_000, "een aantal inwoners van 1 tot 2 miljoen")
    require_unique(frame, ["gm_code", "jaar"], path)
    result = frame.dropna(subset=["inwoners"])[["gm_code", "jaar", "inwoners"]]
    return SourceTable(result, file_provenance("bevolking", path, len(result), tabel="03759ned"))


def read_cpi(data_dir: Path) -> SourceTable:
    """Annual CPI, alle bestedingen, 2025=100 (CBS 86141NED)."""
    path = data_dir / CPI
    frame = read_csv_strict(path, ["Perioden", "CPI"])
    annual = frame[frame["Perioden"].str.fullmatch(r"\d{4}JJ00")].copy()
    annual["jaar"] = annual["Perioden"].str[:4].astype(int)
    if annual.empty:
        raise DataFileError(path, "bevat geen jaarcijfers van de CPI", expected="Perioden JJJJJJ00",
                            hint=SNAPSHOT_HINT)
    annual["waarde"] = numeric_column(annual, "CPI", path, allow_empty=False)
    require_range(annual, "waarde", path, 1e-6, 1e6, "een positief indexcijfer")
    require_unique(annual, ["jaar"], path)
    result = annual[["jaar", "waarde"]].assign(reeks="cpi", basisjaar=2025, bron="CBS 86141NED")
    return SourceTable(result, file_provenance("prijsindex", path, len(result), tabel="86141NED"))


def read_gov_consumption_price(data_dir: Path) -> SourceTable:
    """Price index of government consumption, chained from CBS 85880NED annual price mutations.

    CBS publishes year-on-year % changes; the index is chained to the year before the first
    mutation (=100), so only ratios between years carry meaning.
    """
    path = data_dir / GOV_CONSUMPTION
    frame = read_csv_strict(path, ["Perioden", "Measure", "SoortMutaties", "Value"])
    rows = frame[
        (frame["Measure"] == "A049169_1")
        & (frame["SoortMutaties"] == "A045303")
        & frame["Perioden"].str.fullmatch(r"\d{4}JJ00")
    ].copy()
    if rows.empty:
        raise DataFileError(
            path,
            "geen jaarmutaties van de prijs van overheidsconsumptie",
            expected="Measure A049169_1 met SoortMutaties A045303",
            hint=SNAPSHOT_HINT,
        )
    rows["jaar"] = rows["Perioden"].str[:4].astype(int)
    rows["mutatie"] = numeric_column(rows, "Value", path, allow_empty=False)
    result = chain_index(rows[["jaar", "mutatie"]]).assign(
        reeks="overheidsconsumptie", bron="CBS 85880NED"
    )
    return SourceTable(result, file_provenance("prijsindex", path, len(result), tabel="85880NED"))


def chain_index(mutations: pd.DataFrame) -> pd.DataFrame:
    """Index (base year = year before the first mutation = 100) from yearly % mutations."""
    ordered = mutations.sort_values("jaar")
    base_year = int(ordered["jaar"].iloc[0]) - 1
    values = [100.0]
    for change in ordered["mutatie"]:
        values.append(values[-1] * (1 + float(change) / 100))
    years = [base_year, *ordered["jaar"].astype(int)]
    return pd.DataFrame({"jaar": years, "waarde": values, "basisjaar": base_year})


def read_codelists(data_dir: Path) -> SourceTable:
    path = data_dir / CODELISTS
    frame = read_csv_strict(path, ["jaar", "codelijst", "code", "omschrijving", "ouder"])
    frame["jaar"] = numeric_column(frame, "jaar", path, allow_empty=False, integer=True)
    frame["ouder"] = frame["ouder"].where(frame["ouder"] != "", None)
    result = frame[["jaar", "codelijst", "code", "omschrijving", "ouder"]]
    result = result.drop_duplicates(["jaar", "codelijst", "code"])
    return SourceTable(result, file_provenance("iv3_code", path, len(result)))


def read_iv3_summary(data_dir: Path) -> SourceTable:
    path = data_dir / IV3_SUMMARY
    amounts = [
        "lasten",
        "baten",
        "reserve_lasten",
        "reserve_baten",
        "salarissen",
        "inhuur",
        "verbonden",
        "rijk",
        "spuks",
        "heffingen",
        "salarissen_overhead",
        "inhuur_overhead",
        "eigen_vermogen",
        "balanstotaal",
    ]
    frame = read_csv_strict(path, ["jaar", "verslagsoort", "document", "gm_code", *amounts])
    check_pattern(frame, "gm_code", GM_PATTERN, path, "een code als GM0363")
    check_pattern(frame, "document", "begroting|jaarrekening", path, "begroting of jaarrekening")
    frame["jaar"] = numeric_column(frame, "jaar", path, allow_empty=False, integer=True)
    for column in amounts:
        frame[column] = numeric_column(frame, column, path)
    require_rows(frame, path, "Iv3-totalen")
    require_unique(frame, ["jaar", "verslagsoort", "gm_code"], path)
    return SourceTable(
        frame, file_provenance("iv3_fact", path, len(frame), tabel="Iv3 (dataderden)")
    )


def read_iv3_breakdowns(data_dir: Path) -> SourceTable:
    """The long breakdown file (about a million rows), read with DuckDB's typed CSV reader."""
    path = require_file(data_dir / IV3_BREAKDOWNS)
    columns = {
        "jaar": "INTEGER",
        "verslagsoort": "VARCHAR",
        "gm_code": "VARCHAR",
        "breakdown": "VARCHAR",
        "key1": "VARCHAR",
        "key2": "VARCHAR",
        "bedrag_x1000_eur": "DOUBLE",
    }
    con = duckdb.connect()
    try:
        frame = con.execute(
            """
            SELECT jaar,
                   CASE right(verslagsoort, 3) WHEN '000' THEN 'begroting'
                        WHEN '005' THEN 'jaarrekening' END AS document,
                   gm_code, breakdown, key1, coalesce(key2, '') AS key2,
                   bedrag_x1000_eur AS bedrag, verslagsoort
            FROM read_csv(?, header = true, columns = ?, auto_detect = false)
            """,
            [str(path), columns],
        ).df()
    except duckdb.Error as exc:
        raise DataFileError(
            path,
            f"kan niet gelezen worden: {exc}",
            expected="kolommen " + ", ".join(columns),
            hint=SNAPSHOT_HINT,
        ) from exc
    finally:
        con.close()
    check_pattern(frame, "gm_code", GM_PATTERN, path, "een code als GM0363")
    if frame["document"].isna().any():
        position = int(frame["document"].isna().to_numpy().nonzero()[0][0])
        raise DataFileError(
            path,
            f"onbekende verslagsoort {frame['verslagsoort'].iloc[position]!r}",
            location=f"regel {position + 2}",
            expected="JJJJX000 (begroting) of JJJJX005 (jaarrekening)",
            hint=SNAPSHOT_HINT,
        )
    result = frame[["jaar", "document", "gm_code", "breakdown", "key1", "key2", "bedrag"]]
    require_rows(result, path, "Iv3-uitsplitsingen")
    _require_unique_breakdowns(frame, path)
    return SourceTable(
        result, file_provenance("iv3_fact", path, len(result), tabel="Iv3 (dataderden)")
    )


def _require_unique_breakdowns(frame: pd.DataFrame, path: Path) -> None:
    """Each (jaar, verslagsoort, gm_code, breakdown, key1, key2) once (DuckDB: a million rows)."""
    key = ["jaar", "verslagsoort", "gm_code", "breakdown", "key1", "key2"]
    con = duckdb.connect()
    try:
        con.register("breakdowns", frame[key])
        repeated = con.execute(
            f"SELECT {', '.join(key)} FROM breakdowns GROUP BY ALL HAVING count(*) > 1 LIMIT 1"
        ).fetchall()
    finally:
        con.close()
    if repeated:
        mask = pd.Series(True, index=frame.index)
        for column, value in zip(key, repeated[0], strict=True):
            mask &= frame[column] == value
        second = int(frame.index[mask][1])  # the frame keeps the file's row order
        raise DataFileError(
            path, "dubbele regel voor " + ", ".join(f"{c}={v}" for c, v in zip(
                key, repeated[0], strict=True)),
            location=f"regel {second + 2}", expected="elke combinatie één keer",
            hint=SNAPSHOT_HINT)
