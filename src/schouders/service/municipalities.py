"""Municipalities for the web: list, typo-tolerant search, basic facts, deliveries."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from schouders.errors import UnknownMunicipalityError
from schouders.service.codes import is_gm_code, normalise_gm_code
from schouders.service.state import WebState
from schouders.warehouse.lookup import Municipality, search_municipalities
from schouders.warehouse.profile import herindeling_lines

MAX_SEARCH_LENGTH = 100
# Starting points on the start page: the four largest cities and a few of the 2020 case
# municipalities (not a view count: the monitor keeps no statistics of its visitors).
EXAMPLES = ("GM0363", "GM0599", "GM0518", "GM0344", "GM0855", "GM0392", "GM0114", "GM1900")
CASE_2020 = ("GM1700", "GM0678", "GM0118", "GM0855", "GM0392", "GM0473", "GM0114", "GM1900",
             "GM0542")


@dataclass(frozen=True)
class Match:
    gm_code: str
    naam: str
    provincie: str | None
    bestaat: bool
    score: float
    laatste_jaar: int | None


def all_current(web: WebState) -> pd.DataFrame:
    """Municipalities of the latest year: gm_code, naam, provincie_naam."""

    def compute() -> pd.DataFrame:
        return web.cursor().execute(
            """
            SELECT gm_code, naam, provincie_naam FROM gemeente_jaar
            WHERE jaar = (SELECT max(jaar) FROM gemeente_jaar) ORDER BY naam
            """
        ).df()

    return web.cached("current-municipalities", compute)


def names(web: WebState) -> dict[str, str]:
    """gm_code -> latest name, for every code that ever existed."""

    def compute() -> dict[str, str]:
        rows = web.cursor().execute("SELECT gm_code, naam FROM gemeente").fetchall()
        return dict(rows)

    return web.cached("municipality-names", compute)


def provinces(web: WebState) -> dict[str, str]:
    def compute() -> dict[str, str]:
        rows = web.cursor().execute(
            "SELECT gm_code, provincie_naam FROM gemeente WHERE provincie_naam IS NOT NULL"
        ).fetchall()
        return dict(rows)

    return web.cached("municipality-provinces", compute)


def search(web: WebState, text: str, limit: int = 10) -> list[Match]:
    text = text.strip()[:MAX_SEARCH_LENGTH]
    if not text:
        return []

    def compute() -> list[Match]:
        found = search_municipalities(web.cursor(), text, limit=limit)
        province = provinces(web)
        return [_match(m, score, province.get(m.gm_code)) for m, score in found]

    return web.cached(("search", text.lower(), limit), compute)


def closest(web: WebState, text: str, limit: int = 5) -> list[Match]:
    """Suggestions for an unknown code or name (never empty when the warehouse has names)."""
    text = text.strip()[:MAX_SEARCH_LENGTH]
    code = normalise_gm_code(text)
    known = names(web)
    if code and code in known:
        return search(web, code, limit)
    matches = search(web, text, limit) if text and not code else []
    if matches:
        return matches
    from rapidfuzz import fuzz, process

    from schouders.warehouse.lookup import normalise

    current = all_current(web)
    choices = {row.gm_code: normalise(row.naam) for row in current.itertuples()}
    query = normalise(text) or text.lower()
    if code:  # an unknown code: suggest codes with the most digits in common
        found = process.extract(code, list(choices), scorer=fuzz.ratio, limit=limit)
        picked = [(gm, score) for gm, score, _ in found]
    else:
        found = process.extract(query, choices, scorer=fuzz.WRatio, limit=limit)
        picked = [(gm, score) for _, score, gm in found]
    province = provinces(web)
    return [Match(gm, known.get(gm, gm), province.get(gm), True, float(score), None)
            for gm, score in picked]


SUGGEST_MIN_RATIO = 60.0


def suggestions(web: WebState, text: str, limit: int = 5) -> list[Match]:
    """Close names for a search without a match, only when they really look alike (plain
    edit-distance ratio >= 60 on the normalised names): 'Qwertyvlietdorp' suggests nothing,
    where the partial-match scorer of ``closest`` offered Adorp, Niedorp and Erp."""
    from rapidfuzz import fuzz

    from schouders.warehouse.lookup import normalise

    query = normalise(text.strip()[:MAX_SEARCH_LENGTH])
    if not query:
        return []
    found = [match for match in closest(web, text, limit)
             if fuzz.ratio(query, normalise(match.naam)) >= SUGGEST_MIN_RATIO]
    return found


def require(web: WebState, code: str) -> Municipality:
    """The municipality with this GM code, or UnknownMunicipalityError with suggestions."""
    normalised = normalise_gm_code(code) if not is_gm_code(code) else code
    if normalised is None or normalised not in names(web):
        suggestions = [f"{m.naam} ({m.gm_code})" for m in closest(web, code)]
        raise UnknownMunicipalityError(code[:MAX_SEARCH_LENGTH], suggestions)
    row = web.cursor().execute(
        "SELECT gm_code, naam, eerste_jaar, laatste_jaar FROM gemeente WHERE gm_code = ?",
        [normalised],
    ).fetchone()
    assert row is not None  # the code is in names(), which reads the same table
    return Municipality(*row)


@dataclass(frozen=True)
class Facts:
    provincie: str | None
    jaren: pd.DataFrame  # jaar, inwoners
    leveringen: pd.DataFrame  # jaar, document, status, reden
    herindelingen: list[str]


def facts(web: WebState, gm_code: str) -> Facts:
    """Province, inhabitants per year, deliveries per year and document, herindelingen."""

    def compute() -> Facts:
        con = web.cursor()
        province = con.execute(
            "SELECT provincie_naam FROM gemeente WHERE gm_code = ?", [gm_code]).fetchone()
        inhabitants = con.execute(
            """
            SELECT g.jaar, b.inwoners FROM gemeente_jaar g
            LEFT JOIN bevolking b USING (gm_code, jaar) WHERE g.gm_code = ? ORDER BY g.jaar
            """, [gm_code]).df()
        deliveries = con.execute(
            """
            SELECT jaar, document, status, reden FROM iv3_levering
            WHERE gm_code = ? ORDER BY jaar, document
            """,
            [gm_code],
        ).df()
        return Facts(province[0] if province else None, inhabitants, deliveries,
                     herindeling_lines(con, gm_code))

    return web.cached(("facts", gm_code), compute)


def _match(m: Municipality, score: float, provincie: str | None) -> Match:
    return Match(m.gm_code, m.naam, provincie, m.laatste_jaar is None, score, m.laatste_jaar)


def missing_deliveries(web: WebState, jaar: int, document: str) -> frozenset[str]:
    """GM codes whose ``document`` of ``jaar`` is known to be missing ('ontbreekt')."""

    def compute() -> frozenset[str]:
        rows = web.cursor().execute(
            "SELECT gm_code FROM iv3_levering WHERE jaar = ? AND document = ? "
            "AND status = 'ontbreekt'", [jaar, document]).fetchall()
        return frozenset(row[0] for row in rows)

    return web.cached(("missing-deliveries", jaar, document), compute)
