"""Signals: documented rules (signalen.toml) that say in plain Dutch which numbers caught the eye.

Each rule type is a small vectorised function over the cached series of all (or one)
municipalities. A signal always names the figures that triggered it and the threshold it was
measured against; it is an invitation to look, not a verdict.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd

from schouders.errors import SchoudersError
from schouders.indicators import fmt
from schouders.indicators.catalogue import Catalogue
from schouders.indicators.peers import BUILT_IN
from schouders.indicators.tomlfile import packaged, read_toml, require

RULES = ("reele_daling", "uitschieter", "stijging", "reeks_positief", "buiten_bereik",
         "werkorganisatie")
SIGNAL_COLUMNS = ["gm_code", "naam", "signaal", "titel", "jaar", "document", "indicator",
                  "uitleg", "cijfers", "regel"]


@dataclass(frozen=True)
class SignalRule:
    code: str
    naam: str
    name: str
    regel: str
    uitleg: str
    indicatoren: tuple[str, ...]
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def document(self) -> str | None:
        return self.params.get("document")

    @property
    def description(self) -> str:
        p = self.params
        if self.regel == "reele_daling":
            return (f"reële daling van {self.indicatoren[0]} {p['jaren']} jaar op rij, samen "
                    f"minstens {fmt.number(p['min_daling_pct'], 1)}% ({p['deflator']})")
        if self.regel == "uitschieter":
            return (f"|z-score| ≥ {fmt.number(p['z_drempel'], 1)} binnen {p['peergroep']} "
                    f"(minstens {p['minimum_leden']} gemeenten)")
        if self.regel == "stijging":
            return (f"{self.indicatoren[0]} steeg {p['jaren']} jaar op rij, samen minstens "
                    f"{fmt.number(p['min_stijging'], 1)}")
        if self.regel == "buiten_bereik":
            return "waarde buiten het mogelijke bereik van de indicator (catalogue.toml, bereik)"
        if self.regel == "werkorganisatie":
            return (f"{self.indicatoren[0]} kleiner dan {fmt.number(p['onder'], 1)}; verklaart "
                    f"uitschieters van {', '.join(p['betreft'])}")
        text = (f"{self.indicatoren[0]} {p['jaren']} jaar op rij groter dan "
                f"{fmt.number(p['drempel'], 1)}")
        if len(self.indicatoren) > 1:
            text += f" en {self.indicatoren[1]} in dezelfde jaren kleiner dan " + fmt.number(
                p["en_onder"], 1)
        return text

    @property
    def trend_indicators(self) -> tuple[str, ...]:
        """Indicators whose multi-year series the rule reads (none for outliers)."""
        return () if self.regel == "uitschieter" else self.indicatoren

    @property
    def years_needed(self) -> int:
        """Values needed: a run of n changes spans n + 1 years; a run of n levels n years."""
        jaren = int(self.params.get("jaren", 0))
        return jaren if self.regel == "reeks_positief" else jaren + 1


def load_rules(catalogue: Catalogue, path: Path | None = None) -> list[SignalRule]:
    path = path or packaged("signalen.toml")
    entries = read_toml(path).get("signaal")
    if not isinstance(entries, list) or not entries:
        raise SchoudersError(f"{path}: geen [[signaal]]-regels gevonden.")
    rules = []
    for number, entry in enumerate(entries, start=1):
        where = f"{path}: signaal nr. {number}"
        code = require(entry, "code", where)
        where = f"{where} ('{code}')"
        regel = require(entry, "regel", where)
        if regel not in RULES:
            raise SchoudersError(f"{where}: onbekende regel '{regel}'.",
                                 f"Kies uit: {', '.join(RULES)}.")
        if regel == "uitschieter" or regel == "werkorganisatie":
            indicatoren = tuple(require(entry, "indicatoren", where, list))
        elif regel == "buiten_bereik":
            indicatoren = tuple(code for code, item in catalogue.indicators.items()
                                if item.bereik is not None)
            if not indicatoren:
                raise SchoudersError(f"{where}: geen indicator in de catalogus heeft een bereik.")
        else:
            indicatoren = (require(entry, "indicator", where),)
        if regel == "reeks_positief" and "en_indicator" in entry:
            indicatoren = (*indicatoren, require(entry, "en_indicator", where))
        for indicator in indicatoren:
            catalogue.get(indicator)
        params = {key: item for key, item in entry.items()
                  if key not in ("code", "naam", "name", "regel", "uitleg", "indicator",
                                 "indicatoren", "en_indicator")}
        _check_params(regel, params, where)
        if regel == "werkorganisatie":
            if len(indicatoren) != 3:
                raise SchoudersError(f"{where}: indicatoren = [loonsom, overdrachten aan GR's, "
                                     "personeel plus GR's] (drie codes).")
            for indicator in params["betreft"]:
                catalogue.get(indicator)
        rules.append(SignalRule(code, require(entry, "naam", where), require(entry, "name", where),
                                regel, require(entry, "uitleg", where), indicatoren, params))
    return rules


def _check_params(regel: str, params: dict[str, Any], where: str) -> None:
    per_rule: dict[str, dict[str, type]] = {
        "reele_daling": {"jaren": int, "min_daling_pct": float, "deflator": str},
        "uitschieter": {"peergroep": str, "z_drempel": float, "minimum_leden": int},
        "stijging": {"jaren": int, "min_stijging": float},
        "reeks_positief": {"jaren": int, "drempel": float},
        "buiten_bereik": {},
        "werkorganisatie": {"onder": float}}
    needed = per_rule[regel]
    for name, kind in needed.items():
        value = params.get(name)
        ok = isinstance(value, str) if kind is str else (
            isinstance(value, int | float) and not isinstance(value, bool))
        if not ok:
            raise SchoudersError(f"{where}: parameter '{name}' ontbreekt of is geen "
                                 f"{'tekst' if kind is str else 'getal'}.")
    if regel == "reeks_positief" and "en_onder" in params and not (
            isinstance(params["en_onder"], int | float)
            and not isinstance(params["en_onder"], bool)):
        raise SchoudersError(f"{where}: parameter 'en_onder' is geen getal.")
    if "jaren" in needed and params["jaren"] < 1:
        raise SchoudersError(f"{where}: jaren moet minstens 1 zijn.")
    if regel == "uitschieter" and params["peergroep"] not in BUILT_IN:
        raise SchoudersError(f"{where}: peergroep moet een van {', '.join(BUILT_IN)} zijn.")
    if regel == "werkorganisatie" and not (
            isinstance(params.get("betreft"), list)
            and all(isinstance(item, str) for item in params["betreft"])):
        raise SchoudersError(f"{where}: parameter 'betreft' moet een lijst van indicatoren zijn.")
    if params.get("document") not in (None, "begroting", "jaarrekening"):
        raise SchoudersError(f"{where}: document moet begroting of jaarrekening zijn.")


def evaluate(
    rules: list[SignalRule], catalogue: Catalogue, *,
    series: pd.DataFrame | Mapping[str, Sequence[object]],
    positions: pd.DataFrame | list[dict[str, Any]], prices: pd.DataFrame,
    names: Mapping[str, str], group_names: dict[tuple[str, str], str], jaar: int,
    document: str,
) -> pd.DataFrame:
    """Signals for year ``jaar``.

    series: columns indicator, gm_code, jaar, document, waarde (years up to jaar), as a frame
    or a mapping of sequences; positions: rows with indicator, gm_code, jaar, document,
    peer_type, groep, waarde, n, mediaan, z, percentiel (for jaar), as a frame or records;
    group_names: (peer_type, groep) -> label.
    """
    columns = {name: np.asarray(series[name]) for name in ("indicator", "gm_code", "jaar",
                                                           "document", "waarde")}
    found: list[dict[str, Any]] = []
    for rule in rules:
        doc = rule.document or document
        if rule.regel == "uitschieter":
            found.extend(_outliers(rule, catalogue, positions, group_names, jaar, doc))
            continue
        if rule.regel == "buiten_bereik":
            found.extend(_impossible(rule, catalogue, columns, jaar, doc))
            continue
        if rule.regel == "werkorganisatie":
            found.extend(_shared_organisation(rule, catalogue, columns, jaar, doc))
            continue
        wide = _wide(columns, rule.indicatoren[0], doc, jaar, rule.years_needed)
        if wide is None:
            continue
        if rule.regel == "reele_daling":
            found.extend(_real_decline(rule, catalogue, wide, prices, jaar, doc))
        elif rule.regel == "stijging":
            found.extend(_rise(rule, catalogue, wide, jaar, doc))
        else:
            found.extend(_positive_run(rule, catalogue, wide, jaar, doc, columns))
    _explain_outliers(rules, found)
    for item in found:
        item["naam"] = names.get(item["gm_code"])
    found.sort(key=lambda item: (item["gm_code"], item["signaal"], item["indicator"]))
    return pd.DataFrame(found, columns=SIGNAL_COLUMNS)


@dataclass(frozen=True)
class Wide:
    """Complete series (no gaps) of one indicator: municipalities x consecutive years."""

    gm_codes: np.ndarray
    years: list[int]
    values: np.ndarray


def _wide(columns: dict[str, np.ndarray], indicator: str, document: str, jaar: int,
          count: int) -> Wide | None:
    first = jaar - count + 1
    if not len(columns["jaar"]):
        return None
    years = columns["jaar"].astype(np.int64)
    mask = ((columns["indicator"] == indicator) & (columns["document"] == document)
            & (years >= first) & (years <= jaar))
    if not mask.any():
        return None
    codes, uniques = pd.factorize(columns["gm_code"][mask])
    grid = np.full((len(uniques), count), np.nan)
    grid[codes, years[mask] - first] = columns["waarde"][mask].astype(float)
    complete = np.isfinite(grid).all(axis=1)
    if not complete.any():
        return None
    return Wide(np.asarray(uniques, dtype=object)[complete], list(range(first, jaar + 1)),
                grid[complete])


def _signal(rule: SignalRule, gm_code: str, jaar: int, document: str, indicator: str,
            text: str, numbers: dict[str, Any]) -> dict[str, Any]:
    return {"gm_code": gm_code, "naam": None, "signaal": rule.code, "titel": rule.naam,
            "jaar": jaar, "document": document, "indicator": indicator, "uitleg": text,
            "cijfers": json.dumps(numbers, ensure_ascii=False), "regel": rule.description}


def _series_text(years: list[int], values: np.ndarray, eenheid: str) -> str:
    return ", ".join(f"{year}: {fmt.value(item, eenheid)}" for year, item in zip(
        years, values, strict=True))


def _real_decline(rule: SignalRule, catalogue: Catalogue, wide: Wide,
                  prices: pd.DataFrame, jaar: int, document: str) -> list[dict[str, Any]]:
    indicator = catalogue.get(rule.indicatoren[0])
    deflator = rule.params["deflator"]
    index = _price_index(prices, deflator)
    years = wide.years
    if not all(year in index for year in years):
        return []
    factors = np.array([index[jaar] / index[year] for year in years])
    nominal = wide.values
    real = nominal * factors
    falling = (np.diff(real, axis=1) < 0).all(axis=1)
    total = (real[:, -1] / real[:, 0] - 1) * 100
    hits = falling & (total <= -float(rule.params["min_daling_pct"]))
    found = []
    for row in np.nonzero(hits)[0]:
        text = rule.uitleg.format(jaren=rule.params["jaren"], daling=fmt.percent_change(
            total[row])) + (f" Reëel, in prijzen van {jaar} ({deflator}): "
                            f"{_series_text(years, real[row], indicator.eenheid)}; nominaal: "
                            f"{_series_text(years, nominal[row], indicator.eenheid)}.")
        numbers = {"jaren": years, "reeel": _rounded(real[row]),
                   "nominaal": _rounded(nominal[row]),
                   "mutatie_reeel_pct": round(float(total[row]), 2), "deflator": deflator,
                   "drempel_pct": -float(rule.params["min_daling_pct"])}
        found.append(_signal(rule, str(wide.gm_codes[row]), jaar, document, indicator.code,
                             text, numbers))
    return found


def _price_index(prices: pd.DataFrame, deflator: str) -> dict[int, float]:
    rows = prices.to_numpy()
    return {int(jaar): float(waarde) for reeks, jaar, waarde in rows[:, :3] if reeks == deflator}


def _rise(rule: SignalRule, catalogue: Catalogue, wide: Wide, jaar: int,
          document: str) -> list[dict[str, Any]]:
    indicator = catalogue.get(rule.indicatoren[0])
    values = wide.values
    total = values[:, -1] - values[:, 0]
    hits = (np.diff(values, axis=1) > 0).all(axis=1) & (total >= float(
        rule.params["min_stijging"]))
    found = []
    for row in np.nonzero(hits)[0]:
        change = fmt.points(total[row]) if indicator.eenheid == "%" else fmt.number(total[row], 1)
        text = rule.uitleg.format(
            jaren=rule.params["jaren"], begin=fmt.value(values[row, 0], indicator.eenheid),
            eind=fmt.value(values[row, -1], indicator.eenheid), stijging=change) + (
            f" Reeks: {_series_text(wide.years, values[row], indicator.eenheid)}.")
        numbers = {"jaren": wide.years, "waarden": _rounded(values[row]),
                   "stijging": round(float(total[row]), 2),
                   "drempel": float(rule.params["min_stijging"])}
        found.append(_signal(rule, str(wide.gm_codes[row]), jaar, document, indicator.code,
                             text, numbers))
    return found


def _positive_run(rule: SignalRule, catalogue: Catalogue, wide: Wide, jaar: int,
                  document: str, columns: dict[str, np.ndarray]) -> list[dict[str, Any]]:
    """`indicator` above `drempel` every year; with `en_indicator`, that one below `en_onder`
    in the same years (e.g. a deficit before reserve mutations, covered by withdrawals)."""
    indicator = catalogue.get(rule.indicatoren[0])
    values = wide.values
    years = wide.years
    hits = (values > float(rule.params["drempel"])).all(axis=1)
    second = catalogue.get(rule.indicatoren[1]) if len(rule.indicatoren) > 1 else None
    other = np.full_like(values, np.nan)
    if second is not None:
        other_wide = _wide(columns, second.code, document, jaar, len(years))
        if other_wide is not None:
            where = {code: row for row, code in enumerate(other_wide.gm_codes)}
            for row, code in enumerate(wide.gm_codes):
                if code in where:
                    other[row] = other_wide.values[where[code]]
        with np.errstate(invalid="ignore"):
            hits &= (other < float(rule.params["en_onder"])).all(axis=1)
    found = []
    for row in np.nonzero(hits)[0].tolist():
        text = rule.uitleg.format(
            jaren=rule.params["jaren"],
            reeks=_series_text(years, values[row], indicator.eenheid),
            reeks2="" if second is None else _series_text(years, other[row], second.eenheid))
        numbers: dict[str, Any] = {"jaren": years, "waarden": _rounded(values[row]),
                                   "drempel": float(rule.params["drempel"])}
        if second is not None:
            numbers.update({"en_indicator": second.code, "en_waarden": _rounded(other[row]),
                            "en_onder": float(rule.params["en_onder"])})
        found.append(_signal(rule, str(wide.gm_codes[row]), jaar, document, indicator.code,
                             text, numbers))
    return found


def _outliers(rule: SignalRule, catalogue: Catalogue,
              positions: pd.DataFrame | list[dict[str, Any]],
              group_names: dict[tuple[str, str], str], jaar: int,
              document: str) -> list[dict[str, Any]]:
    params = rule.params
    records = positions.to_dict("records") if isinstance(positions, pd.DataFrame) else positions
    wanted = set(rule.indicatoren)
    threshold, minimum = float(params["z_drempel"]), int(params["minimum_leden"])
    hits = [row for row in records
            if row["peer_type"] == params["peergroep"] and row["document"] == document
            and int(row["jaar"]) == jaar and str(row["indicator"]) in wanted
            and _finite(row["z"]) and _finite(row["n"]) and float(row["n"]) >= minimum
            and abs(float(row["z"])) >= threshold]
    found = []
    for item in hits:
        row = SimpleNamespace(**item)
        indicator = catalogue.get(str(row.indicator))
        group = group_names.get((str(row.peer_type), str(row.groep)), str(row.groep))
        label = (f"vergelijkbare gemeenten ({group})" if row.peer_type != "knn"
                 else "de meest gelijkende gemeenten")
        text = rule.uitleg.format(
            indicator=indicator.naam, waarde=fmt.value(row.waarde, indicator.eenheid),
            mediaan=fmt.value(row.mediaan, indicator.eenheid), groep=label, n=int(row.n),
            z=fmt.number(row.z, 1), percentiel=fmt.number(row.percentiel, 0),
            oordeel=_judgement(indicator.richting, float(row.z)))
        numbers = {"waarde": round(float(row.waarde), 4), "mediaan": round(float(row.mediaan), 4),
                   "z": round(float(row.z), 2), "percentiel": round(float(row.percentiel), 1),
                   "n": int(row.n), "peergroep": str(row.peer_type), "groep": group,
                   "drempel_z": float(params["z_drempel"])}
        found.append(_signal(rule, str(row.gm_code), jaar, document, indicator.code, text,
                             numbers))
    return found


def _finite(value: object) -> bool:
    return value is not None and isinstance(value, int | float | np.number) and math.isfinite(
        float(value))


def _judgement(direction: str, z: float) -> str:
    high = z > 0
    if direction == "neutraal":
        return ("opvallend hoog" if high else "opvallend laag") + (
            "; hoger of lager is hier niet vanzelf beter of slechter")
    favourable = high == (direction == "hoger_beter")
    return ("gunstig" if favourable else "ongunstig") + " afwijkend (" + (
        "hoger is hier beter" if direction == "hoger_beter" else "lager is hier beter") + ")"


def _rounded(values: np.ndarray) -> list[float | None]:
    return [round(float(item), 2) if math.isfinite(float(item)) else None for item in values]


def _level(columns: dict[str, np.ndarray], indicator: str, document: str,
           jaar: int) -> dict[str, float]:
    """gm_code -> value of one indicator in one year and document (finite values only)."""
    if not len(columns["jaar"]):
        return {}
    mask = ((columns["indicator"] == indicator) & (columns["document"] == document)
            & (columns["jaar"].astype(np.int64) == jaar))
    values = columns["waarde"][mask].astype(float)
    return {str(code): float(value) for code, value in zip(columns["gm_code"][mask], values,
                                                           strict=True) if math.isfinite(value)}


def _impossible(rule: SignalRule, catalogue: Catalogue, columns: dict[str, np.ndarray],
                jaar: int, document: str) -> list[dict[str, Any]]:
    """A value outside its indicator's bereik: a data anomaly, flagged and never ranked."""
    found = []
    for code in rule.indicatoren:
        indicator = catalogue.get(code)
        bereik = indicator.bereik
        assert bereik is not None
        for gm_code, value in _level(columns, code, document, jaar).items():
            if bereik.contains(value):
                continue
            text = rule.uitleg.format(indicator=indicator.naam,
                                      waarde=fmt.value(value, indicator.eenheid),
                                      bereik=bereik.text, reden=bereik.reden)
            numbers = {"waarde": round(value, 4), "min": bereik.min, "max": bereik.max}
            found.append(_signal(rule, gm_code, jaar, document, code, text, numbers))
    return found


def _shared_organisation(rule: SignalRule, catalogue: Catalogue, columns: dict[str, np.ndarray],
                         jaar: int, document: str) -> list[dict[str, Any]]:
    """Little own payroll: the staff works in a shared werkorganisatie, a GR or for another
    municipality, and is paid through transfers; personnel-type figures are not comparable."""
    wages, transfers, together = (catalogue.get(code) for code in rule.indicatoren)
    levels = {code: _level(columns, code, document, jaar) for code in rule.indicatoren}
    found = []
    for gm_code, value in levels[wages.code].items():
        if value >= float(rule.params["onder"]):
            continue
        gr = levels[transfers.code].get(gm_code, math.nan)
        both = levels[together.code].get(gm_code, math.nan)
        text = rule.uitleg.format(loonsom=fmt.value(value, wages.eenheid),
                                  gr=fmt.value(gr, transfers.eenheid),
                                  samen=fmt.value(both, together.eenheid))
        numbers = {"loonsom_pct": round(value, 2),
                   "gr_pct": None if gr != gr else round(gr, 2),
                   "personeel_en_gr_pct": None if both != both else round(both, 2),
                   "onder": float(rule.params["onder"]), "betreft": rule.params["betreft"]}
        found.append(_signal(rule, gm_code, jaar, document, wages.code, text, numbers))
    return found


def _explain_outliers(rules: list[SignalRule], found: list[dict[str, Any]]) -> None:
    """An outlier in a personnel-type figure of a municipality with a shared organisation says
    so (it is explained by the organisation, not by its own staff)."""
    for rule in rules:
        if rule.regel != "werkorganisatie":
            continue
        shared = {(item["gm_code"], item["jaar"], item["document"]) for item in found
                  if item["signaal"] == rule.code}
        concerned = set(rule.params["betreft"])
        for item in found:
            if (item["signaal"] != "uitschieter" or item["indicator"] not in concerned
                    or (item["gm_code"], item["jaar"], item["document"]) not in shared):
                continue
            item["uitleg"] += (f" Let op: {rule.naam.lower()} (zie dat signaal); dit cijfer is "
                               "daardoor niet vergelijkbaar met gemeenten met eigen personeel.")
            numbers = json.loads(item["cijfers"])
            numbers["verklaard_door"] = rule.code
            item["cijfers"] = json.dumps(numbers, ensure_ascii=False)
