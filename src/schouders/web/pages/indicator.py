"""The indicator page's CSV table, made from :class:`IndicatorPage` alone."""

from __future__ import annotations

import pandas as pd

from schouders.service.models import IndicatorPage


def csv_table(model: IndicatorPage) -> pd.DataFrame:
    spread = model.verdeling
    frame = pd.DataFrame([r.model_dump(exclude={"leeg"}) | {"status": r.leeg.get("waarde")}
                          for r in spread.gemeenten],
                         columns=["gm_code", "naam", "provincie", "waarde", "status"])
    frame.insert(0, "indicator", model.code)
    frame["jaar"] = spread.keuzes.jaar
    frame["document"] = spread.keuzes.document
    frame["prijzen"] = spread.keuzes.prijzen
    return frame
