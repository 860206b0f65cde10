"""A local stand-in for the CBS OData services, for tests and offline demonstrations.

It speaks the dialects Schouders' client meets at CBS, on one port of 127.0.0.1:

* the CBS OData v4 datasets API (``{datasets_url}`` = ``http://127.0.0.1:<port>/odata/v1/CBS``),
  serving the real responses captured in ``{data_dir}/checkdecijfers_cbs_odata_v4/<table>/``;
* the dataderden OData v3 API for Iv3 (``{dataderden_url}`` = ``http://127.0.0.1:<port>``), with a
  catalogue of the Iv3 tables 2017–2026 and TypedDataSet rows rebuilt from the real aggregated
  snapshot (see :func:`reconstruct_iv3_rows`).

Data is read from the snapshot directory at run time; nothing is copied into the repository.
Faults (503, 429, dropped connections, malformed or repeating pages, slow answers, short pages)
can be injected per path to test the client's retry, paging and resume logic.

Run ``python -m schouders.testing.cbs_standin --data-dir PATH --port 8765`` to serve until Ctrl-C.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Literal
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

import pandas as pd

CBS_V4_ROOT = "https://datasets.cbs.nl/odata/v1/CBS"
V4_PREFIX = "/odata/v1/CBS"
V4_DIR = "checkdecijfers_cbs_odata_v4"
IV3_DIR = "joeykurtosis_gemeentefinancien"
DEFINITIONS_CSV = "cbs_iv3_definities/iv3_codelijsten_gemeente_2017_2026.csv"
NO_FIGURE = -99998.0
SNAPSHOT_MODIFIED = "2026-11-22T00:00:00"  # date the snapshot was fetched (SOURCES.md)

#: Iv3 tables of dataderden.cbs.nl per year ("Gemeenten <jaar> onbewerkte Iv3-data").
IV3_TABLES: dict[int, str] = {
    2017: "45038NED", 2018: "45042NED", 2019: "45046NED", 2020: "45050NED", 2021: "45054NED",
    2022: "45059NED", 2023: "45063NED", 2024: "45067NED", 2025: "45071NED", 2026: "45078NED",
}
DOCUMENT_TITLES = {"X000": "Begroting", "X005": "Jaarrekening"}
MEASURES = ("k_1ePlaatsing_1", "k_2ePlaatsing_2")

FaultKind = Literal["503", "429", "drop", "malformed", "repeat", "slow", "short", "stale",
                    "cut", "offhost_next", "redirect_offhost", "redirect_loop", "gzip_garbage",
                    "trickle"]
#: A host that is not the stand-in (127.0.0.2 is loopback too, so nothing leaves the machine).
OTHER_HOST = "127.0.0.2"


# ---------------------------------------------------------------------------------------------
# $filter: a small OData expression parser (eq/ne/gt/ge/lt/le, and/or/not, parentheses,
# startswith/endswith/contains/substringof on string fields).
# ---------------------------------------------------------------------------------------------
class QueryError(ValueError):
    """A query the stand-in (like CBS) does not accept: answered with HTTP 400."""


Predicate = Callable[[dict], bool]
_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)(?![\w.])"
                    r"|(?P<name>[A-Za-z_][\w.]*)|(?P<sym>[(),]))")
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a is not None and b is not None and a > b,
    "ge": lambda a, b: a is not None and b is not None and a >= b,
    "lt": lambda a, b: a is not None and b is not None and a < b,
    "le": lambda a, b: a is not None and b is not None and a <= b,
}
_FUNCTIONS: dict[str, tuple[bool, Callable[[str, str], bool]]] = {
    # name: (field comes first?, test(field value, literal))
    "startswith": (True, lambda value, text: value.startswith(text)),
    "endswith": (True, lambda value, text: value.endswith(text)),
    "contains": (True, lambda value, text: text in value),
    "substringof": (False, lambda value, text: text in value),
}


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if not match:
            raise QueryError(f"Syntax error in $filter at position {position}: {text[position:]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _FilterParser:
    def __init__(self, text: str, fields: set[str]) -> None:
        self.tokens = _tokens(text)
        self.position = 0
        self.fields = fields

    def parse(self) -> Predicate:
        predicate = self._or()
        if self.position != len(self.tokens):
            raise QueryError(f"Unexpected token {self.tokens[self.position][1]!r} in $filter")
        return predicate

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take(self, expected: str | None = None) -> tuple[str, str]:
        token = self._peek()
        if token is None or (expected is not None and token[1] != expected):
            raise QueryError(f"$filter: expected {expected or 'more'}, found {token}")
        self.position += 1
        return token

    def _keyword(self, word: str) -> bool:
        token = self._peek()
        if token and token[0] == "name" and token[1].lower() == word:
            self.position += 1
            return True
        return False

    def _or(self) -> Predicate:
        parts = [self._and()]
        while self._keyword("or"):
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else (lambda row: any(p(row) for p in parts))

    def _and(self) -> Predicate:
        parts = [self._unary()]
        while self._keyword("and"):
            parts.append(self._unary())
        return parts[0] if len(parts) == 1 else (lambda row: all(p(row) for p in parts))

    def _unary(self) -> Predicate:
        if self._keyword("not"):
            inner = self._unary()
            return lambda row: not inner(row)
        token = self._peek()
        if token and token[1] == "(":
            self._take("(")
            inner = self._or()
            self._take(")")
            return inner
        if token and token[0] == "name" and token[1].lower() in _FUNCTIONS:
            return self._function()
        return self._comparison()

    def _field(self, name: str) -> str:
        if name not in self.fields:
            raise QueryError(f"Unknown property {name!r} in $filter")
        return name

    def _function(self) -> Predicate:
        name = self._take()[1].lower()
        field_first, test = _FUNCTIONS[name]
        self._take("(")
        first = self._take()
        self._take(",")
        second = self._take()
        self._take(")")
        field_token, literal = (first, second) if field_first else (second, first)
        if field_token[0] != "name" or literal[0] != "str":
            raise QueryError(f"{name}() needs a property and a string literal")
        key, text = self._field(field_token[1]), _literal(literal)

        def predicate(row: dict) -> bool:
            value = row.get(key)
            return isinstance(value, str) and test(value, text)

        return predicate

    def _operand(self) -> tuple[bool, Any]:
        kind, text = self._take()
        if kind == "name" and text.lower() in ("null", "true", "false"):
            return False, {"null": None, "true": True, "false": False}[text.lower()]
        if kind == "name":
            following = self._peek()
            if following and following[1] == "(":
                raise QueryError(f"Unsupported function {text!r} in $filter")
            return True, self._field(text)
        if kind in ("str", "num"):
            return False, _literal((kind, text))
        raise QueryError(f"Unexpected {text!r} in $filter")

    def _comparison(self) -> Predicate:
        left_is_field, left = self._operand()
        kind, operator = self._take()
        if kind != "name" or operator.lower() not in _COMPARE:
            raise QueryError(f"Unsupported operator {operator!r} in $filter")
        compare = _COMPARE[operator.lower()]
        right_is_field, right = self._operand()

        def predicate(row: dict) -> bool:
            a = row.get(left) if left_is_field else left
            b = row.get(right) if right_is_field else right
            try:
                return compare(a, b)
            except TypeError:
                return False

        return predicate


def _literal(token: tuple[str, str]) -> Any:
    kind, text = token
    if kind == "str":
        return text[1:-1].replace("''", "'")
    return float(text) if "." in text else int(text)


def compile_filter(text: str, fields: set[str]) -> Predicate:
    """A row predicate for an OData ``$filter`` over rows with the given fields."""
    return _FilterParser(text, fields).parse()


# ---------------------------------------------------------------------------------------------
# Fault injection
# ---------------------------------------------------------------------------------------------
@dataclass
class Fault:
    path_contains: str
    kind: FaultKind
    times: int = 1
    after_requests: int = 0
    seen: int = 0
    fired: int = 0


class Faults:
    """Faults to inject: each matches requests whose decoded path+query contains a string."""

    KINDS = ("503", "429", "drop", "malformed", "repeat", "slow", "short", "stale", "cut",
             "offhost_next", "redirect_offhost", "redirect_loop", "gzip_garbage", "trickle")

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(
        self, path_contains: str, kind: FaultKind, times: int = 1, after_requests: int = 0
    ) -> Fault:
        """Fire ``kind`` on ``times`` matching requests, after letting ``after_requests`` pass.

        Kinds: '503'/'429' (status with an OData error body; 429 has Retry-After), 'drop' (close
        the connection without an answer), 'malformed' (200 with truncated JSON), 'repeat' (the
        previous answer on this path again, same rows and next link), 'slow' (sleep
        ``slow_seconds`` before answering), 'short' (a page that lacks its last row), 'stale'
        (the rows of the first page of this path, with this page's own next link and count),
        'cut' (only the first ``cut_rows`` rows, without count and next link), 'offhost_next'
        (the next link points to another host), 'redirect_offhost' / 'redirect_loop' (302 to
        another host / to the same URL), 'gzip_garbage' (200, ``Content-Encoding: gzip``, a
        body that is not gzip), 'trickle' (the body in small pieces, ``trickle_seconds`` apart).
        """
        if kind not in self.KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; choose from {self.KINDS}")
        fault = Fault(path_contains, kind, times, after_requests)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, target: str) -> FaultKind | None:
        fired: FaultKind | None = None
        with self._lock:
            for fault in self._faults:
                if fault.path_contains not in target:
                    continue
                fault.seen += 1
                if fired is None and fault.seen > fault.after_requests and (
                    fault.fired < fault.times
                ):
                    fault.fired += 1
                    fired = fault.kind
        return fired


# ---------------------------------------------------------------------------------------------
# Data: Iv3 rows rebuilt from the aggregated snapshot, and the captured v4 responses
# ---------------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=4)
def reconstruct_iv3_rows(data_dir: Path) -> dict[tuple[int, str], pd.DataFrame]:
    """Raw-style Iv3 rows per (jaar, verslagsoort), rebuilt from the real aggregated snapshot.

    Each frame has the columns gm_code, taakveld, categorie, bedrag (x1000 EUR).

    The values are REAL, taken from ``joeykurtosis_gemeentefinancien/``
    ``iv3_summary_breakdowns_long_2017_2026.csv.gz`` and ``iv3_summary_2017_2026.csv``
    (x1000 EUR), at the granularity the snapshot has, per (jaar, verslagsoort, gm_code):

    * breakdown ``lasten_per_hoofdtaakveld_categorie`` (key1 = hoofdtaakveld h, key2 =
      hoofdcategorie c) → TaakveldBalanspost ``'{h}.'``, Categorie ``'L{c}'``;
    * ``reserve_lasten_per_hoofdcategorie`` (key1 c) → ``'0.10'``, ``'L{c}'``;
      ``reserve_baten_per_hoofdcategorie`` → ``'0.10'``, ``'B{c}'``;
    * summary column ``rijk`` → ``'0.7'``, ``'B4.3.1'``; ``spuks_per_hoofdtaakveld`` (key1 h) →
      ``'{h}.'``, ``'B4.3.1'``;
    * municipality-years whose summary ``lasten`` is 0 (no delivery to CBS) get -99998 (CBS's
      "no figure") for every value.

    Codes are returned unpadded; the server pads them as CBS does. Rows are sorted by gm_code.
    """
    folder = Path(data_dir) / IV3_DIR
    summary = pd.read_csv(
        folder / "iv3_summary_2017_2026.csv",
        usecols=["jaar", "verslagsoort", "gm_code", "lasten", "rijk"],
        dtype={"verslagsoort": str, "gm_code": str},
    )
    long = pd.read_csv(
        folder / "iv3_summary_breakdowns_long_2017_2026.csv.gz",
        dtype={"verslagsoort": str, "gm_code": str, "breakdown": str, "key1": str, "key2": str},
        engine="pyarrow",
    )
    parts = []
    for name, taakveld, categorie in (
        ("lasten_per_hoofdtaakveld_categorie", "{k1}.", "L{k2}"),
        ("reserve_lasten_per_hoofdcategorie", "0.10", "L{k1}"),
        ("reserve_baten_per_hoofdcategorie", "0.10", "B{k1}"),
        ("spuks_per_hoofdtaakveld", "{k1}.", "B4.3.1"),
    ):
        rows = long[long["breakdown"] == name]
        parts.append(pd.DataFrame({
            "jaar": rows["jaar"], "verslagsoort": rows["verslagsoort"], "gm_code": rows["gm_code"],
            "taakveld": _template(taakveld, rows), "categorie": _template(categorie, rows),
            "bedrag": rows["bedrag_x1000_eur"],
        }))
    parts.append(summary.assign(taakveld="0.7", categorie="B4.3.1", bedrag=summary["rijk"])[
        ["jaar", "verslagsoort", "gm_code", "taakveld", "categorie", "bedrag"]])
    frame = pd.concat(parts, ignore_index=True)
    missing = summary.loc[summary["lasten"] == 0, ["jaar", "verslagsoort", "gm_code"]]
    flagged = frame.merge(missing.assign(_missing=True), how="left",
                          on=["jaar", "verslagsoort", "gm_code"])
    frame["bedrag"] = frame["bedrag"].where(flagged["_missing"].isna().to_numpy(), NO_FIGURE)
    frame = frame.sort_values(["jaar", "verslagsoort", "gm_code"], kind="stable")
    return {
        (int(jaar), str(verslagsoort)): group[["gm_code", "taakveld", "categorie", "bedrag"]]
        .reset_index(drop=True)
        for (jaar, verslagsoort), group in frame.groupby(["jaar", "verslagsoort"], sort=True)
    }


def _template(template: str, rows: pd.DataFrame) -> pd.Series:
    """Fill ``{k1}`` / ``{k2}`` in a code template from the breakdown's key columns."""
    for placeholder, column in (("{k1}", "key1"), ("{k2}", "key2")):
        if placeholder in template:
            before, after = template.split(placeholder)
            return before + rows[column].astype(str) + after
    return pd.Series(template, index=rows.index, dtype=object)


@functools.lru_cache(maxsize=4)
def _municipalities(data_dir: Path) -> dict[int, list[tuple[str, str]]]:
    frame = pd.read_csv(Path(data_dir) / IV3_DIR / "gemeenten_per_jaar_2010_2026.csv",
                        dtype={"gm_code": str, "gm_naam": str})
    return {int(jaar): sorted(zip(group["gm_code"], group["gm_naam"], strict=True))
            for jaar, group in frame.groupby("jaar")}


@functools.lru_cache(maxsize=4)
def _code_lists(data_dir: Path) -> pd.DataFrame:
    return pd.read_csv(Path(data_dir) / DEFINITIONS_CSV, dtype=str)


class Iv3Service:
    """The dataderden Iv3 tables (OData v3) as dictionaries, built per table on demand."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.rows = reconstruct_iv3_rows(self.data_dir)
        self.by_table = {table: jaar for jaar, table in IV3_TABLES.items()}
        self._typed: OrderedDict[str, list[dict]] = OrderedDict()
        self._lock = threading.Lock()

    def documents(self, jaar: int) -> list[str]:
        return [key for key in (f"{jaar}X000", f"{jaar}X005") if (jaar, key) in self.rows]

    def catalog(self, base: str) -> list[dict]:
        rows = []
        for index, (jaar, table) in enumerate(sorted(IV3_TABLES.items())):
            title = f"Gemeenten {jaar} onbewerkte Iv3-data"
            rows.append({
                "ID": index, "Title": title, "ShortTitle": f"Gemeenten {jaar} Iv3",
                "Identifier": table, "Summary": title, "Modified": SNAPSHOT_MODIFIED,
                "MetaDataModified": SNAPSHOT_MODIFIED, "ReasonDelivery": "Actualisering",
                "ExplanatoryText": "", "Language": "nl", "Catalog": "IV3",
                "Frequency": "Perjaar", "Period": str(jaar),
                "ApiUrl": f"{base}/ODataApi/OData/{table}",
                "FeedUrl": f"{base}/ODataFeed/OData/{table}",
                "RecordCount": sum(len(self.rows[(jaar, d)]) for d in self.documents(jaar)),
                "ColumnCount": 7,
            })
        return rows

    def table_infos(self, table: str) -> list[dict]:
        jaar = self.by_table[table]
        title = f"Gemeenten {jaar} onbewerkte Iv3-data"
        return [{"ID": 0, "Title": title, "ShortTitle": f"Gemeenten {jaar} Iv3",
                 "Identifier": table, "Summary": title, "Modified": SNAPSHOT_MODIFIED,
                 "Catalog": "IV3", "Language": "nl", "Period": str(jaar),
                 "OutputStatus": "Regulier", "Source": "stand-in (snapshot)"}]

    def data_properties(self, table: str) -> list[dict]:
        jaar = self.by_table[table]
        dims = [("Gemeenten", "GeoDimension"), ("Verslagsoort", "Dimension"),
                ("TaakveldBalanspost", "Dimension"), ("Categorie", "Dimension")]
        props: list[dict] = [
            {"odata.type": f"Cbs.OData.{kind}", "ID": i, "Position": i, "ParentID": None,
             "Type": kind, "Key": key, "Title": key, "Description": "",
             "MapYear": str(jaar) if kind == "GeoDimension" else None, "ReleasePolicy": False}
            for i, (key, kind) in enumerate(dims)]
        for offset, (key, title) in enumerate(zip(MEASURES, ("1e plaatsing", "2e plaatsing"),
                                                  strict=True)):
            props.append({"odata.type": "Cbs.OData.Topic", "ID": 4 + offset,
                          "Position": 4 + offset, "ParentID": None, "Type": "Topic", "Key": key,
                          "Title": title, "Description": "", "Datatype": "Double",
                          "Unit": "x 1 000 euro", "Decimals": 0, "Default": "Impossible"})
        return props

    def dimension(self, table: str, name: str) -> list[dict] | None:
        jaar = self.by_table[table]
        if name == "Gemeenten":
            items = [(code.ljust(9), naam) for code, naam in _municipalities(self.data_dir)[jaar]]
        elif name == "Verslagsoort":
            items = [(key, DOCUMENT_TITLES[key[4:]]) for key in self.documents(jaar)]
        elif name == "TaakveldBalanspost":
            items = self._taakvelden(jaar)
        elif name == "Categorie":
            items = self._categorieen(jaar)
        else:
            return None
        return [{"Key": key, "Title": title, "Description": None, "CategoryGroupID": None}
                for key, title in items]

    def _taakvelden(self, jaar: int) -> list[tuple[str, str]]:
        codes = _code_lists(self.data_dir)
        rows = codes[(codes["jaar"] == str(jaar))
                     & codes["codelijst"].isin(["taakveld", "balanscode"])
                     & ~codes["code"].str.startswith("Tot")]
        return [(code.ljust(6), title) for code, title in zip(rows["code"], rows["omschrijving"],
                                                              strict=True)]

    def _categorieen(self, jaar: int) -> list[tuple[str, str]]:
        codes = _code_lists(self.data_dir)
        items: list[tuple[str, str]] = []
        for side, prefix, label in (("categorie_lasten", "L", "Lasten"),
                                    ("categorie_baten", "B", "Baten")):
            rows = codes[(codes["jaar"] == str(jaar)) & (codes["codelijst"] == side)
                         & codes["code"].str.match(r"^\d")]
            # hoofdcategorie keys carry the aggregated snapshot rows (see reconstruct_iv3_rows)
            items += [(f"{prefix}{c}", f"{label} hoofdcategorie {c}") for c in range(1, 8)]
            items += [(f"{prefix}{code}", title)
                      for code, title in zip(rows["code"], rows["omschrijving"], strict=True)]
        return items

    def typed_dataset(self, table: str) -> list[dict]:
        """TypedDataSet rows of a table, padded as CBS pads them; cached for a few tables."""
        with self._lock:
            if table in self._typed:
                self._typed.move_to_end(table)
                return self._typed[table]
        jaar = self.by_table[table]
        rows: list[dict] = []
        for verslagsoort in self.documents(jaar):
            frame = self.rows[(jaar, verslagsoort)]
            columns = [frame[name].tolist() for name in frame.columns]
            for gm_code, taakveld, categorie, value in zip(*columns, strict=True):
                rows.append({"ID": len(rows), "Gemeenten": gm_code.ljust(9),
                             "Verslagsoort": verslagsoort, "TaakveldBalanspost": taakveld.ljust(6),
                             "Categorie": categorie, MEASURES[0]: value, MEASURES[1]: value})
        with self._lock:
            self._typed[table] = rows
            while len(self._typed) > 3:
                self._typed.popitem(last=False)
        return rows


class V4Service:
    """The captured CBS v4 responses, with CBS's host rewritten to the stand-in."""

    def __init__(self, data_dir: Path, datasets_url: str) -> None:
        self.root = Path(data_dir) / V4_DIR
        self.datasets_url = datasets_url
        self.tables = {p.name.lower(): p for p in self.root.iterdir()
                       if p.is_dir() and (p / "index.json").exists()}
        self._cache: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def table_dir(self, table: str) -> Path | None:
        return self.tables.get(table.lower())

    def load(self, path: Path) -> Any:
        key = (str(path), self.datasets_url)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        text = path.read_text(encoding="utf-8").replace(CBS_V4_ROOT, self.datasets_url)
        document = json.loads(text)
        with self._lock:
            self._cache[key] = document
        return document

    def observations(self, folder: Path) -> dict:
        index = self.load(folder / "index.json")
        pages = [self.load(folder / name) for name in index.get("observationPages", [])]
        rows = [row for page in pages for row in page["value"]]
        context = pages[0]["@odata.context"] if pages else None
        return {"@odata.context": context, "value": rows}


# ---------------------------------------------------------------------------------------------
# Collections: $filter, $select, $top, $skip / $skiptoken, counts and next links
# ---------------------------------------------------------------------------------------------
@dataclass
class Reply:
    status: int
    document: Any
    headers: dict[str, str] = field(default_factory=dict)
    trickle: float = 0.0  # seconds between small pieces of the body (0 = all at once)


def _query_string(params: list[tuple[str, str]]) -> str:
    return urlencode(params, quote_via=quote, safe="$',()")


class _FilterCache:
    def __init__(self, size: int = 32) -> None:
        self._items: OrderedDict[tuple, list[dict]] = OrderedDict()
        self._lock = threading.Lock()
        self.size = size

    def get(self, key: tuple, compute: Callable[[], list[dict]]) -> list[dict]:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value


# ---------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------
class CBSStandIn:
    """A threaded local CBS server; use as a context manager.

    >>> with CBSStandIn(data_dir, page_size=5000) as cbs:   # doctest: +SKIP
    ...     cbs.dataderden_url, cbs.datasets_url, cbs.requests, cbs.faults
    """

    def __init__(
        self,
        data_dir: Path | str,
        page_size: int = 10000,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        relative_links: bool = False,
        slow_seconds: float = 2.0,
        retry_after: int = 1,
        cut_rows: int = 300,
        trickle_seconds: float = 0.2,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.page_size = page_size
        self.host = host
        self.port = port
        self.relative_links = relative_links
        self.slow_seconds = slow_seconds
        self.retry_after = retry_after
        self.cut_rows = cut_rows
        self.trickle_seconds = trickle_seconds
        self.requests: list[str] = []
        self.faults = Faults()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._filters = _FilterCache()
        self._last_body: dict[str, bytes] = {}
        self._iv3_service: Iv3Service | None = None
        self._iv3_lock = threading.Lock()
        self._v4: V4Service | None = None

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def _iv3(self) -> Iv3Service:
        """The Iv3 tables, loaded from the snapshot on the first dataderden request."""
        with self._iv3_lock:
            if self._iv3_service is None:
                self._iv3_service = Iv3Service(self.data_dir)
            return self._iv3_service

    def start(self) -> CBSStandIn:
        handler = type("Handler", (_Handler,), {"standin": self})
        server = ThreadingHTTPServer((self.host, self.port), handler)
        server.daemon_threads = True
        server.block_on_close = False
        self._server = server
        self.port = server.server_address[1]
        self._v4 = V4Service(self.data_dir, self.datasets_url)
        self._thread = threading.Thread(target=server.serve_forever, name="cbs-standin",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> CBSStandIn:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def dataderden_url(self) -> str:
        return self.base_url

    @property
    def datasets_url(self) -> str:
        return f"{self.base_url}{V4_PREFIX}"

    def reset(self) -> None:
        """Forget logged requests and faults (between tests)."""
        self.requests.clear()
        self.faults.clear()
        self._last_body.clear()

    # -- routing ---------------------------------------------------------------------------
    def route(self, path: str, params: list[tuple[str, str]]) -> Reply:
        try:
            if path == V4_PREFIX or path.startswith(V4_PREFIX + "/"):
                return self._v4_route(path[len(V4_PREFIX):].strip("/"), params)
            if path.rstrip("/") == "/ODataCatalog/Tables":
                iv3 = self._iv3
                return self._collection(("catalog",), lambda: iv3.catalog(self.base_url),
                                        path, params, v3=True)
            if path.startswith("/ODataApi/OData/"):
                return self._v3_route(path[len("/ODataApi/OData/"):].strip("/"), params)
        except QueryError as error:
            return _error(400, str(error), v3=not path.startswith(V4_PREFIX))
        return _error(404, f"No resource at {path}", v3=not path.startswith(V4_PREFIX))

    def _v3_route(self, rest: str, params: list[tuple[str, str]]) -> Reply:
        iv3 = self._iv3
        table, _, entity = rest.partition("/")
        path = f"/ODataApi/OData/{rest}"
        if table not in iv3.by_table:
            return _error(404, f"Table '{table}' does not exist.", v3=True)
        metadata = f"{self.base_url}/ODataApi/OData/{table}/$metadata#{entity or 'service'}"
        if entity == "":
            names = ["TableInfos", "DataProperties", "TypedDataSet", "Gemeenten",
                     "Verslagsoort", "TaakveldBalanspost", "Categorie"]
            return Reply(200, {"odata.metadata": metadata,
                               "value": [{"name": n, "url": f"{self.base_url}{path}/{n}"}
                                         for n in names]})
        if entity == "TableInfos":
            return self._collection((table, entity), lambda: iv3.table_infos(table), path,
                                    params, v3=True, metadata=metadata)
        if entity == "DataProperties":
            return self._collection((table, entity), lambda: iv3.data_properties(table), path,
                                    params, v3=True, metadata=metadata)
        if entity == "TypedDataSet":
            return self._collection((table, entity), lambda: iv3.typed_dataset(table), path,
                                    params, v3=True, metadata=metadata)
        rows = iv3.dimension(table, entity)
        if rows is None:
            return _error(404, f"Resource '{entity}' not found in table '{table}'.", v3=True)
        return self._collection((table, entity), lambda: rows, path, params, v3=True,
                                metadata=metadata)

    def _v4_route(self, rest: str, params: list[tuple[str, str]]) -> Reply:
        assert self._v4 is not None
        v4 = self._v4
        path = f"{V4_PREFIX}/{rest}"
        if rest == "":
            return Reply(200, {"@odata.context": f"{self.datasets_url}/$metadata",
                               "value": [{"name": "Datasets", "kind": "EntitySet",
                                          "url": "Datasets"}]})
        if rest == "Datasets":
            catalog = v4.load(v4.root / "_catalog_sample.json")
            return self._collection(("v4", "Datasets"), lambda: catalog["value"], path, params,
                                    v3=False, metadata=catalog.get("@odata.context"))
        table, _, entity = rest.partition("/")
        folder = v4.table_dir(table)
        if folder is None:
            return _error(404, f"Dataset '{table}' not found.", v3=False)
        if entity == "":
            names = ["Properties", "Dimensions", "MeasureCodes", "Observations"]
            names += [p.stem.removeprefix("codes-") + "Codes" for p in folder.glob("codes-*.json")]
            return Reply(200, {"@odata.context": f"{self.datasets_url}/{table}/$metadata",
                               "value": [{"name": n, "kind": "EntitySet", "url": n}
                                         for n in names]})
        if entity == "Properties":
            return Reply(200, v4.load(folder / "properties.json"))
        if entity == "Observations":
            document = v4.observations(folder)
        else:
            files = {"Dimensions": "dimensions.json", "MeasureCodes": "measure-codes.json"}
            name = files.get(entity)
            if name is None and entity.endswith("Codes"):
                name = f"codes-{entity.removesuffix('Codes')}.json"
            if name is None or not (folder / name).exists():
                return _error(404, f"Resource '{entity}' not found in dataset '{table}'.",
                              v3=False)
            document = v4.load(folder / name)
        return self._collection(("v4", folder.name, entity), lambda: document["value"], path,
                                params, v3=False, metadata=document.get("@odata.context"))

    def _collection(
        self,
        key: tuple,
        source: Callable[[], list[dict]],
        path: str,
        params: list[tuple[str, str]],
        *,
        v3: bool,
        metadata: str | None = None,
    ) -> Reply:
        options = dict(params)
        unknown = [k for k in options if k.startswith("$") and k not in (
            "$filter", "$select", "$top", "$skip", "$skiptoken", "$count", "$inlinecount",
            "$format")]
        if unknown:
            raise QueryError(f"Unsupported query option(s): {', '.join(unknown)}")
        if v3 and "$skip" in options and path.endswith("TypedDataSet"):
            raise QueryError("$skip is not supported on this API; follow odata.nextLink.")
        rows = source()
        text = options.get("$filter", "").strip()
        if text:
            fields = set(rows[0]) if rows else set()
            predicate = compile_filter(text, fields)
            rows = self._filters.get((*key, text), lambda: [r for r in rows if predicate(r)])
        total = len(rows)
        position = _int_option(options, "$skiptoken" if v3 else "$skip")
        top = _int_option(options, "$top", default=None)
        end = total if top is None else min(total, position + top)
        page_end = min(end, position + self.page_size)
        page = rows[position:page_end]
        if "$select" in options:
            wanted = [name.strip() for name in options["$select"].split(",") if name.strip()]
            missing = [name for name in wanted if rows and name not in rows[0]]
            if missing:
                raise QueryError(f"Unknown property in $select: {', '.join(missing)}")
            page = [{name: row[name] for name in wanted} for row in page]
        document: dict[str, Any] = {}
        if v3:
            document["odata.metadata"] = metadata or f"{self.base_url}{path}/$metadata"
            if options.get("$inlinecount") == "allpages":
                document["odata.count"] = str(total)
        else:
            document["@odata.context"] = metadata
            if options.get("$count", "").lower() == "true":
                document["@odata.count"] = total
        document["value"] = page
        if page_end < end:
            document["odata.nextLink" if v3 else "@odata.nextLink"] = self._next_link(
                path, params, page_end, None if top is None else end - page_end, v3)
        return Reply(200, document)

    def _next_link(self, path: str, params: list[tuple[str, str]], position: int,
                   top: int | None, v3: bool) -> str:
        kept = [(k, v) for k, v in params if k not in ("$skip", "$skiptoken", "$top")]
        if top is not None:
            kept.append(("$top", str(top)))
        kept.append(("$skiptoken" if v3 else "$skip", str(position)))
        if self.relative_links:
            return f"{path.rsplit('/', 1)[-1]}?{_query_string(kept)}"
        return f"{self.base_url}{path}?{_query_string(kept)}"

    # -- faults ----------------------------------------------------------------------------
    def respond(self, target: str) -> tuple[Reply | None, bytes]:
        """The reply (None = drop the connection) and body for one request target."""
        split = urlsplit(target)
        path = unquote(split.path)
        params = parse_qsl(split.query, keep_blank_values=True)
        logged = path + (f"?{unquote(split.query)}" if split.query else "")
        self.requests.append(logged)
        kind = self.faults.take(logged)
        if kind == "drop":
            return None, b""
        if kind == "slow":
            time.sleep(self.slow_seconds)
        if kind in ("503", "429"):
            status = int(kind)
            reply = _error(status, "Service Unavailable" if status == 503 else "Too Many Requests",
                           v3=not path.startswith(V4_PREFIX))
            if status == 429:
                reply.headers["Retry-After"] = str(self.retry_after)
            return reply, _dump(reply.document)
        if kind in ("redirect_offhost", "redirect_loop"):
            here = f"{self.base_url}{target}"
            location = (here.replace(f"//{self.host}:", f"//{OTHER_HOST}:", 1)
                        if kind == "redirect_offhost" else here)
            return Reply(302, {}, {"Location": location}), b""
        reply = self.route(path, params)
        if kind == "short" and isinstance(reply.document, dict) and reply.document.get("value"):
            reply.document = {**reply.document, "value": reply.document["value"][:-1]}
        if kind == "stale" and reply.status == 200 and isinstance(reply.document, dict):
            first = self.route(path, [(k, v) for k, v in params
                                      if k not in ("$skip", "$skiptoken")])
            reply.document = {**reply.document, "value": first.document.get("value", [])}
        if kind == "cut" and reply.status == 200 and isinstance(reply.document, dict):
            reply.document = {key: value for key, value in reply.document.items()
                              if key not in ("odata.count", "@odata.count", "odata.nextLink",
                                             "@odata.nextLink")}
            reply.document["value"] = reply.document.get("value", [])[: self.cut_rows]
        if kind == "offhost_next" and isinstance(reply.document, dict):
            for key in ("odata.nextLink", "@odata.nextLink"):
                if key in reply.document:
                    reply.document[key] = str(reply.document[key]).replace(
                        f"//{self.host}:", f"//{OTHER_HOST}:", 1)
        if kind == "gzip_garbage":
            reply.headers["Content-Encoding"] = "gzip"
            return reply, b"\x1f\x8bthis is not gzip at all" * 8
        if kind == "trickle":
            reply.trickle = self.trickle_seconds
        body = _dump(reply.document)
        if reply.status == 200 and kind == "repeat" and path in self._last_body:
            body = self._last_body[path]
        elif reply.status == 200:
            self._last_body[path] = body
        if kind == "malformed":
            body = body[: max(1, len(body) // 2)]
        return reply, body


def _int_option(options: dict[str, str], name: str, default: int | None = 0) -> Any:
    if name not in options:
        return default
    try:
        value = int(options[name])
    except ValueError as error:
        raise QueryError(f"{name} must be a non-negative integer") from error
    if value < 0:
        raise QueryError(f"{name} must be a non-negative integer")
    return value


def _error(status: int, message: str, *, v3: bool) -> Reply:
    if v3:
        document = {"odata.error": {"code": str(status),
                                    "message": {"lang": "en-US", "value": message}}}
    else:
        document = {"error": {"code": str(status), "message": message}}
    return Reply(status, document)


def _dump(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    standin: CBSStandIn

    def do_GET(self) -> None:
        try:
            reply, body = self.standin.respond(self.path)
        except Exception as error:  # a bug in the stand-in: answer 500, keep serving
            reply = _error(500, f"{type(error).__name__}: {error}", v3=False)
            body = _dump(reply.document)
        if reply is None:
            self.close_connection = True
            return
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if reply.trickle:
                for start in range(0, len(body), 16):
                    self.wfile.write(body[start:start + 16])
                    self.wfile.flush()
                    time.sleep(reply.trickle)
            else:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        return


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m schouders.testing.cbs_standin",
        description="Lokale nabootsing van de CBS OData-diensten (dataderden en datasets).",
    )
    parser.add_argument("--data-dir", required=True, type=Path,
                        help="de snapshotmap met SOURCES.md (shared/data)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--page-size", type=int, default=10000)
    args = parser.parse_args(argv)
    standin = CBSStandIn(args.data_dir, args.page_size, host=args.host, port=args.port)
    with standin:
        print(f"dataderden (Iv3, OData v3): {standin.dataderden_url}")
        print(f"datasets (OData v4):        {standin.datasets_url}")
        print("Gebruik bijvoorbeeld:")
        print(f"  SCHOUDERS_CBS_DATADERDEN_URL={standin.dataderden_url} "
              f"SCHOUDERS_CBS_DATASETS_URL={standin.datasets_url} schouders build")
        print("Stoppen met Ctrl-C.", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("Gestopt.")


if __name__ == "__main__":
    main()
