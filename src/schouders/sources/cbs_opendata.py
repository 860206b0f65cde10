"""Population, price indices and the municipal code list from the CBS OData v4 datasets API.

Base URL: ``Settings.datasets_url`` (https://datasets.cbs.nl/odata/v1/CBS). Every request selects
a narrow slice with ``$filter`` and asks for ``$count=true`` so the client can verify that the
download is complete. See docs/cbs_client.md.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from schouders.errors import DownloadError
from schouders.sources.odata import Fetcher, Progress

POPULATION_TABLE = "03759ned"
CPI_TABLE = "86141NED"
GOVERNMENT_TABLE = "85880NED"

POPULATION_FILTER = (
    "Measure eq 'M000352' and Geslacht eq 'T001038' and Leeftijd eq '10000' "
    "and BurgerlijkeStaat eq 'T001019' and startswith(RegioS,'GM')"
)
CPI_FILTER = "Bestedingscategorieen eq 'T001112' and Measure eq 'M000215'"
GOVERNMENT_FILTER = "Measure eq 'A049169_1' and SoortMutaties eq 'A045303'"
ANNUAL = re.compile(r"^(\d{4})JJ00$")

HERINDELING_COLUMNS = [
    "datum", "soort", "oude_gm_code", "oude_gm_naam", "nieuwe_gm_code", "nieuwe_gm_naam",
    "hectare", "woningen", "inwoners", "aandeel_inwoners",
]


class OpenDataSource:
    """Tables on the CBS v4 API; ``client.base_url`` is ``Settings.datasets_url``."""

    def __init__(self, client: Fetcher) -> None:
        self.client = client

    def _observations(
        self,
        table: str,
        odata_filter: str,
        journal_dir: Path | None = None,
        progress: Progress | None = None,
    ) -> list[dict]:
        return self.client.fetch_all(
            f"{table}/Observations",
            {"$filter": odata_filter, "$count": "true"},
            journal_dir=journal_dir,
            progress=progress,
            key=("Id",),
        )

    def population(
        self, journal_dir: Path | None = None, progress: Progress | None = None
    ) -> pd.DataFrame:
        """Inwoners on 1 January per municipality (GM code) and year, from 03759ned."""
        rows = self._observations(POPULATION_TABLE, POPULATION_FILTER, journal_dir, progress)
        records = [
            (row["RegioS"].strip(), int(match.group(1)), round(float(row["Value"])))
            for row in _valid(rows)
            if (match := ANNUAL.match(str(row.get("Perioden", "")).strip()))
        ]
        frame = pd.DataFrame(records, columns=["gm_code", "jaar", "inwoners"])
        _require(frame, POPULATION_TABLE, "bevolking op 1 januari per gemeente")
        return frame.sort_values(["gm_code", "jaar"], ignore_index=True)

    def cpi(self) -> pd.DataFrame:
        """Annual CPI, all spending (2025=100), from 86141NED: jaar, cpi."""
        frame = self._annual(CPI_TABLE, CPI_FILTER, "cpi")
        _require(frame, CPI_TABLE, "jaarcijfers van de CPI")
        return frame

    def government_consumption_price(self) -> pd.DataFrame:
        """Annual price change (%) of government consumption, from 85880NED: jaar, mutatie_pct."""
        frame = self._annual(GOVERNMENT_TABLE, GOVERNMENT_FILTER, "mutatie_pct")
        _require(frame, GOVERNMENT_TABLE, "jaarmutaties van de prijs van overheidsconsumptie")
        return frame

    def _annual(self, table: str, odata_filter: str, column: str) -> pd.DataFrame:
        rows = self._observations(table, odata_filter)
        records = [
            (int(match.group(1)), float(row["Value"]))
            for row in _valid(rows)
            if (match := ANNUAL.match(str(row.get("Perioden", "")).strip()))
        ]
        frame = pd.DataFrame(records, columns=["jaar", column])
        return frame.sort_values("jaar", ignore_index=True)

    def municipal_codes(self) -> pd.DataFrame:
        """All municipalities ever in 03759ned's RegioS code list, with CBS's history text."""
        rows = self.client.fetch_all(
            f"{POPULATION_TABLE}/RegioSCodes",
            {"$filter": "startswith(Identifier,'GM')", "$count": "true"}, key=("Identifier",),
        )
        records = []
        for row in rows:
            code = str(row.get("Identifier", "")).strip()
            if not re.fullmatch(r"GM\d{4}", code):
                continue
            group = str(row.get("DimensionGroupId") or "")
            province = f"PV{group[4:]}" if re.fullmatch(r"GMPV\d{2}", group) else None
            records.append((code, str(row.get("Title", "")).strip(), province,
                            str(row.get("Description") or "")))
        frame = pd.DataFrame(records,
                             columns=["gm_code", "gm_naam", "provincie_code", "description"])
        _require(frame, POPULATION_TABLE, "gemeentecodes (RegioS)")
        return frame


def _valid(rows: list[dict]) -> list[dict]:
    """Observations with a value: CBS marks impossible combinations with 'Impossible'/null."""
    return [row for row in rows
            if row.get("Value") is not None and row.get("ValueAttribute") != "Impossible"]


def _require(frame: pd.DataFrame, table: str, what: str) -> None:
    if frame.empty:
        raise DownloadError(
            f"CBS-tabel {table} leverde geen {what}.",
            "Mogelijk is de tabel gewijzigd of vervangen; controleer de tabel op "
            "https://opendata.cbs.nl en meld het bij Schouders.",
        )


# ---------------------------------------------------------------------------------------------
# Herindelingen from the RegioS descriptions
# ---------------------------------------------------------------------------------------------
_OPGEHEVEN = re.compile(r"^Opgeheven per (\d{2})-(\d{2})-(\d{4}),? overgegaan naar:?\s*$")
_RENAME = re.compile(r"^Naamswijziging per (\d{2})-(\d{2})-(\d{4})")
_NEW_NAME = re.compile(r"^nieuwe naam:\s*(.+?)\s*\((GM\d{4})\)")
_TARGET = re.compile(r"^-\s*(.+?)\s*\((GM\d{4})\),?\s*$")
_HECTARE = re.compile(r"(\d+(?:[.,]\d+)?)\s*hectare")
_WONINGEN = re.compile(r"(\d+)\s*woning")
_INWONERS = re.compile(r"(\d+)\s*inwoner")


def _number(pattern: re.Pattern[str], text: str) -> float:
    match = pattern.search(text)
    return float(match.group(1).replace(",", ".")) if match else float("nan")


def _iso(day: str, month: str, year: str) -> str:
    return f"{year}-{month}-{day}"


def _lines(description: str) -> list[str]:
    return [line.strip() for line in description.replace("\r\n", "\n").split("\n")]


def _opheffingen(code: str, name: str, lines: list[str]) -> list[dict]:
    rows: list[dict] = []
    index = 0
    while index < len(lines):
        match = _OPGEHEVEN.match(lines[index])
        index += 1
        if not match:
            continue
        datum = _iso(*match.groups())
        block: list[dict] = []
        while index < len(lines) and lines[index].startswith(("-", "...")):
            line = lines[index]
            target = _TARGET.match(line)
            if target:
                block.append({"datum": datum, "soort": "opheffing", "oude_gm_code": code,
                              "oude_gm_naam": name, "nieuwe_gm_code": target.group(2),
                              "nieuwe_gm_naam": target.group(1), "hectare": float("nan"),
                              "woningen": float("nan"), "inwoners": float("nan")})
            elif line.startswith("...") and block:
                block[-1].update(hectare=_number(_HECTARE, line),
                                 woningen=_number(_WONINGEN, line),
                                 inwoners=_number(_INWONERS, line))
            index += 1
        total = sum(row["inwoners"] for row in block if row["inwoners"] == row["inwoners"])
        for row in block:
            share = row["inwoners"] / total if total else float("nan")
            row["aandeel_inwoners"] = round(share, 4) if share == share else share
        rows.extend(block)
    return rows


def _renames(code: str, name: str, lines: list[str]) -> list[dict]:
    rows = []
    for index, line in enumerate(lines):
        match = _RENAME.match(line)
        if not match:
            continue
        for following in lines[index + 1: index + 3]:
            new = _NEW_NAME.match(following)
            if new and new.group(2) != code:
                rows.append({"datum": _iso(*match.groups()), "soort":
                             "naamswijziging_met_nieuwe_code", "oude_gm_code": code,
                             "oude_gm_naam": name, "nieuwe_gm_code": new.group(2),
                             "nieuwe_gm_naam": new.group(1), "hectare": float("nan"),
                             "woningen": float("nan"), "inwoners": float("nan"),
                             "aandeel_inwoners": 1.0})
                break
    return rows


def parse_herindelingen(codes: pd.DataFrame) -> pd.DataFrame:
    """Opheffingen and renames with a new code, parsed from CBS's RegioS descriptions.

    ``codes`` has gm_code, gm_naam and description (as ``OpenDataSource.municipal_codes``).
    Each "Opgeheven per DD-MM-YYYY, overgegaan naar:" block gives one row per successor with the
    hectare, woningen and inwoners that went there; ``aandeel_inwoners`` is that successor's
    share of the inwoners of the dissolved municipality (rounded to 4 decimals; empty when none
    moved). A "Naamswijziging ... nieuwe naam: X (GMnnnn)" with a different code gives a row of
    soort ``naamswijziging_met_nieuwe_code`` with share 1.
    """
    rows: list[dict] = []
    for code, name, description in zip(codes["gm_code"], codes["gm_naam"],
                                       codes["description"], strict=True):
        lines = _lines(str(description or ""))
        rows += _opheffingen(str(code), str(name), lines)
        rows += _renames(str(code), str(name), lines)
    frame = pd.DataFrame(rows, columns=HERINDELING_COLUMNS)
    for column in ("hectare", "woningen", "inwoners", "aandeel_inwoners"):
        frame[column] = frame[column].astype(float)
    return frame.sort_values(["datum", "oude_gm_code"], kind="stable", ignore_index=True)
