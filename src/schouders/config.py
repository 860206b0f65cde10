"""Where Schouders keeps its warehouse and where it reads its data from.

Data source selection: by default the live CBS services; a local snapshot directory (such as the
project's ``shared/data``) is chosen with ``--data-dir`` or ``SCHOUDERS_DATA_DIR``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

DATADERDEN_URL = "https://dataderden.cbs.nl"
DATASETS_URL = "https://datasets.cbs.nl/odata/v1/CBS"


@dataclass(frozen=True)
class Settings:
    home: Path
    data_dir: Path | None
    dataderden_url: str = DATADERDEN_URL
    datasets_url: str = DATASETS_URL
    retries: int = 5  # per request, with exponential backoff, on 429/5xx/timeouts/drops
    backoff: float = 0.5  # seconds before the first retry

    @property
    def warehouse_path(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def download_dir(self) -> Path:
        """Resumable download journals of the live CBS client."""
        return self.home / "downloads"

    @property
    def source_label(self) -> str:
        return f"snapshot {self.data_dir}" if self.data_dir else "live CBS OData"


def load_settings(data_dir: Path | str | None = None, home: Path | str | None = None) -> Settings:
    """Settings from arguments, falling back to environment variables, then defaults."""
    home_value = home or os.environ.get("SCHOUDERS_HOME") or platformdirs.user_data_dir("schouders")
    data_value = data_dir or os.environ.get("SCHOUDERS_DATA_DIR") or None
    return Settings(
        home=Path(home_value).expanduser().resolve(),
        data_dir=Path(data_value).expanduser().resolve() if data_value else None,
        dataderden_url=os.environ.get("SCHOUDERS_CBS_DATADERDEN_URL", DATADERDEN_URL).rstrip("/"),
        datasets_url=os.environ.get("SCHOUDERS_CBS_DATASETS_URL", DATASETS_URL).rstrip("/"),
        retries=int(os.environ.get("SCHOUDERS_CBS_RETRIES", "5")),
        backoff=float(os.environ.get("SCHOUDERS_CBS_BACKOFF", "0.5")),
    )
