"""The national picture from the engine (``api.national_picture``, precomputed once per build
in ``service.duckdb``), in a long form for charts.

Growth is chain-linked on the boundaries of the latest year (herindelingen summed), over the
municipalities that delivered the document in both years, so neither mergers nor missing
deliveries show up as growth or decline. Per size class, a municipality's class is that of its
inhabitants in the year itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from schouders.service.peers import SIZE_CLASSES
from schouders.service.state import WebState

SERIES = (("lasten_totaal", "Totale lasten", "Total expenditure"),
          ("lasten_fysiek", "Lasten fysiek domein", "Physical-domain expenditure"),
          ("lasten_totaal_reeel", "Totale lasten, reëel", "Total expenditure, real"),
          ("lasten_fysiek_reeel", "Lasten fysiek domein, reëel",
           "Physical-domain expenditure, real"),
          ("overheidsconsumptie", "Prijs overheidsconsumptie", "Price of government "
           "consumption"))
CHARTED = ("lasten_totaal", "lasten_fysiek", "cpi")
CPI_LABEL = ("Consumentenprijsindex (CPI)", "Consumer price index (CPI)")
COLUMNS = {"lasten_mutatie_pct": "lasten_totaal", "fysiek_mutatie_pct": "lasten_fysiek",
           "lasten_reeel_pct": "lasten_totaal_reeel", "fysiek_reeel_pct": "lasten_fysiek_reeel",
           "cpi_pct": "cpi", "overheidsconsumptie_pct": "overheidsconsumptie"}
ALL = "Alle gemeenten"


def national_trends(web: WebState, document: str) -> pd.DataFrame:
    """jaar, klasse (None = Nederland), reeks, mutatie_pct, gemeenten; attrs['toelichting']."""

    def compute() -> pd.DataFrame:
        from schouders.service.precompute import national_picture

        picture = national_picture(web.settings, document)
        classes = {label: number for number, (_, label, _) in enumerate(SIZE_CLASSES)}
        rows: list[dict[str, Any]] = []
        for row in picture.to_dict(orient="records"):
            klasse = None if row["groep"] == ALL else classes.get(row["groep"])
            if row["groep"] != ALL and klasse is None:
                continue
            for column, reeks in COLUMNS.items():
                value = row.get(column)
                if value is None or pd.isna(value):
                    continue
                rows.append({"jaar": int(row["jaar"]), "klasse": klasse, "reeks": reeks,
                             "mutatie_pct": float(value),
                             "gemeenten": None if reeks in ("cpi", "overheidsconsumptie")
                             else int(row["gemeenten"])})
        frame = pd.DataFrame(rows, columns=["jaar", "klasse", "reeks", "mutatie_pct",
                                            "gemeenten"])
        frame.attrs["toelichting"] = picture.attrs.get("toelichting", "")
        return frame

    return web.cached(("national", document), compute)


def series_label(code: str, lang: str) -> str:
    if code == "cpi":
        return CPI_LABEL[1] if lang == "en" else CPI_LABEL[0]
    for known, nl, en in SERIES:
        if known == code:
            return en if lang == "en" else nl
    return code


def class_label(klasse: Any, lang: str) -> str:
    if klasse is None or (isinstance(klasse, float) and np.isnan(klasse)):
        return "Netherlands" if lang == "en" else "Nederland"
    _, nl, en = SIZE_CLASSES[int(klasse)]
    return en if lang == "en" else nl
