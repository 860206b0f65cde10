"""Dutch number and date formatting, and the spread chart geometry, for the templates."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment

from schouders.instruments.apk import AT_DISTANCE, FIELD_LABELS
from schouders.instruments.labels import ACTION_LABELS, OBJECT_LABELS
from schouders.instruments.register import OBLIGATIONS, STATUSES
from schouders.instruments.scoring import Spread
from schouders.platform.access import ROLE_LABELS

try:
    AMSTERDAM: Any = ZoneInfo("Europe/Amsterdam")
except ZoneInfoNotFoundError:  # no time zone database (install tzdata): show UTC
    AMSTERDAM = UTC


def number(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}".replace(".", ",")


def date(value: datetime | None) -> str:
    if value is None:
        return "–"
    return value.astimezone(AMSTERDAM).strftime("%d-%m-%Y")


def datetime_nl(value: datetime | None) -> str:
    if value is None:
        return "–"
    return value.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M")


def spread_geometry(value: Spread | None, low: int = 1, high: int = 5, width: int = 200,
                    pad: int = 8) -> dict[str, Any] | None:
    """x positions (in px) of min, q1, median, q3, max and mean on a scale from low to high."""
    if value is None:
        return None

    def x(v: float) -> float:
        return round(pad + (v - low) / (high - low) * (width - 2 * pad), 1)

    return {
        "min": x(value.minimum), "q1": x(value.q1), "median": x(value.median),
        "q3": x(value.q3), "max": x(value.maximum), "mean": x(value.mean),
        "width": width, "ticks": [x(t) for t in range(low, high + 1)],
    }


def install(env: Environment) -> None:
    env.filters["getal"] = number
    env.filters["datum"] = date
    env.filters["datumtijd"] = datetime_nl
    env.globals["spread_geometry"] = spread_geometry
    env.globals["ROLE_LABELS"] = ROLE_LABELS
    env.globals["ACTION_LABELS"] = ACTION_LABELS
    env.globals["OBJECT_LABELS"] = OBJECT_LABELS
    env.globals["AT_DISTANCE"] = AT_DISTANCE
    env.globals["APK_FIELD_LABELS"] = FIELD_LABELS
    env.globals["OBLIGATIONS"] = OBLIGATIONS
    env.globals["TASK_STATUSES"] = STATUSES
    env.globals["now_year"] = lambda: datetime.now(UTC).year


def jsonable_spread(value: Spread | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {
        "n": value.n, "gemiddelde": round(value.mean, 4), "mediaan": value.median,
        "min": value.minimum, "max": value.maximum,
        "sd": round(value.sd, 4) if value.sd is not None else None,
        "q1": value.q1, "q3": value.q3, "iqr": value.iqr, "uiteenlopend": value.disagreement,
    }
