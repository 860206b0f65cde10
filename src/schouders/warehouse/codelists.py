"""Official Iv3 code lists per year: definitional breaks between years and code checks on facts."""

from __future__ import annotations

from itertools import pairwise

import pandas as pd

from schouders.errors import DataFileError

BREAK_LISTS = ("taakveld", "categorie_lasten", "categorie_baten")
SYSTEM_CHANGE_YEAR = 2017


def definitional_breaks(codes: pd.DataFrame) -> pd.DataFrame:
    """Codes added, removed or renamed between consecutive years, per code list.

    The first year also records the 2017 switch from Iv3 *functies* to *taakvelden*: series before
    it are not comparable at taakveld level.
    """
    rows: list[dict[str, object]] = [
        {
            "codelijst": "taakveld",
            "jaar": SYSTEM_CHANGE_YEAR,
            "code": "*",
            "soort": "nieuw stelsel",
            "oud": "functies (tot en met 2016)",
            "nieuw": "taakvelden (vanaf 2017)",
        }
    ]
    for codelijst in BREAK_LISTS:
        subset = codes[(codes["codelijst"] == codelijst) & codes["code"].str.match(r"\d")]
        years = sorted(subset["jaar"].unique())
        for previous, current in pairwise(years):
            old = dict(subset[subset["jaar"] == previous][["code", "omschrijving"]].to_numpy())
            new = dict(subset[subset["jaar"] == current][["code", "omschrijving"]].to_numpy())
            for code in sorted(new.keys() - old.keys()):
                rows.append(
                    {
                        "codelijst": codelijst,
                        "jaar": int(current),
                        "code": code,
                        "soort": "nieuw",
                        "oud": None,
                        "nieuw": new[code],
                    }
                )
            for code in sorted(old.keys() - new.keys()):
                rows.append(
                    {
                        "codelijst": codelijst,
                        "jaar": int(current),
                        "code": code,
                        "soort": "vervallen",
                        "oud": old[code],
                        "nieuw": None,
                    }
                )
            for code in sorted(old.keys() & new.keys()):
                if _normalise(old[code]) != _normalise(new[code]):
                    rows.append(
                        {
                            "codelijst": codelijst,
                            "jaar": int(current),
                            "code": code,
                            "soort": "hernoemd",
                            "oud": old[code],
                            "nieuw": new[code],
                        }
                    )
    return pd.DataFrame(rows, columns=["codelijst", "jaar", "code", "soort", "oud", "nieuw"])


def _normalise(text: str) -> str:
    """Compare descriptions without case, punctuation or spacing differences."""
    return "".join(ch for ch in str(text).lower() if ch.isalnum())


def check_taakvelden(facts: pd.DataFrame, codes: pd.DataFrame, source: str) -> None:
    """Every taakveld in the facts must be in the official list of the fact's own year.

    Aggregated sources roll sub-codes up (6.711 -> 6.71), so a code is also accepted when it is
    the prefix of an official code of that year. Raise naming the code, the year and, when the
    code belongs to another year's list, which years.
    """
    official = codes[codes["codelijst"] == "taakveld"]
    by_year = {int(y): set(group["code"]) for y, group in official.groupby("jaar")}
    used = facts[~facts["taakveld"].str.fullmatch(r"\*|\d")][["jaar", "taakveld"]].drop_duplicates()
    for jaar, code in used.itertuples(index=False):
        listed = by_year.get(int(jaar))
        if listed is None:
            raise DataFileError(
                source,
                f"geen officiële Iv3-codelijst voor jaar {jaar}",
                expected="een codelijst in cbs_iv3_definities voor elk jaar met gegevens",
            )
        if code in listed or any(item.startswith(code) for item in listed):
            continue
        elsewhere = sorted(y for y, items in by_year.items() if code in items)
        detail = f"; die code hoort bij de codelijst van {_years(elsewhere)}" if elsewhere else ""
        raise DataFileError(
            source,
            f"taakveld {code} komt niet voor in de Iv3-codelijst van {jaar}{detail}",
            expected=f"een taakveld uit iv3_definities_Gemeente_{jaar}",
        )


def _years(years: list[int]) -> str:
    return f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
