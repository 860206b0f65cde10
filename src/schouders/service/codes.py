"""Municipality codes as users type them: 'gm363', 'GM0363' or '363' all mean GM0363."""

from __future__ import annotations

import re

GM_CODE = re.compile(r"^GM\d{4}$")


def normalise_gm_code(text: str) -> str | None:
    """'gm363', 'GM0363' or '363' -> 'GM0363'; anything else -> None."""
    match = re.fullmatch(r"(?:GM)?(\d{1,4})", text.strip(), flags=re.IGNORECASE)
    return f"GM{int(match.group(1)):04d}" if match else None


def is_gm_code(text: str) -> bool:
    return bool(GM_CODE.fullmatch(text))
