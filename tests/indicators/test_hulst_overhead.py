"""Cross-check against a figure a municipality publishes itself."""

from __future__ import annotations

from schouders.config import Settings
from schouders.indicators import api

HULST_PUBLISHED_OVERHEAD_2025 = 13.12   # % of lasten, Hulst, begroting 2025 (BBV indicator)
TOLERANCE_PP = 1.5


def test_hulst_overhead_matches_its_own_begroting(settings: Settings) -> None:
    frame = api.indicator_values(settings, ["overhead_pct"], gemeenten=["GM0677"], jaar=2025,
                                 document="begroting")
    value = float(frame["waarde"].iloc[0])
    assert abs(value - HULST_PUBLISHED_OVERHEAD_2025) <= TOLERANCE_PP, (
        f"Hulst publiceert in haar begroting 2025 een overhead van "
        f"{HULST_PUBLISHED_OVERHEAD_2025}% van de lasten; Schouders berekent uit Iv3 "
        f"{value:.2f}%, meer dan {TOLERANCE_PP} procentpunt ernaast")
