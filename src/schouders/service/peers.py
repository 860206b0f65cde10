"""Peer groups for the profile: all, CBS size class, province, named groups (peergroepen.toml).

A group is chosen by a short code in the URL (``peers=grootteklasse``); members are the
municipalities of the chosen year that belong to it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from schouders.indicators.peers import SIZE_CLASSES as ENGINE_SIZE_CLASSES
from schouders.indicators.peers import PeerConfig, load_peer_config
from schouders.service.state import WebState

DEFAULT_GROUP = "auto"
# CBS gemeentegrootteklassen from the engine, as (lower bound, Dutch label, English label).
SIZE_CLASSES = tuple(
    (low, label, english) for (low, _high, label), english in zip(ENGINE_SIZE_CLASSES, (
        "fewer than 5,000 inhabitants", "5,000 to 10,000 inhabitants",
        "10,000 to 20,000 inhabitants", "20,000 to 50,000 inhabitants",
        "50,000 to 100,000 inhabitants", "100,000 to 150,000 inhabitants",
        "150,000 to 250,000 inhabitants", "250,000 inhabitants or more"), strict=True)
)
# Peer groups the engine knows (schouders.indicators.peers) plus 'alle'; 'auto' is the engine's
# default: the size class, or the most similar municipalities when the class is too small.
BUILT_IN = {
    "auto": ("Automatisch (grootteklasse of meest gelijkende)",
             "Automatic (size class or most similar)"),
    "grootteklasse": ("Grootteklasse", "Size class"),
    "stedelijkheid": ("Stedelijkheid", "Urbanisation"),
    "provincie": ("Dezelfde provincie", "Same province"),
    "knn": ("Meest gelijkende gemeenten", "Most similar municipalities"),
    "alle": ("Alle gemeenten", "All municipalities"),
}
ENGINE_TYPES = ("grootteklasse", "stedelijkheid", "provincie", "knn")


@dataclass(frozen=True)
class PeerGroup:
    code: str
    naam: str
    name: str
    members: tuple[str, ...]
    description: str = ""

    def label(self, lang: str) -> str:
        return self.name if lang == "en" else self.naam


def peer_config(web: WebState) -> PeerConfig:
    """The engine's validated peergroepen.toml (named groups, minimum size), read once."""
    return web.cached("peer-config", load_peer_config)


def named_groups(web: WebState) -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """code -> (naam, beschrijving, leden) of the named groups in peergroepen.toml."""
    return {code: (group.naam, group.beschrijving, group.leden)
            for code, group in peer_config(web).groups.items()}


def year_table(web: WebState, jaar: int) -> dict[str, tuple[str | None, float | None]]:
    """gm_code -> (provincie_naam, inwoners) for municipalities existing in ``jaar``."""

    def compute() -> dict[str, tuple[str | None, float | None]]:
        rows = web.cursor().execute(
            """
            SELECT g.gm_code, coalesce(g.provincie_naam, m.provincie_naam), b.inwoners
            FROM gemeente_jaar g
            LEFT JOIN gemeente m ON m.gm_code = g.gm_code
            LEFT JOIN bevolking b ON b.gm_code = g.gm_code AND b.jaar = g.jaar
            WHERE g.jaar = ?
            """,
            [jaar],
        ).fetchall()
        return {gm: (province, inhabitants) for gm, province, inhabitants in rows}

    return web.cached(("year-table", jaar), compute)


def group_codes(web: WebState) -> list[str]:
    return [*BUILT_IN, *named_groups(web)]


def partitions(web: WebState, jaar: int) -> pd.DataFrame:
    """The engine's size-class and province membership of ``jaar`` (peer_type, groep,
    groep_naam, jaar, gm_code), computed from the warehouse by ``indicators.peers``."""

    def compute() -> pd.DataFrame:
        from schouders.indicators.peers import membership
        from schouders.indicators.structure import unavailable

        con = web.cursor()
        municipalities = con.execute(
            "SELECT gm_code, jaar, provincie_code, provincie_naam FROM gemeente_jaar "
            "WHERE jaar = ?", [jaar]).df()
        population = con.execute(
            "SELECT gm_code, jaar, inwoners FROM bevolking WHERE jaar = ?", [jaar]).df()
        return membership(municipalities, population,
                          unavailable("op een peiljaar niet gebruikt"))

    return web.cached(("partitions", jaar), compute)


def peer_group(web: WebState, code: str, gm_code: str | None, jaar: int) -> PeerGroup:
    """Members of group ``code`` in ``jaar`` (for size class/province: those of ``gm_code``)."""
    table = year_table(web, jaar)
    if code in ("auto", "stedelijkheid", "knn"):
        code = "grootteklasse"  # used only where the engine cannot help (harmonised views)
    if code == "alle" or (code in ("grootteklasse", "provincie") and gm_code not in table):
        return PeerGroup("alle", "Alle gemeenten", "All municipalities", tuple(sorted(table)))
    if code in ("grootteklasse", "provincie"):
        groups = partitions(web, jaar)
        kind = groups[groups["peer_type"] == code]
        own = kind[kind["gm_code"] == gm_code]
        if own.empty:  # no population figure for this municipality and year
            return peer_group(web, "alle", gm_code, jaar)
        group, label = str(own["groep"].iloc[0]), str(own["groep_naam"].iloc[0])
        members = tuple(sorted(kind.loc[kind["groep"] == group, "gm_code"]))
        if code == "grootteklasse":
            _lower, nl, en = SIZE_CLASSES[int(group)]
            return PeerGroup(code, f"Grootteklasse {nl}", f"Size class {en}", members)
        return PeerGroup(code, f"Provincie {label}", f"Province of {label}", members)
    named = named_groups(web)
    if code in named:
        naam, beschrijving, leden = named[code]
        members = tuple(gm for gm in leden if gm in table)
        return PeerGroup(code, naam, naam, members, beschrijving)
    return peer_group(web, "alle", gm_code, jaar)


def options(web: WebState, lang: str) -> list[tuple[str, str]]:
    """Choices for a profile: built-in types and named groups big enough to compare with."""
    minimum = peer_config(web).minimum_leden
    named = {code: entry for code, entry in named_groups(web).items()
             if len(entry[2]) >= minimum}
    result = [(code, labels[1] if lang == "en" else labels[0])
              for code, labels in BUILT_IN.items()]
    result.extend((code, entry[0]) for code, entry in named.items())
    return result
