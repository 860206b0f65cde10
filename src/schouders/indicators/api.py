"""Python API of the indicator engine, for analysts and the web app. Everything returns pandas.

Typical use::

    from schouders.config import load_settings
    from schouders.indicators import api

    settings = load_settings(data_dir="../shared/data")
    api.compute_all(settings)                          # once; later calls reuse the cache
    api.catalogue_table()                              # the catalogue as a table
    api.indicator_values(settings, ["overhead_pct"], jaar=2025, document="begroting")
    p = api.profile(settings, "GM0677", 2025, "begroting", peer_group="knn")
    p.posities, p.peers, p.signalen                    # DataFrames
    api.compare(settings, ["GM0677", "GM0678"], 2024, "jaarrekening")
    api.national_picture(settings, document="begroting", deflator="cpi")
    api.signals(settings, jaar=2024, document="jaarrekening")

Values are nominal unless ``real=True``: then amounts in euros are in prices of ``basisjaar``
(deflator 'cpi' or 'overheidsconsumptie' from the warehouse), and year-on-year changes are real
changes. Every function reads the cache and refreshes it first when the warehouse, catalogue or
peer configuration changed (see :mod:`schouders.indicators.cache`).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from schouders.config import Settings
from schouders.errors import SchoudersError
from schouders.indicators import pool
from schouders.indicators.cache import CacheReport, Progress, cache_path, no_progress
from schouders.indicators.catalogue import describe_formula
from schouders.indicators.context import Definitions, definitions, ensure_cache
from schouders.indicators.national import national_base
from schouders.indicators.national import national_picture as build_picture
from schouders.indicators.peers import BUILT_IN, TYPE_LABELS
from schouders.indicators.positions import STAT_COLUMNS, group_positions
from schouders.indicators.prices import check_deflator, deflate_positions, deflate_values
from schouders.indicators.signals import evaluate
from schouders.indicators.sources import Sources
from schouders.indicators.sqlgen import values_query

DOCUMENTS = ("begroting", "jaarrekening")
GM_CODE = re.compile(r"^GM\d{4}$")
PROFILE_COLUMNS = ["indicator", "naam", "thema", "eenheid", "richting", "bbv", "waarde",
                   "teller", "noemer", "n", "mediaan", "gemiddelde", "sd", "percentiel", "z",
                   "rang", "opmerking"]
_national_memo: dict[tuple[object, ...], pd.DataFrame] = {}
_national_lock = threading.Lock()


@dataclass(frozen=True)
class Profiel:
    """One municipality in one year and document, against a peer group."""

    gm_code: str
    naam: str
    jaar: int
    document: str
    peergroep: str             # grootteklasse | stedelijkheid | provincie | knn | groep | lijst
    peergroep_naam: str        # e.g. "gemeentegrootteklasse (CBS): 20.000 tot 50.000 inwoners"
    peers: pd.DataFrame        # gm_code, naam (+ afstand, rang for knn)
    posities: pd.DataFrame     # one row per indicator: PROFILE_COLUMNS
    signalen: pd.DataFrame     # SIGNAL_COLUMNS
    toelichting: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        """The positions with the profile's identity columns, for export."""
        frame = self.posities.copy()
        frame.insert(0, "gm_code", self.gm_code)
        frame.insert(1, "gemeente", self.naam)
        frame.insert(2, "jaar", self.jaar)
        frame.insert(3, "document", self.document)
        frame.insert(4, "peergroep", self.peergroep_naam)
        return frame


# ------------------------------------------------------------------------------ computation --

def compute_all(settings: Settings, *, force: bool = False, progress: Progress = no_progress,
                defs: Definitions | None = None) -> CacheReport | None:
    """Compute (or refresh) the cache: all indicators for all municipalities, years and
    documents, plus peer positions. Returns the report, or None when it was already current."""
    return ensure_cache(settings, defs or definitions(), force=force, progress=progress)


def compute_values(con: duckdb.DuckDBPyConnection, sources: Sources | None = None,
                   codes: Sequence[str] | None = None,
                   defs: Definitions | None = None) -> pd.DataFrame:
    """Compute indicator values directly on a warehouse connection, without the cache.

    ``sources`` picks the relations; e.g. after
    ``schouders.warehouse.harmonise.register_harmonised(con, 2025)`` use
    ``Sources.harmonised()`` to get the indicators on the boundaries of 2025.
    """
    from schouders.indicators.validate import validate_catalogue

    defs = defs or definitions()
    sources = sources or Sources()
    selected = defs.catalogue.select(list(codes) if codes is not None else None)
    validate_catalogue(con, defs.catalogue, sources, selected)
    query = values_query(selected, sources)
    return con.sql(query.sql, params=query.params).df()


def harmonised_values(settings: Settings, peiljaar: int | None = None,
                      codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Indicator values on the municipal boundaries of ``peiljaar`` (default: latest year)."""
    from schouders.warehouse.harmonise import register_harmonised
    from schouders.warehouse.store import open_warehouse

    con = open_warehouse(settings)
    try:
        reference = register_harmonised(con, peiljaar)
        frame = compute_values(con, Sources.harmonised(), codes)
    finally:
        con.close()
    return frame.assign(peiljaar=reference)


# ------------------------------------------------------------------------------- catalogue ---

def catalogue_table(defs: Definitions | None = None) -> pd.DataFrame:
    """The catalogue as a table: code, naam, name, thema, eenheid, richting, factor, bbv,
    formule (in words), bronnen, beschrijving, kanttekeningen."""
    defs = defs or definitions()
    rows = [{"code": ind.code, "naam": ind.naam, "name": ind.name, "thema": ind.thema,
             "eenheid": ind.eenheid, "richting": ind.richting, "factor": ind.factor,
             "bbv": ind.bbv, "formule": describe_formula(ind), "bronnen": ", ".join(ind.bronnen),
             "beschrijving": ind.beschrijving, "kanttekeningen": " | ".join(ind.kanttekeningen)}
            for ind in defs.catalogue.indicators.values()]
    return pd.DataFrame(rows)


def indicator_definition(code: str, defs: Definitions | None = None) -> dict[str, object]:
    """Everything about one indicator, including its formula in words and its definition hash."""
    defs = defs or definitions()
    ind = defs.catalogue.get(code)
    return {"code": ind.code, "naam": ind.naam, "name": ind.name,
            "beschrijving": ind.beschrijving, "thema": ind.thema, "eenheid": ind.eenheid,
            "richting": ind.richting, "factor": ind.factor, "bbv": ind.bbv,
            "bronnen": list(ind.bronnen), "soort": ind.formule.soort,
            "teller": list(ind.formule.teller_tekst), "noemer": list(ind.formule.noemer_tekst)
            or ("inwoners" if ind.formule.per_inwoner else None),
            "schaal": ind.formule.schaal, "formule": describe_formula(ind),
            "kanttekeningen": list(ind.kanttekeningen), "hash": ind.definition_hash}


# ---------------------------------------------------------------------------------- values ---

def indicator_values(
    settings: Settings, codes: Sequence[str] | None = None, *,
    gemeenten: Sequence[str] | None = None, jaar: int | Sequence[int] | None = None,
    document: str | None = None, real: bool = False, basisjaar: int = 2025,
    deflator: str = "cpi", defs: Definitions | None = None,
) -> pd.DataFrame:
    """Long table: indicator, gm_code, naam, jaar, document, waarde, teller, noemer, eenheid
    (+ waarde_nominaal, prijsbasis, opmerking when real=True). teller/noemer are in x1000 EUR
    (or inhabitants) as summed from Iv3, for traceability."""
    defs = defs or definitions()
    selected = [ind.code for ind in defs.catalogue.select(
        list(codes) if codes is not None else None)]
    if document is not None:
        _check_document(document)
    ensure_cache(settings, defs)
    conditions = ["w.indicator IN (SELECT unnest(?))"]
    params: list[object] = [selected]
    if gemeenten is not None:
        conditions.append("w.gm_code IN (SELECT unnest(?))")
        params.append([_gm_code(settings, item) for item in gemeenten])
    if jaar is not None:
        conditions.append("w.jaar IN (SELECT unnest(?))")
        params.append([int(jaar)] if isinstance(jaar, int | np.integer) else
                      [int(item) for item in jaar])
    if document is not None:
        conditions.append("w.document = ?")
        params.append(document)
    frame = _query(settings, f"""
        SELECT w.indicator, w.gm_code, g.naam, w.jaar, w.document, w.waarde, w.teller, w.noemer
        FROM indicator_waarde w
        LEFT JOIN gemeente_jaar g ON g.gm_code = w.gm_code AND g.jaar = w.jaar
        WHERE {" AND ".join(conditions)}
        ORDER BY w.indicator, w.gm_code, w.jaar, w.document""", params)
    if frame.empty and jaar is not None:
        years = _query(settings, "SELECT DISTINCT jaar FROM indicator_waarde ORDER BY jaar", [])
        raise SchoudersError(f"Geen indicatorwaarden voor {jaar}.",
                             f"Beschikbare jaren: {_span(list(years['jaar']))}.")
    frame["eenheid"] = frame["indicator"].map(
        {code: ind.eenheid for code, ind in defs.catalogue.indicators.items()})
    if real:
        frame = deflate_values(frame, defs.catalogue, _prices(settings), deflator, basisjaar)
    return frame


# --------------------------------------------------------------------------------- profile ---

def profile(
    settings: Settings, gemeente: str, jaar: int | None = None, document: str = "begroting", *,
    peer_group: str | Sequence[str] | None = None, real: bool = False, basisjaar: int = 2025,
    deflator: str = "cpi", defs: Definitions | None = None,
) -> Profiel:
    """All indicators of one municipality with its position among peers, and its signals.

    peer_group: None (size class, or nearest neighbours when the size class is too small),
    'grootteklasse', 'stedelijkheid', 'provincie', 'knn', the name of a group in
    peergroepen.toml (e.g. 'G4', 'casusgemeenten 2020'), or a list of GM codes.
    """
    defs = defs or definitions()
    _check_document(document)
    ensure_cache(settings, defs)
    static = _static(settings)
    gm_code = _gm_code(settings, gemeente)
    kind, key = _peer_spec(defs, peer_group)
    peer_type = "grootteklasse" if kind == "auto" else kind if kind in BUILT_IN else None
    history = _history(settings, gm_code, jaar, document, peer_type)
    years = sorted({row[1] for row in history.values if row[2] == document})
    if jaar is None or int(jaar) not in years:
        jaar = _pick_year(gm_code, jaar, document, years)
        history = _history(settings, gm_code, jaar, document, peer_type)
    jaar = int(jaar)
    naam = static.name(gm_code, jaar)
    notes: list[str] = _interpreted(gemeente, gm_code, naam)
    own = history.own(jaar, document)
    if peer_type is not None:
        size = _max_n(own)
        if kind == "auto" and size < defs.peers.minimum_leden:
            notes.append(f"De grootteklasse van {naam} telt maar {size} gemeenten met cijfers; "
                         "daarom vergeleken met de meest gelijkende gemeenten (knn).")
            peer_type = "knn"
            own = _history(settings, gm_code, jaar, document, peer_type).own(jaar, document)
            size = _max_n(own)
        peers, label = _built_in_members(settings, gm_code, jaar, peer_type)
        kind = peer_type
    else:
        members = (_custom_members(settings, key, jaar) if kind == "groep"
                   else [_gm_code(settings, item) for item in key])
        label = (f"{TYPE_LABELS['groep']}: {defs.peers.groups[key].naam}" if kind == "groep"
                 else "eigen lijst van gemeenten")
        if gm_code not in members:
            notes.append(f"{naam} hoort zelf niet bij deze groep; de vergelijking is met de "
                         f"groep plus {naam}.")
        values = _frame(settings, """
            SELECT indicator, gm_code, jaar, document, waarde FROM indicator_waarde
            WHERE jaar = ? AND document = ? AND gm_code IN (SELECT unnest(?))""",
                        [jaar, document, [*members, gm_code]])
        positions = group_positions(defs.catalogue.rankable(values), gm_code)
        stats = {str(row.indicator): tuple(getattr(row, column) for column in STAT_COLUMNS)
                 for row in positions.itertuples(index=False)}
        own = {code: (*row[:3], *stats.get(code, (None,) * len(STAT_COLUMNS)), None)
               for code, row in own.items()}
        size = _max_n(own)
        peers = _names_frame(settings, members, jaar)
    _check_size(size, defs.peers.minimum_leden, label, jaar, document)
    notes.append(f"Vergeleken met {label}: {size} gemeenten met een {document} {jaar}, "
                 f"{naam} meegerekend.")
    table = _profile_table(defs, own)
    if real:
        table = deflate_positions(table.assign(jaar=jaar), defs.catalogue, static.prices,
                                  deflator, basisjaar).drop(columns="jaar")
        notes.append(f"Bedragen in euro's van {basisjaar} ({deflator}); mutaties reëel.")
    outliers = None
    if kind == "grootteklasse":
        outliers = [{"indicator": code, "gm_code": gm_code, "jaar": jaar, "document": document,
                     "peer_type": kind, "groep": row[10], "waarde": row[0], "n": row[3],
                     "mediaan": row[4], "z": row[8], "percentiel": row[7]}
                    for code, row in own.items()]
    signals = _signals_for(settings, defs, [gm_code], jaar, document, outliers,
                           history.series(defs))
    return Profiel(gm_code, naam, jaar, document, kind, label, peers, table, signals, notes)


@dataclass(frozen=True)
class _History:
    """All cached values of one municipality (all years and documents), plus its positions in
    one year and document: one round trip to the cache."""

    values: list[tuple[Any, ...]]      # indicator, jaar, document, waarde, teller, noemer
    positions: dict[str, tuple[Any, ...]]  # indicator -> n, mediaan, ..., rang, groep
    gm_code: str

    def own(self, jaar: int, document: str) -> dict[str, tuple[Any, ...]]:
        empty = (None,) * (len(STAT_COLUMNS) + 1)
        return {row[0]: (*row[3:6], *self.positions.get(row[0], empty))
                for row in self.values if row[1] == jaar and row[2] == document}

    def series(self, defs: Definitions) -> dict[str, list[object]]:
        wanted = {code for rule in defs.rules for code in rule.trend_indicators}
        rows = [row for row in self.values if row[0] in wanted]
        return {"indicator": [row[0] for row in rows], "gm_code": [self.gm_code] * len(rows),
                "jaar": [row[1] for row in rows], "document": [row[2] for row in rows],
                "waarde": [np.nan if row[3] is None else row[3] for row in rows]}


def _history(settings: Settings, gm_code: str, jaar: int | None, document: str,
             peer_type: str | None) -> _History:
    rows = _rows(settings, """
        SELECT 'w', indicator, jaar, document, waarde, teller, noemer, NULL, NULL, NULL, NULL,
               NULL, NULL, NULL, NULL
        FROM indicator_waarde WHERE gm_code = ?
        UNION ALL
        SELECT 'p', indicator, jaar, document, waarde, NULL, NULL, n, mediaan, gemiddelde, sd,
               percentiel, z, rang, groep
        FROM indicator_positie
        WHERE gm_code = ? AND jaar = ? AND document = ? AND peer_type = ?""",
                 [gm_code, gm_code, jaar if jaar is not None else -1, document,
                  peer_type or ""])
    values = [row[1:7] for row in rows if row[0] == "w"]
    positions = {row[1]: row[7:] for row in rows if row[0] == "p"}
    return _History(values, positions, gm_code)


def _pick_year(gm_code: str, jaar: int | None, document: str, years: list[int]) -> int:
    if not years:
        raise SchoudersError(f"Geen {document} van {gm_code} in de gegevens.",
                             "Controleer de gemeente en het document.")
    if jaar is None:
        return years[-1]
    raise SchoudersError(
        f"Geen {document} {jaar} van {gm_code}: die levering ontbreekt of het jaar valt "
        "buiten de gegevens.", f"Beschikbare jaren voor de {document}: {_span(years)}.")


def compare(
    settings: Settings, gemeenten: Sequence[str], jaar: int | None = None,
    document: str = "begroting", *, codes: Sequence[str] | None = None, real: bool = False,
    basisjaar: int = 2025, deflator: str = "cpi", defs: Definitions | None = None,
) -> pd.DataFrame:
    """Indicators side by side: one row per indicator, one column per municipality."""
    defs = defs or definitions()
    if not gemeenten:
        raise SchoudersError("Geef minstens één gemeente om te vergelijken.")
    gm_codes = list(dict.fromkeys(_gm_code(settings, item) for item in gemeenten))
    if jaar is None:
        jaar = min(_year(settings, code, None, document) for code in gm_codes)
    frame = indicator_values(settings, codes, gemeenten=gm_codes, jaar=jaar,
                             document=document, real=real, basisjaar=basisjaar,
                             deflator=deflator, defs=defs)
    labels = {code: f"{_name(settings, code, jaar)} ({code})" for code in gm_codes}
    wide = frame.pivot_table(index="indicator", columns="gm_code", values="waarde",
                             aggfunc="first", dropna=False)
    wide = wide.reindex(columns=gm_codes).rename(columns=labels)
    order = [ind.code for ind in defs.catalogue.select(list(codes) if codes else None)]
    wide = wide.reindex(order)
    meta = pd.DataFrame({"indicator": order,
                         "naam": [defs.catalogue.get(code).naam for code in order],
                         "eenheid": [defs.catalogue.get(code).eenheid for code in order]})
    result = meta.merge(wide.reset_index(), on="indicator", how="left")
    result.attrs["jaar"], result.attrs["document"] = jaar, document
    return result


# ---------------------------------------------------------------------------------- national -

def national_picture(
    settings: Settings, *, document: str = "begroting", deflator: str = "cpi",
    peiljaar: int | None = None, harmonised: bool = True, defs: Definitions | None = None,
) -> pd.DataFrame:
    """Figure 7 for every year we have: % change of lasten (total and physical domain) per year,
    all municipalities and per size class, nominal and real, next to CPI and the price of
    government consumption. Only municipalities present in both years are compared; by default
    on the boundaries of one reference year. ``result.attrs['toelichting']`` says so in Dutch."""
    from schouders.indicators.cache import warehouse_fingerprint
    from schouders.warehouse.store import open_warehouse

    defs = defs or definitions()
    _check_document(document)
    key = (warehouse_fingerprint(settings), peiljaar, harmonised,
           defs.catalogue.get("lasten_totaal").definition_hash,
           defs.catalogue.get("lasten_fysiek").definition_hash)
    with _national_lock:
        base = _national_memo.get(key)
    con = open_warehouse(settings)
    try:
        prices = con.execute("SELECT reeks, jaar, waarde FROM prijsindex").df()
        check_deflator(prices, deflator)
        if base is None:
            base = national_base(con, defs.catalogue, peiljaar=peiljaar, harmonised=harmonised)
            with _national_lock:
                _national_memo[key] = base
    finally:
        con.close()
    return build_picture(base, prices, document=document, deflator=deflator)


# ----------------------------------------------------------------------------------- signals -

def signals(settings: Settings, gemeente: str | None = None, jaar: int | None = None,
            document: str = "jaarrekening", defs: Definitions | None = None) -> pd.DataFrame:
    """Signals for one municipality, or for all when ``gemeente`` is None."""
    defs = defs or definitions()
    _check_document(document)
    ensure_cache(settings, defs)
    gm_codes = None if gemeente is None else [_gm_code(settings, gemeente)]
    if gm_codes:
        jaar = _year(settings, gm_codes[0], jaar, document)
    else:
        years = sorted(int(row[0]) for row in _rows(
            settings, "SELECT DISTINCT jaar FROM indicator_waarde WHERE document = ?",
            [document]))
        if not years:
            raise SchoudersError(f"Geen {document}en in de gegevens.")
        if jaar is None:
            jaar = years[-1]
        elif int(jaar) not in years:
            raise SchoudersError(f"Geen {document} {jaar} in de gegevens.",
                                 f"Beschikbare jaren voor de {document}: {_span(years)}.")
    return _signals_for(settings, defs, gm_codes, int(jaar), document, None)


def peer_group_members(settings: Settings, gemeente: str, jaar: int,
                       peer_group: str = "grootteklasse",
                       defs: Definitions | None = None) -> pd.DataFrame:
    """The members of a municipality's peer group in a year (gm_code, naam)."""
    defs = defs or definitions()
    ensure_cache(settings, defs)
    gm_code = _gm_code(settings, gemeente)
    kind, key = _peer_spec(defs, peer_group)
    if kind in BUILT_IN:
        return _built_in_members(settings, gm_code, jaar, kind)[0]
    if kind == "groep":
        return _names_frame(settings, _custom_members(settings, key, jaar), jaar)
    return _names_frame(settings, [_gm_code(settings, item) for item in key], jaar)


# ----------------------------------------------------------------------------------- helpers -

@dataclass(frozen=True)
class _Static:
    """Small tables of one cache version, kept in memory: names, prices, group labels."""

    names: dict[str, list[tuple[int, str]]]
    prices: pd.DataFrame
    group_labels: dict[tuple[str, str, int], str]
    by_year: dict[int, dict[str, str]] = field(default_factory=dict)

    def name(self, gm_code: str, jaar: int) -> str:
        spans = self.names.get(gm_code)
        if not spans:
            return gm_code
        return min(spans, key=lambda item: abs(item[0] - jaar))[1]

    def names_in(self, jaar: int) -> dict[str, str]:
        found = self.by_year.get(jaar)
        if found is None:
            found = {code: self.name(code, jaar) for code in self.names}
            self.by_year[jaar] = found
        return found


_static_memo: dict[tuple[object, ...], _Static] = {}


class _Names(Mapping[str, str]):
    """Lazy gm_code -> name in one year (a profile needs one name, not 342)."""

    def __init__(self, static: _Static, jaar: int) -> None:
        self._static, self._jaar = static, jaar

    def __getitem__(self, gm_code: str) -> str:
        return self._static.name(gm_code, self._jaar)

    def __iter__(self) -> Iterator[str]:
        return iter(self._static.names)

    def __len__(self) -> int:
        return len(self._static.names)


def _static(settings: Settings) -> _Static:
    path = cache_path(settings)
    stat = path.stat()
    key = (str(path), stat.st_ino, stat.st_mtime_ns)
    found = _static_memo.get(key)
    if found is not None:
        return found
    names: dict[str, list[tuple[int, str]]] = {}
    for code, jaar, naam in _rows(settings, "SELECT gm_code, jaar, naam FROM gemeente_jaar", []):
        names.setdefault(code, []).append((int(jaar), naam))
    prices = _frame(settings, "SELECT reeks, jaar, waarde FROM prijsindex", [])
    labels = {(peer_type, groep, int(jaar)): label for peer_type, groep, jaar, label in _rows(
        settings, "SELECT DISTINCT peer_type, groep, jaar, groep_naam FROM peer_lid", [])}
    found = _Static(names, prices, labels)
    _static_memo.clear()
    _static_memo[key] = found
    return found


def _rows(settings: Settings, sql: str, params: list[object]) -> list[tuple[Any, ...]]:
    cursor = pool.cursor(cache_path(settings))
    try:
        return cursor.execute(sql, params).fetchall()
    finally:
        cursor.close()


def _frame(settings: Settings, sql: str, params: list[object]) -> pd.DataFrame:
    cursor = pool.cursor(cache_path(settings))
    try:
        result = cursor.execute(sql, params)
        columns = [item[0] for item in result.description]
        return pd.DataFrame.from_records(result.fetchall(), columns=columns)
    finally:
        cursor.close()


def _query(settings: Settings, sql: str, params: list[object]) -> pd.DataFrame:
    """A larger result as a DataFrame (columnar conversion)."""
    cursor = pool.cursor(cache_path(settings))
    try:
        return cursor.sql(sql, params=params).df()
    finally:
        cursor.close()


def _prices(settings: Settings) -> pd.DataFrame:
    return _static(settings).prices


def _check_document(document: str) -> None:
    if document not in DOCUMENTS:
        raise SchoudersError(f"Onbekend document {document!r}.",
                             "Kies begroting of jaarrekening.")


def _interpreted(text: str, gm_code: str, naam: str) -> list[str]:
    """A note when a typed name was read as another name (typo tolerance, aliases)."""
    from schouders.warehouse.lookup import normalise

    value = str(text).strip()
    if GM_CODE.match(value.upper()) or normalise(value) == normalise(naam):
        return []
    return [f"'{value}' opgevat als {naam} ({gm_code})."]


def _gm_code(settings: Settings, text: str) -> str:
    value = str(text).strip()
    if GM_CODE.match(value.upper()) and value.upper() in _static(settings).names:
        return value.upper()
    from schouders.warehouse.lookup import resolve_municipality
    from schouders.warehouse.store import open_warehouse

    con = open_warehouse(settings)
    try:
        return resolve_municipality(con, value).gm_code
    finally:
        con.close()


def _year(settings: Settings, gm_code: str, jaar: int | None, document: str) -> int:
    years = sorted(int(row[0]) for row in _rows(settings, """
        SELECT DISTINCT jaar FROM indicator_waarde WHERE gm_code = ? AND document = ?""",
                                                 [gm_code, document]))
    if jaar is not None and int(jaar) in years:
        return int(jaar)
    return _pick_year(gm_code, jaar, document, years)


def _span(years: list[int]) -> str:
    years = sorted(int(year) for year in years)
    if not years:
        return "geen"
    if years == list(range(years[0], years[-1] + 1)) and len(years) > 1:
        return f"{years[0]}–{years[-1]}"
    return ", ".join(map(str, years))


def _name(settings: Settings, gm_code: str, jaar: int) -> str:
    return _static(settings).name(gm_code, jaar)


def _peer_spec(defs: Definitions, spec: str | Sequence[str] | None) -> tuple[str, Any]:
    if spec is None or spec == "auto":
        return "auto", None
    if isinstance(spec, str):
        if spec in BUILT_IN:
            return spec, None
        group = defs.peers.find_group(spec)
        if group is not None:
            return "groep", group.key
        options = ", ".join([*BUILT_IN, *defs.peers.groups])
        raise SchoudersError(f"Onbekende peergroep {spec!r}.",
                             f"Kies uit: {options}, of geef een lijst met GM-codes.")
    codes = tuple(str(item) for item in spec)
    if not codes:
        raise SchoudersError("De opgegeven lijst met peergemeenten is leeg.")
    return "lijst", codes


def _check_size(size: int, minimum: int, label: str, jaar: int, document: str) -> None:
    if size == 0:
        raise SchoudersError(f"De peergroep ({label}) is leeg voor de {document} {jaar}.",
                             "Kies een andere peergroep of een ander jaar.")
    if size < minimum:
        noun = "gemeente" if size == 1 else "gemeenten"
        raise SchoudersError(
            f"De peergroep ({label}) telt maar {size} {noun} met een {document} {jaar}; "
            f"voor een zinvolle vergelijking zijn er minstens {minimum} nodig.",
            "Kies een ruimere peergroep, bijv. de meest gelijkende gemeenten (knn) of de "
            "provincie.")


def _max_n(own: dict[str, tuple[Any, ...]]) -> int:
    sizes = [row[3] for row in own.values() if row[3] is not None and row[3] == row[3]]
    return int(max(sizes)) if sizes else 0


def _built_in_members(settings: Settings, gm_code: str, jaar: int,
                      peer_type: str) -> tuple[pd.DataFrame, str]:
    static = _static(settings)
    if peer_type == "knn":
        rows = _rows(settings, """
            SELECT buur, afstand, rang FROM knn_buur WHERE gm_code = ? AND jaar = ?
            ORDER BY rang""", [gm_code, jaar])
        if not rows:
            raise SchoudersError(f"Geen meest gelijkende gemeenten voor {gm_code} in {jaar}.",
                                 "Kies een andere peergroep.")
        frame = pd.DataFrame({"gm_code": [row[0] for row in rows],
                              "naam": [static.names_in(jaar).get(row[0]) or row[0]
                                       for row in rows],
                              "afstand": [row[1] for row in rows],
                              "rang": [row[2] for row in rows]})
        return frame, f"{TYPE_LABELS['knn']} ({len(frame)} buren op structuurkenmerken)"
    rows = _rows(settings, """
        SELECT m.gm_code, m.groep_naam FROM peer_lid m
        JOIN peer_lid eigen ON eigen.peer_type = m.peer_type AND eigen.groep = m.groep
             AND eigen.jaar = m.jaar AND eigen.gm_code = ?
        WHERE m.peer_type = ? AND m.jaar = ?""", [gm_code, peer_type, jaar])
    if not rows:
        reason = ""
        if peer_type == "stedelijkheid":
            reason = (" De stedelijkheidsklassen komen uit de snapshotmap (michielsd "
                      "Gemeenteklassen); zonder --data-dir / SCHOUDERS_DATA_DIR zijn ze er niet.")
        raise SchoudersError(f"Peergroep '{peer_type}' is niet beschikbaar voor {gm_code} in "
                             f"{jaar}.{reason}", "Kies een andere peergroep.")
    names = static.names_in(jaar)
    members = sorted(((names.get(code) or static.name(code, jaar), code) for code, _ in rows))
    frame = pd.DataFrame({"gm_code": [code for _, code in members],
                          "naam": [name for name, _ in members]})
    return frame, f"{TYPE_LABELS[peer_type]}: {rows[0][1]}"


def _custom_members(settings: Settings, key: object, jaar: int) -> list[str]:
    rows = _rows(settings, """
        SELECT gm_code FROM peer_lid WHERE peer_type = 'groep' AND groep = ? AND jaar = ?""",
                 [key, jaar])
    if not rows:
        raise SchoudersError(f"De groep '{key}' heeft in {jaar} geen leden.",
                             "Kies een ander jaar of een andere groep.")
    return [row[0] for row in rows]


def _names_frame(settings: Settings, codes: list[str], jaar: int) -> pd.DataFrame:
    static = _static(settings)
    members = sorted((static.name(code, jaar), code) for code in dict.fromkeys(codes))
    return pd.DataFrame({"gm_code": [code for _, code in members],
                         "naam": [name for name, _ in members]})


def _profile_table(defs: Definitions, own: dict[str, tuple[Any, ...]]) -> pd.DataFrame:
    numeric = ["waarde", "teller", "noemer", *STAT_COLUMNS]
    empty = (None,) * len(numeric)
    indicators = list(defs.catalogue.indicators.values())
    grid = np.array([[np.nan if item is None else item for item in
                      own.get(ind.code, empty)[:len(numeric)]] for ind in indicators],
                    dtype=float).reshape(len(indicators), len(numeric))
    columns: dict[str, object] = {
        "indicator": [ind.code for ind in indicators], "naam": [ind.naam for ind in indicators],
        "thema": [ind.thema for ind in indicators], "eenheid": [ind.eenheid for ind in indicators],
        "richting": [ind.richting for ind in indicators], "bbv": [ind.bbv for ind in indicators]}
    for index, column in enumerate(numeric):
        columns[column] = grid[:, index]
    columns["opmerking"] = [
        "geen waarde (ontbrekende gegevens of noemer nul)" if np.isnan(value)
        else "" if ind.possible(value)
        else f"onmogelijke waarde (kan alleen {ind.bereik.text if ind.bereik else ''} zijn): "
             "waarschijnlijk een gegevensfout, niet vergeleken met peers"
        for ind, value in zip(indicators, grid[:, 0], strict=True)]
    return pd.DataFrame(columns)[PROFILE_COLUMNS]


def _signals_for(settings: Settings, defs: Definitions, gm_codes: list[str] | None, jaar: int,
                 document: str, own_positions: list[dict[str, object]] | None,
                 series: dict[str, list[object]] | None = None) -> pd.DataFrame:
    rules = defs.rules
    static = _static(settings)
    trend_codes = sorted({code for rule in rules for code in rule.trend_indicators})
    first = jaar - max((rule.years_needed for rule in rules), default=1) + 1
    where_gm = "" if gm_codes is None else "AND gm_code IN (SELECT unnest(?))"
    extra: list[object] = [gm_codes] if gm_codes else []
    fetch = _frame if gm_codes else _query
    if series is None:
        series = fetch(settings, f"""
            SELECT indicator, gm_code, jaar, document, waarde FROM indicator_waarde
            WHERE indicator IN (SELECT unnest(?)) AND jaar BETWEEN ? AND ? {where_gm}""",
                       [trend_codes, first, jaar, *extra])
    outlier_rules = [rule for rule in rules if rule.regel == "uitschieter"]
    wanted_types = sorted({rule.params["peergroep"] for rule in outlier_rules})
    if own_positions is not None and wanted_types == ["grootteklasse"]:
        positions = own_positions
    elif outlier_rules:
        outlier_codes = sorted({code for rule in outlier_rules for code in rule.indicatoren})
        positions = fetch(settings, f"""
            SELECT indicator, gm_code, jaar, document, peer_type, groep, waarde, n, mediaan, z,
                   percentiel FROM indicator_positie
            WHERE jaar = ? AND peer_type IN (SELECT unnest(?))
              AND indicator IN (SELECT unnest(?)) {where_gm}""",
                          [jaar, wanted_types, outlier_codes, *extra])
    else:
        positions = []
    group_names = {(peer_type, groep): label for (peer_type, groep, year), label
                   in static.group_labels.items() if year == jaar}
    return evaluate(rules, defs.catalogue, series=series, positions=positions,
                    prices=static.prices, names=_Names(static, jaar), group_names=group_names,
                    jaar=jaar, document=document)
