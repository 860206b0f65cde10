"""Iv3 raw data of all municipalities from CBS dataderden (OData v3), one table per year.

The table of a year is found by its title in the IV3 catalogue ("Gemeenten <jaar> onbewerkte
Iv3-data"), never by a hard-coded identifier. Rows come from ``TypedDataSet``, filtered per
verslagsoort (``{jaar}X000`` = begroting, ``{jaar}X005`` = jaarrekening), paged and resumable.
The value is the 2e plaatsing, falling back to the 1e plaatsing (see docs/cbs_client.md).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from schouders.errors import DownloadError
from schouders.sources.odata import Fetcher, Progress

IV3_TITLE = "Gemeenten {jaar} onbewerkte Iv3-data"
NO_FIGURE = -99998
DOCUMENT_SUFFIXES = {"begroting": "X000", "jaarrekening": "X005"}
COLUMNS = ["gm_code", "jaar", "document", "taakveld", "categorie", "bedrag"]

# Dimension and measure names, newest first (older tables use the functie-era names).
TAAKVELD_DIMENSIONS = ("TaakveldBalanspost", "FunctieKostenplaatsBalanspost")
FIRST_PLACEMENT = ("k_1ePlaatsing_1", "k_1stePlaatsing_1")
SECOND_PLACEMENT = ("k_2ePlaatsing_2", "k_2dePlaatsing_2")


@dataclass(frozen=True)
class TableRef:
    identifier: str
    title: str
    modified: str | None


@dataclass(frozen=True)
class _Layout:
    """Column names of one Iv3 table, read from its DataProperties."""

    taakveld: str
    first: str
    second: str


def _normalise(title: str) -> str:
    return re.sub(r"\s+", " ", title).strip().casefold()


class Iv3Source:
    """Iv3 tables on dataderden.cbs.nl; ``client.base_url`` is ``Settings.dataderden_url``."""

    def __init__(self, client: Fetcher) -> None:
        self.client = client

    def find_table(self, jaar: int) -> TableRef:
        """The table titled "Gemeenten <jaar> onbewerkte Iv3-data" in the IV3 catalogue."""
        tables = self.client.fetch_all(
            "ODataCatalog/Tables",
            {"$format": "json", "$filter": "Catalog eq 'IV3'", "$inlinecount": "allpages"},
            key=("Identifier",),
        )
        wanted = _normalise(IV3_TITLE.format(jaar=jaar))
        matches = [t for t in tables if _normalise(str(t.get("Title", ""))) == wanted]
        if not matches:
            titles = sorted({str(t.get("Title", "")).strip() for t in tables})
            shown = "; ".join(titles[:40]) + (" …" if len(titles) > 40 else "")
            raise DownloadError(
                f"Geen Iv3-tabel '{IV3_TITLE.format(jaar=jaar)}' in de CBS-catalogus "
                f"(catalogus IV3 bevat: {shown or 'niets'}).",
                "Misschien is de tabel voor dit jaar nog niet gepubliceerd.",
            )
        if len(matches) > 1:  # a republished table: take the most recently modified one
            matches.sort(key=lambda t: str(t.get("Modified") or ""), reverse=True)
        table = matches[0]
        return TableRef(
            identifier=str(table["Identifier"]).strip(),
            title=str(table["Title"]).strip(),
            modified=table.get("Modified"),
        )

    def table_properties(self, table: str) -> list[dict]:
        return self.client.fetch_all(f"ODataApi/OData/{table}/DataProperties",
                                     {"$inlinecount": "allpages"})

    def dimension(self, table: str, name: str) -> list[dict]:
        """The codes of one dimension (Key, Title, ...); keys keep CBS's space padding."""
        return self.client.fetch_all(f"ODataApi/OData/{table}/{name}",
                                     {"$inlinecount": "allpages"}, key=("Key",))

    def _layout(self, table: str) -> _Layout:
        keys = {str(p.get("Key", "")).strip() for p in self.table_properties(table)}

        def pick(options: tuple[str, ...], what: str) -> str:
            for option in options:
                if option in keys:
                    return option
            raise DownloadError(
                f"Iv3-tabel {table} heeft geen {what} ({' of '.join(options)}); "
                f"gevonden kolommen: {', '.join(sorted(keys))}.",
                "CBS heeft de opbouw van de tabel gewijzigd; meld dit bij Schouders.",
            )

        return _Layout(
            taakveld=pick(TAAKVELD_DIMENSIONS, "taakveld-dimensie"),
            first=pick(FIRST_PLACEMENT, "1e plaatsing"),
            second=pick(SECOND_PLACEMENT, "2e plaatsing"),
        )

    def _document_keys(self, table: str, jaar: int, documents: Sequence[str]) -> dict[str, str]:
        """document -> Verslagsoort key as CBS spells it (padding kept, for the $filter)."""
        keys = {str(row["Key"]).strip(): str(row["Key"]) for row in
                self.dimension(table, "Verslagsoort")}
        result = {}
        for document in documents:
            if document not in DOCUMENT_SUFFIXES:
                raise ValueError(f"unknown Iv3 document {document!r}")
            wanted = f"{jaar}{DOCUMENT_SUFFIXES[document]}"
            if wanted not in keys:
                raise DownloadError(
                    f"Iv3-tabel {table} heeft geen verslagsoort {wanted} ({document}); "
                    f"wel: {', '.join(sorted(keys)) or 'geen'}.",
                    "Mogelijk is dit document voor dit jaar nog niet gepubliceerd.",
                )
            result[document] = keys[wanted]
        return result

    def download(
        self,
        table: str,
        jaar: int,
        documents: Sequence[str] = ("begroting", "jaarrekening"),
        journal_dir: Path | None = None,
        progress: Progress | None = None,
    ) -> pd.DataFrame:
        """All rows of the given documents as gm_code, jaar, document, taakveld, categorie,
        bedrag (x1000 EUR, float; NaN where CBS has no figure)."""
        layout = self._layout(table)
        keys = self._document_keys(table, jaar, documents)
        frames = []
        done = 0
        for document, key in keys.items():
            offset = done

            def report(rows: int, total: int | None, offset: int = offset) -> None:
                if progress is not None:
                    progress(offset + rows, None if total is None else offset + total)

            rows = self.client.fetch_all(
                f"ODataApi/OData/{table}/TypedDataSet",
                {
                    "$format": "json",
                    "$filter": f"Verslagsoort eq '{key}'",
                    "$select": ",".join(["Gemeenten", layout.taakveld, "Categorie",
                                         layout.first, layout.second]),
                    "$inlinecount": "allpages",
                },
                journal_dir=journal_dir,
                progress=report,
                key=("Gemeenten", layout.taakveld, "Categorie"),
            )
            done += len(rows)
            frames.append(_frame(rows, layout, jaar, document))
        if not frames:
            return _frame([], layout, jaar, "begroting")
        return pd.concat(frames, ignore_index=True)


def _values(rows: list[dict], column: str) -> np.ndarray:
    values = pd.to_numeric(pd.Series([row.get(column) for row in rows], dtype=object),
                           errors="coerce").astype(float)
    return values.mask(values == NO_FIGURE).to_numpy()


def _frame(rows: list[dict], layout: _Layout, jaar: int, document: str) -> pd.DataFrame:
    second = _values(rows, layout.second)
    first = _values(rows, layout.first)
    bedrag = np.where(np.isnan(second), first, second) if rows else np.array([], dtype=float)
    return pd.DataFrame({
        "gm_code": pd.Series([str(r.get("Gemeenten") or "").strip() for r in rows], dtype=str),
        "jaar": pd.Series(jaar, index=range(len(rows)), dtype="int64"),
        "document": pd.Series(document, index=range(len(rows)), dtype=str),
        "taakveld": pd.Series([str(r.get(layout.taakveld) or "").strip() for r in rows],
                              dtype=str),
        "categorie": pd.Series([str(r.get("Categorie") or "").strip() for r in rows], dtype=str),
        "bedrag": bedrag.astype(float),
    }, columns=COLUMNS)
