"""Find a municipality by GM code or (typo-tolerant) name, with clear disambiguation."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import duckdb
from rapidfuzz import fuzz, process

from schouders.errors import AmbiguousMunicipalityError, UnknownMunicipalityError

CODE_PATTERN = re.compile(r"^(?:GM)?(\d{1,4})$", re.IGNORECASE)
MIN_SCORE = 70.0
# A name is taken as a typo of another only when it is this close; below it, the user is asked.
AUTO_ACCEPT_SCORE = 85.0
# Colloquial names that are not CBS names.
ALIASES = {
    "den haag": "GM0518",
    "the hague": "GM0518",
    "s gravenhage": "GM0518",
    "den bosch": "GM0796",
    "s hertogenbosch": "GM0796",
}


@dataclass(frozen=True)
class Municipality:
    gm_code: str
    naam: str
    eerste_jaar: int | None
    laatste_jaar: int | None  # None: still exists

    @property
    def label(self) -> str:
        if self.laatste_jaar is None:
            return f"{self.naam} ({self.gm_code})"
        return f"{self.naam} ({self.gm_code}, opgeheven per 1-1-{self.laatste_jaar + 1})"


def normalise(name: str) -> str:
    """Lower case, no accents, no punctuation: 'Súdwest-Fryslân' -> 'sudwest fryslan'."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = text.replace("(gemeente)", "")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def all_municipalities(con: duckdb.DuckDBPyConnection) -> list[Municipality]:
    rows = con.execute(
        """
        SELECT gm_code, naam, eerste_jaar, laatste_jaar FROM gemeente
        WHERE eerste_jaar IS NOT NULL ORDER BY naam
        """
    ).fetchall()
    return [Municipality(*row) for row in rows]


def search_municipalities(
    con: duckdb.DuckDBPyConnection, text: str, limit: int = 10
) -> list[tuple[Municipality, float]]:
    """Best matches for a code or (part of a) name, current municipalities first on ties."""
    candidates = all_municipalities(con)
    code = CODE_PATTERN.match(text.strip())
    if code:
        wanted = f"GM{int(code.group(1)):04d}"
        return [(m, 100.0) for m in candidates if m.gm_code == wanted]
    query = normalise(text)
    if not query:
        return []
    if query in ALIASES:
        return [(m, 100.0) for m in candidates if m.gm_code == ALIASES[query]]
    names = {index: normalise(m.naam) for index, m in enumerate(candidates)}
    scored = []
    for index, name in names.items():
        if name == query:
            score = 100.0
        elif name.startswith(query) or name.split(" ")[0] == query:
            score = 95.0
        else:
            score = fuzz.ratio(query, name)
        if score >= MIN_SCORE:
            scored.append((candidates[index], float(score)))
    scored.sort(key=lambda pair: (-pair[1], pair[0].laatste_jaar is not None, pair[0].naam))
    return scored[:limit]


def resolve_municipality(con: duckdb.DuckDBPyConnection, text: str) -> Municipality:
    """Exactly one municipality for a code or name, or a clear error with the closest matches."""
    matches = search_municipalities(con, text)
    if not matches:
        suggestions = [m.label for m, _ in _closest(con, text)]
        raise UnknownMunicipalityError(text, suggestions)
    best_score = matches[0][1]
    if best_score < AUTO_ACCEPT_SCORE:
        raise UnknownMunicipalityError(text, [m.label for m, _ in matches[:5]])
    best = [m for m, score in matches if score == best_score]
    exact = [m for m in best if normalise(m.naam) == normalise(text) or m.gm_code == text.upper()]
    if len(exact) == 1:
        return exact[0]
    current = [m for m in best if m.laatste_jaar is None]
    if len(best) == 1:
        return best[0]
    if len(current) == 1 and best_score == 100.0:
        return current[0]
    raise AmbiguousMunicipalityError(text, [m.label for m in best])


def _closest(con: duckdb.DuckDBPyConnection, text: str) -> list[tuple[Municipality, float]]:
    candidates = all_municipalities(con)
    found = process.extract(
        normalise(text), [normalise(m.naam) for m in candidates], scorer=fuzz.WRatio, limit=5
    )
    return [(candidates[index], float(score)) for _, score, index in found]
