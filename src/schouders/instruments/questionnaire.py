"""The visitatie questionnaire, defined as data in a versioned TOML file.

The current version is ``data/visitatie_vragenlijst.toml``; older versions stay next to it as
``visitatie_vragenlijst_<versie>.toml`` so that every stored round can still be read and scored.
Role and domain codes are the shared vocabulary of the APK register.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from schouders.errors import DataFileError, SchoudersError
from schouders.instruments.register import DATA_DIR, Register, load_register

CURRENT_PATH = DATA_DIR / "visitatie_vragenlijst.toml"


@dataclass(frozen=True)
class Scale:
    minimum: int
    maximum: int
    labels: tuple[str, ...]
    dont_know: str

    def values(self) -> range:
        return range(self.minimum, self.maximum + 1)


@dataclass(frozen=True)
class Factor:
    code: str
    name: str
    description: str


@dataclass(frozen=True)
class Subfactor:
    code: str
    factor: str
    name: str


@dataclass(frozen=True)
class Question:
    code: str
    factor: str
    subfactor: str | None
    role: str | None
    domain: str | None
    text: str
    reverse: bool = False

    def score(self, value: int, scale: Scale) -> int:
        """The score of an answer: reverse-worded statements are mirrored on the scale."""
        return scale.minimum + scale.maximum - value if self.reverse else value


@dataclass(frozen=True)
class Perspective:
    code: str
    name: str
    short: str
    quadrant: str
    description: str


@dataclass(frozen=True)
class Steering:
    explanation: str
    served_labels: tuple[str, ...]
    max_opgaven: int
    example_opgaven: tuple[str, ...]
    perspectives: tuple[Perspective, ...]

    def perspective(self, code: str) -> Perspective | None:
        return next((item for item in self.perspectives if item.code == code), None)


@dataclass(frozen=True)
class Questionnaire:
    version: str
    title: str
    scale: Scale
    factors: tuple[Factor, ...]
    subfactors: tuple[Subfactor, ...]
    questions: tuple[Question, ...]
    steering: Steering
    role_names: dict[str, str]
    domain_names: dict[str, str]

    def question(self, code: str) -> Question | None:
        return next((item for item in self.questions if item.code == code), None)

    def questions_of(self, factor: str) -> list[Question]:
        return [item for item in self.questions if item.factor == factor]

    def roles(self) -> list[str]:
        return list(dict.fromkeys(q.role for q in self.questions if q.role))

    def domains(self) -> list[str]:
        return list(dict.fromkeys(q.domain for q in self.questions if q.domain))


def available_versions() -> dict[str, Path]:
    """Every questionnaire version shipped with the package, by version string."""
    versions: dict[str, Path] = {}
    for path in sorted(DATA_DIR.glob("visitatie_vragenlijst*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        versions[str(data.get("versie"))] = path
    return versions


def load_questionnaire(version: str | None = None) -> Questionnaire:
    """The current questionnaire, or the one with ``version`` (cached)."""
    return _load(version)


@lru_cache(maxsize=8)
def _load(version: str | None) -> Questionnaire:
    if version is None:
        return read_questionnaire(CURRENT_PATH)
    paths = available_versions()
    if version not in paths:
        raise SchoudersError(
            f"Vragenlijstversie {version!r} is niet beschikbaar.",
            "Beschikbaar: " + ", ".join(sorted(paths)),
        )
    return read_questionnaire(paths[version])


def read_questionnaire(path: Path, register: Register | None = None) -> Questionnaire:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataFileError(path, "bestand niet gevonden") from None
    except tomllib.TOMLDecodeError as exc:
        raise DataFileError(path, f"geen geldige TOML: {exc}") from None
    return parse_questionnaire(data, str(path), register or load_register())


def parse_questionnaire(
    data: dict[str, Any], source: str, register: Register
) -> Questionnaire:
    if data.get("schema") != 1:
        raise DataFileError(source, "onbekende schemaversie", expected="schema = 1")
    version = data.get("versie")
    if not isinstance(version, str) or not version:
        raise DataFileError(source, "'versie' ontbreekt")
    scale_data = data.get("schaal") or {}
    try:
        scale = Scale(
            minimum=int(scale_data["min"]),
            maximum=int(scale_data["max"]),
            labels=tuple(scale_data["labels"]),
            dont_know=str(scale_data["weet_niet"]),
        )
    except (KeyError, TypeError, ValueError):
        raise DataFileError(
            source, "[schaal] is onvolledig", expected="min, max, labels, weet_niet"
        ) from None
    if scale.maximum <= scale.minimum or len(scale.labels) != len(scale.values()):
        raise DataFileError(source, "[schaal]: labels passen niet bij min en max")
    factors = tuple(
        Factor(item["code"], item["naam"], item.get("omschrijving", ""))
        for item in data.get("factoren", [])
    )
    factor_codes = {factor.code for factor in factors}
    if not factors:
        raise DataFileError(source, "[[factoren]] ontbreekt")
    subfactors = tuple(
        Subfactor(item["code"], item["factor"], item["naam"])
        for item in data.get("subfactoren", [])
    )
    subfactor_factor = {sub.code: sub.factor for sub in subfactors}
    for sub in subfactors:
        if sub.factor not in factor_codes:
            raise DataFileError(source, f"subfactor {sub.code!r}: onbekende factor {sub.factor!r}")
    questions: list[Question] = []
    seen: set[str] = set()
    for index, item in enumerate(data.get("vragen", [])):
        where = f"vragen[{index}]"
        code = item.get("code")
        if not code or code in seen:
            raise DataFileError(
                source, f"vraagcode ontbreekt of is dubbel: {code!r}", location=where
            )
        seen.add(code)
        question = Question(
            code=code,
            factor=item.get("factor", ""),
            subfactor=item.get("subfactor"),
            role=item.get("rol"),
            domain=item.get("domein"),
            text=item.get("tekst", ""),
            reverse=bool(item.get("omgekeerd", False)),
        )
        problems = []
        if question.factor not in factor_codes:
            problems.append(f"onbekende factor {question.factor!r}")
        if question.subfactor and subfactor_factor.get(question.subfactor) != question.factor:
            problems.append(f"subfactor {question.subfactor!r} hoort niet bij {question.factor!r}")
        if question.role and question.role not in register.roles:
            problems.append(f"onbekende rol {question.role!r}")
        if question.domain and question.domain not in register.domains:
            problems.append(f"onbekend domein {question.domain!r}")
        if not question.text:
            problems.append("tekst ontbreekt")
        if problems:
            raise DataFileError(source, "; ".join(problems), location=f"{where} ({code})")
        questions.append(question)
    if not questions:
        raise DataFileError(source, "[[vragen]] ontbreekt")
    steering = _steering(data.get("sturing") or {}, source, scale)
    return Questionnaire(
        version=version,
        title=str(data.get("titel", "")),
        scale=scale,
        factors=factors,
        subfactors=subfactors,
        questions=tuple(questions),
        steering=steering,
        role_names={code: role.name for code, role in register.roles.items()},
        domain_names={code: domain.name for code, domain in register.domains.items()},
    )


def _steering(data: dict[str, Any], source: str, scale: Scale) -> Steering:
    perspectives = tuple(
        Perspective(
            item["code"], item["naam"], item.get("kort", ""), item.get("kwadrant", ""),
            item.get("omschrijving", ""),
        )
        for item in data.get("perspectieven", [])
    )
    if len(perspectives) < 2:
        raise DataFileError(source, "[sturing] heeft ten minste twee perspectieven nodig")
    labels = tuple(data.get("schaal_bediend", ()))
    if len(labels) != len(scale.values()):
        raise DataFileError(source, "[sturing].schaal_bediend past niet bij [schaal]")
    return Steering(
        explanation=str(data.get("toelichting", "")),
        served_labels=labels,
        max_opgaven=int(data.get("max_opgaven", 5)),
        example_opgaven=tuple(data.get("voorbeeld_opgaven", ())),
        perspectives=perspectives,
    )
