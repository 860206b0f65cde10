"""Read the TOML data files of the indicator package, with clear Dutch errors."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from schouders.errors import SchoudersError

PACKAGE = "schouders.indicators"


def packaged(name: str) -> Path:
    """Path of a data file shipped with the package (catalogue.toml, domeinen.toml, ...)."""
    return Path(str(resources.files(PACKAGE).joinpath(name)))


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise SchoudersError(f"Bestand {path} bestaat niet.") from None
    except tomllib.TOMLDecodeError as exc:
        raise SchoudersError(f"{path} is geen geldige TOML: {exc}",
                             "Herstel de opmaak van het bestand.") from exc


def require(entry: dict[str, Any], field: str, where: str, kind: type = str) -> Any:
    """A required field of a TOML table, of the right type."""
    if field not in entry:
        raise SchoudersError(f"{where}: veld '{field}' ontbreekt.")
    value = entry[field]
    if not isinstance(value, kind) or (kind is str and isinstance(value, str)
                                           and not value.strip()):
        raise SchoudersError(f"{where}: veld '{field}' moet {_kind_name(kind)} zijn, niet "
                             f"{value!r}.")
    return value


def string_list(entry: dict[str, Any], field: str, where: str, *, required: bool = False
                ) -> tuple[str, ...]:
    if field not in entry:
        if required:
            raise SchoudersError(f"{where}: veld '{field}' ontbreekt.")
        return ()
    value = entry[field]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise SchoudersError(f"{where}: veld '{field}' moet een lijst met teksten zijn.")
    return tuple(value)


def _kind_name(kind: type) -> str:
    return {str: "een tekst", int: "een geheel getal", float: "een getal", bool: "true of false",
            list: "een lijst", dict: "een tabel"}.get(kind, kind.__name__)
