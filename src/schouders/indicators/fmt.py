"""Dutch number formatting for tables and signal texts (1.234,5; € 901; 13,3%)."""

from __future__ import annotations

import math

MISSING = "–"


def number(value: object, decimals: int = 0) -> str:
    if value is None or not isinstance(value, int | float) or not math.isfinite(float(value)):
        return MISSING
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def value(amount: object, eenheid: str, *, signed: bool = False) -> str:
    """An indicator value in its unit, Dutch style."""
    if amount is None or not isinstance(amount, int | float) or not math.isfinite(float(amount)):
        return MISSING
    amount = float(amount)
    if eenheid == "%":
        return f"{number(amount, 1)}%"
    if eenheid == "%-mutatie":
        sign = "+" if amount > 0 else ""
        return f"{sign}{number(amount, 1)}%"
    if eenheid == "EUR/inw":
        return f"€ {number(amount, 0)}"
    if eenheid == "EUR":
        if abs(amount) >= 1e6:
            return f"€ {number(amount / 1e6, 1)} mln"
        return f"€ {number(amount, 0)}"
    prefix = "+" if signed and amount > 0 else ""
    return prefix + number(amount, 2)


def percent_change(amount: object) -> str:
    return value(amount, "%-mutatie")


def points(amount: object) -> str:
    """A difference of percentages, in procentpunt."""
    if amount is None or not isinstance(amount, int | float) or not math.isfinite(float(amount)):
        return MISSING
    sign = "+" if float(amount) > 0 else ""
    return f"{sign}{number(amount, 1)} procentpunt"
