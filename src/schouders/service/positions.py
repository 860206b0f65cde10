"""Where a municipality stands among its peers: through the engine, with two honest fallbacks.

* Normal case: ``schouders.indicators.api.profile`` (peer groups incl. stedelijkheid and nearest
  neighbours, positions, signals and notes, all from the engine's cache).
* The document is missing ('ontbreekt'): the engine has no own value to position, so the page
  shows the peer group's median only (members from ``api.peer_group_members``).
* A reference year (peiljaar): values are recomputed on harmonised boundaries; positions use the
  engine's own statistics function (``group_positions``) on that panel, and only the partition
  peer groups that can be derived from the warehouse (size class, province, all, named groups).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from schouders.errors import SchoudersError
from schouders.service import peers
from schouders.service.panel import Panel
from schouders.service.signals import from_frame
from schouders.service.state import WebState

STATS = ("waarde", "n", "mediaan", "percentiel", "z", "rang")


@dataclass
class Positions:
    group_code: str
    group_label: str
    members: list[str]  # peer gm codes, the municipality itself included
    stats: dict[str, dict[str, Any]]  # indicator -> waarde, n, mediaan, percentiel, z, rang
    notes: list[str] = field(default_factory=list)
    signals: list[dict[str, Any]] = field(default_factory=list)


def positions(web: WebState, values: Panel, gm: str, jaar: int, document: str, group: str,
              real: bool, delivered: bool, codes: list[str], lang: str) -> Positions:
    if values.peiljaar is None and delivered:
        return _engine(web, gm, jaar, document, group, real, lang)
    if values.peiljaar is None:
        members, label = _engine_members(web, gm, jaar, group, lang)
        found = Positions(group, label, members, {})
        found.notes.append(
            f"De {document} {jaar} ontbreekt: alleen de mediaan van de groep is te tonen.")
    else:
        chosen = peers.peer_group(web, group, gm, jaar)
        found = Positions(chosen.code, chosen.label(lang), list(chosen.members), {})
        if group != chosen.code:
            found.notes.append(
                f"Op een peiljaar ({values.peiljaar}) vergelijkt Schouders binnen "
                f"'{chosen.naam}'; '{group}' wordt alleen zonder peiljaar berekend.")
    found.stats = _stats_from_panel(values, gm, jaar, document, real, found.members, codes)
    return found


def _engine(web: WebState, gm: str, jaar: int, document: str, group: str, real: bool,
            lang: str) -> Positions:
    from schouders.indicators import api
    from schouders.service.engine import ensure_engine_cache

    ensure_engine_cache(web.settings)
    spec: Any = None if group == "auto" else group
    if group == "alle":
        spec = sorted(peers.year_table(web, jaar))
    profile = web.cached(("engine-profile", gm, jaar, document, group, real), lambda: api.profile(
        web.settings, gm, jaar, document, peer_group=spec, real=real))
    stats = {}
    for row in profile.posities.to_dict(orient="records"):
        stats[row["indicator"]] = {key: _number(row.get(key)) for key in STATS}
    members = [*profile.peers["gm_code"].tolist()]
    if gm not in members:
        members.append(gm)
    label = profile.peergroep_naam
    if group == "alle":
        label = peers.BUILT_IN["alle"][1 if lang == "en" else 0]
    return Positions(profile.peergroep, label, members, stats, list(profile.toelichting),
                     from_frame(profile.signalen))


def _engine_members(web: WebState, gm: str, jaar: int, group: str,
                    lang: str) -> tuple[list[str], str]:
    if group == "alle":
        return sorted(peers.year_table(web, jaar)), peers.BUILT_IN["alle"][
            1 if lang == "en" else 0]
    from schouders.indicators import api
    from schouders.service.engine import ensure_engine_cache

    ensure_engine_cache(web.settings)
    kind = "grootteklasse" if group == "auto" else group
    try:
        frame = api.peer_group_members(web.settings, gm, jaar, kind)
    except SchoudersError:
        chosen = peers.peer_group(web, kind, gm, jaar)
        return list(chosen.members), chosen.label(lang)
    members = frame["gm_code"].tolist()
    if gm not in members:
        members.append(gm)
    labels = peers.BUILT_IN.get(kind)
    label = (labels[1] if lang == "en" else labels[0]) if labels else kind
    return members, label


def _stats_from_panel(values: Panel, gm: str, jaar: int, document: str, real: bool,
                      members: list[str], codes: list[str]) -> dict[str, dict[str, Any]]:
    from schouders.indicators.context import definitions
    from schouders.indicators.positions import group_positions

    table = values.slice(jaar, document, real)
    present = [code for code in codes if code in table.columns]
    rows = table.loc[[m for m in members if m in table.index], present] if not table.empty \
        else pd.DataFrame(columns=present)
    catalogue = definitions().catalogue
    rows = rows.astype(float).copy()
    for code in present:  # values outside the indicator's bereik are anomalies: not compared
        indicator = catalogue.indicators.get(code)
        if indicator is not None and indicator.bereik is not None:
            rows[code] = rows[code].where(rows[code].map(indicator.bereik.contains))
    long = rows.reset_index().melt(id_vars="gm_code", var_name="indicator", value_name="waarde")
    long["jaar"] = jaar
    long["document"] = document
    own = group_positions(long.dropna(subset=["waarde"]), gm) if not long.empty else None
    stats: dict[str, dict[str, Any]] = {}
    for code in present:
        column = rows[code].dropna() if code in rows else pd.Series(dtype=float)
        stats[code] = {"waarde": None, "n": int(column.size),
                       "mediaan": float(column.median()) if column.size else None,
                       "percentiel": None, "z": None, "rang": None}
    if own is not None and not own.empty:
        for row in own.to_dict(orient="records"):
            stats[row["indicator"]] = {key: _number(row.get(key)) for key in STATS}
    return stats


def _number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number
