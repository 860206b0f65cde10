"""Which taakvelden make up the physical, social and other domains (data in domeinen.toml)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from schouders.errors import SchoudersError
from schouders.indicators.tomlfile import packaged, read_toml, require, string_list

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
TAAKVELD_PATTERN = re.compile(r"^\d(\.\d{1,3}[a-z]?)?$")
NOT_SPENDING = ("0.10", "0.11")


@dataclass(frozen=True)
class Domain:
    code: str
    naam: str
    name: str
    beschrijving: str
    taakvelden: tuple[str, ...]


@dataclass(frozen=True)
class Domains:
    domains: dict[str, Domain]
    source: str

    def get(self, code: str, where: str) -> Domain:
        if code not in self.domains:
            known = ", ".join(sorted(self.domains))
            raise SchoudersError(f"{where}: onbekend domein '{code}'.",
                                 f"Bekende domeinen (uit {self.source}): {known}.")
        return self.domains[code]

    def domain_of(self, taakveld: str) -> list[str]:
        """The domains whose entries cover an official taakveld code (should be exactly one)."""
        return [domain.code for domain in self.domains.values()
                if any(covers(entry, taakveld) for entry in domain.taakvelden)]


def covers(entry: str, code: str) -> bool:
    """Whether a domain entry ('6' or '5.7') covers a taakveld code ('6.71', '5.7', '6.711')."""
    if code in NOT_SPENDING:
        return False
    if entry.isdigit():
        return code == entry or code.startswith(entry + ".")
    return code == entry or code.startswith(entry)


def load_domains(path: Path | None = None) -> Domains:
    path = path or packaged("domeinen.toml")
    data = read_toml(path)
    tables = data.get("domein")
    if not isinstance(tables, dict) or not tables:
        raise SchoudersError(f"{path}: geen [domein.NAAM]-tabellen gevonden.")
    domains: dict[str, Domain] = {}
    for code, entry in tables.items():
        where = f"{path}: domein '{code}'"
        if not NAME_PATTERN.match(code):
            raise SchoudersError(f"{where}: de naam mag alleen kleine letters, cijfers en _ "
                                 "bevatten.")
        taakvelden = string_list(entry, "taakvelden", where, required=True)
        for taakveld in taakvelden:
            if not TAAKVELD_PATTERN.match(taakveld) or taakveld in NOT_SPENDING:
                raise SchoudersError(
                    f"{where}: '{taakveld}' is geen bruikbare taakveldcode.",
                    "Gebruik een hoofdtaakveld ('2') of een taakveld ('5.7'); 0.10 en 0.11 zijn "
                    "geen lasten en horen in geen domein.")
        domains[code] = Domain(code, require(entry, "naam", where), require(entry, "name", where),
                               require(entry, "beschrijving", where), taakvelden)
    _check_overlap(domains, path)
    return Domains(domains, str(path))


def _check_overlap(domains: dict[str, Domain], path: Path) -> None:
    entries = [(domain.code, entry) for domain in domains.values() for entry in domain.taakvelden]
    for index, (first_domain, first) in enumerate(entries):
        for second_domain, second in entries[index + 1:]:
            if covers(first, second) or covers(second, first):
                raise SchoudersError(
                    f"{path}: taakveld {first} ({first_domain}) en {second} ({second_domain}) "
                    "overlappen; elk taakveld mag in precies één domein vallen.")
