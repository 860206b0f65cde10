"""The APK register: statutory municipal tasks and their legal basis, from a versioned TOML file.

The shipped register lives in ``data/apk_register.toml``; municipalities add their own tasks in the
database (see :mod:`schouders.instruments.apk`). Loading validates the file and names the faulty
entry, so a broken edit fails loudly instead of silently dropping tasks.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from schouders.errors import DataFileError

DATA_DIR = Path(__file__).parent / "data"
REGISTER_PATH = DATA_DIR / "apk_register.toml"
TASK_CODE = re.compile(r"^[a-z0-9][a-z0-9-]*$")

OBLIGATIONS = {"plicht": "wettelijke plicht", "bevoegdheid": "bevoegdheid", "afspraak": "afspraak"}
STATUSES = {
    "geldend": "geldend recht",
    "overgangsrecht": "overgangsrecht",
    "gefaseerd": "gefaseerde inwerkingtreding",
    "aangenomen": "aangenomen, nog niet in werking",
}


@dataclass(frozen=True)
class Domain:
    code: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class Role:
    code: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class LegalBasis:
    law: str
    article: str = ""

    def text(self) -> str:
        return f"{self.law}, {self.article}" if self.article else self.law


@dataclass(frozen=True)
class Task:
    code: str
    name: str
    domain: str
    dossier: str
    roles: tuple[str, ...]
    obligation: str
    status: str
    description: str
    legal_basis: tuple[LegalBasis, ...]
    custom: bool = False

    def legal_basis_text(self) -> str:
        return "; ".join(basis.text() for basis in self.legal_basis)


@dataclass(frozen=True)
class Register:
    version: str
    reference_date: str
    title: str
    domains: dict[str, Domain]
    roles: dict[str, Role]
    tasks: tuple[Task, ...]
    source: str = field(default="", compare=False)

    def task(self, code: str) -> Task | None:
        return next((task for task in self.tasks if task.code == code), None)

    def tasks_in(self, domains: list[str] | tuple[str, ...]) -> list[Task]:
        return [task for task in self.tasks if task.domain in domains]


def load_register(path: Path | str | None = None) -> Register:
    """The register at ``path``, or the shipped register (cached)."""
    if path is None:
        return _shipped_register()
    return _read(Path(path))


@lru_cache(maxsize=1)
def _shipped_register() -> Register:
    return _read(REGISTER_PATH)


def _read(path: Path) -> Register:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataFileError(path, "bestand niet gevonden") from None
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(path, f"geen geldige TOML: {exc}") from None
    return parse_register(data, str(path))


def parse_register(data: dict[str, Any], source: str = "<register>") -> Register:
    if data.get("schema") != 1:
        raise DataFileError(source, "onbekende schemaversie", expected="schema = 1")
    version = _text(data, "versie", source, "kop")
    domains = {
        item["code"]: Domain(item["code"], item["naam"], item.get("omschrijving", ""))
        for item in _entries(data, "domeinen", ("code", "naam"), source)
    }
    roles = {
        item["code"]: Role(item["code"], item["naam"], item.get("omschrijving", ""))
        for item in _entries(data, "rollen", ("code", "naam"), source)
    }
    tasks: list[Task] = []
    seen: set[str] = set()
    required = (
        "code", "naam", "domein", "dossier", "rollen", "verplichting", "status", "grondslag"
    )
    for index, item in enumerate(_entries(data, "taken", required, source)):
        where = f"taken[{index}] ({item['code']})"
        if not TASK_CODE.match(str(item["code"])):
            raise DataFileError(source, "ongeldige taakcode", location=where,
                                expected="kleine letters, cijfers en '-'")
        if item["code"] in seen:
            raise DataFileError(
                source, f"taakcode {item['code']!r} komt dubbel voor", location=where
            )
        seen.add(item["code"])
        if item["domein"] not in domains:
            raise DataFileError(source, f"onbekend domein {item['domein']!r}", location=where)
        unknown_roles = [role for role in item["rollen"] if role not in roles]
        if not item["rollen"] or unknown_roles:
            raise DataFileError(
                source, f"ongeldige rollen {item['rollen']!r}", location=where,
                expected="een of meer van " + ", ".join(roles),
            )
        if item["verplichting"] not in OBLIGATIONS:
            raise DataFileError(
                source, f"onbekende verplichting {item['verplichting']!r}", location=where,
                expected=" | ".join(OBLIGATIONS),
            )
        if item["status"] not in STATUSES:
            raise DataFileError(
                source, f"onbekende status {item['status']!r}", location=where,
                expected=" | ".join(STATUSES),
            )
        bases = item["grondslag"]
        if not bases or not all(isinstance(basis, dict) and basis.get("wet") for basis in bases):
            raise DataFileError(
                source, "elke taak heeft ten minste één grondslag met een wet", location=where
            )
        tasks.append(
            Task(
                code=item["code"],
                name=item["naam"],
                domain=item["domein"],
                dossier=item["dossier"],
                roles=tuple(item["rollen"]),
                obligation=item["verplichting"],
                status=item["status"],
                description=item.get("omschrijving", ""),
                legal_basis=tuple(
                    LegalBasis(basis["wet"], basis.get("artikel", "")) for basis in bases
                ),
            )
        )
    return Register(
        version=version,
        reference_date=str(data.get("peildatum", "")),
        title=str(data.get("titel", "")),
        domains=domains,
        roles=roles,
        tasks=tuple(tasks),
        source=source,
    )


def _text(data: dict[str, Any], key: str, source: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise DataFileError(source, f"'{key}' ontbreekt of is leeg", location=where)
    return value


def _entries(
    data: dict[str, Any], key: str, required: tuple[str, ...], source: str
) -> list[dict[str, Any]]:
    entries = data.get(key)
    if not isinstance(entries, list) or not entries:
        raise DataFileError(source, f"lijst [[{key}]] ontbreekt of is leeg")
    for index, entry in enumerate(entries):
        missing = [name for name in required if name not in entry]
        if missing:
            raise DataFileError(
                source, "verplichte velden ontbreken: " + ", ".join(missing),
                location=f"{key}[{index}]",
            )
    return entries
