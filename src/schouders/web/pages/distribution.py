"""Charts of one indicator over all municipalities (dots per province, choropleth map)."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any

from schouders.service.models import Distribution
from schouders.web import charts
from schouders.web.i18n import Translator


def specs(spread: Distribution, lang: str,
          boundaries: Callable[[int], dict[str, Any] | None] | None = None) -> dict[str, Any]:
    """``boundaries(jaar)`` gives the GeoJSON for the map (only the national page draws it)."""
    t = Translator(lang)
    info = spread.indicator
    keuzes = spread.keuzes
    present = [r for r in spread.gemeenten if r.waarde is not None]
    points = [{"naam": r.naam, "groep": r.provincie, "v": round(r.waarde, 3),  # type: ignore[arg-type]
               "jitter": (zlib.crc32(r.gm_code.encode()) % 100) / 100.0 - 0.5}
              for r in present]
    description = t("{indicator} per gemeente, gegroepeerd per provincie ({document} {jaar}); "
                    "de zwarte streep is de mediaan van de provincie.",
                    indicator=info.naam, document=t(keuzes.document), jaar=keuzes.jaar)
    spec = charts.dots_by_group(lang, info.eenheid, t("Provincie"), description, points,
                                [m.model_dump() for m in spread.per_provincie])
    map_spec = None
    if boundaries is not None and spread.kaart.jaar is not None:
        geo = boundaries(spread.kaart.jaar)
        if geo is not None:
            map_spec = charts.choropleth(
                lang, info.eenheid, t("Kaart van {indicator}, {jaar}.", indicator=info.naam,
                                      jaar=keuzes.jaar), geo,
                [{"gm_code": r.gm_code, "naam": r.naam, "v": r.waarde} for r in present])
    return {"spread": spec, "map": map_spec}
