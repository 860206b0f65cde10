"""The facade's long panel (``Service.values``) holds the same numbers the pages show."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient


def test_long_panel_matches_the_profile(app: FastAPI, client: TestClient) -> None:
    values = app.state.service.values()
    assert {"indicator", "gm_code", "jaar", "document", "waarde", "waarde_reeel"} <= set(values)
    page = client.get("/api/gemeenten/GM0599?jaar=2023&document=jaarrekening").json()
    shown = {row["indicator"]: row["waarde"] for row in page["kerncijfers"]}
    rows = values[(values["gm_code"] == "GM0599") & (values["jaar"] == 2023)
                  & (values["document"] == "jaarrekening")].set_index("indicator")
    for code in ("lasten_per_inwoner", "overhead_pct", "inhuur_pct"):
        assert rows.at[code, "waarde"] == pytest.approx(shown[code])
    # real euros: 2023 amounts in prices of the CPI base year are higher; ratios are not deflated
    assert rows.at["lasten_per_inwoner", "waarde_reeel"] > rows.at["lasten_per_inwoner", "waarde"]
    assert rows.at["overhead_pct", "waarde_reeel"] == pytest.approx(rows.at["overhead_pct",
                                                                             "waarde"])
