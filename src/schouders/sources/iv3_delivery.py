"""Read one municipality's own Iv3 JSON delivery: the file it sends to CBS.

A municipality can load its draft budget or accounts before CBS publishes them. The file is checked
the way CBS checks it, using CBS's own published definitions (``cbs_iv3_definities/``), never a
hard-coded list:

1. it must be readable UTF-8 JSON (syntax errors are reported with line and column);
2. it must satisfy the official JSON schema of its version (``iv3_data_schema_v*.json``);
3. every code must be in the code list of the delivery's boekjaar
   (``iv3_definities_Gemeente_<jaar>.json``), and a code from another year's list says so;
4. no amount may sit on a forbidden taakveld × categorie cell ("grijze cel") of that year.

Every problem is a :class:`~schouders.errors.DataFileError` naming the file, the JSON path of the
field (``data.lasten[3].categorie``) and its line. See ``docs/iv3_delivery.md``.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import jsonschema
import pandas as pd

from schouders.errors import DataFileError

SCHEMA_GLOB = "iv3_data_schema_v*.json"
DEFINITIONS_GLOB = "iv3_definities_Gemeente_*.json"
MAX_REPORTED = 5
DELIVERY_HINT = (
    "Herstel het bestand (of de Iv3-export in het financiële pakket) en lees het opnieuw in; "
    "het warehouse is niet gewijzigd."
)
DEFINITIONS_HINT = (
    "Geef de map cbs_iv3_definities op met de CBS-bestanden iv3_data_schema_v*.json en "
    "iv3_definities_Gemeente_<jaar>.json (github.com/statistiekcbs/iv3_definities)."
)

#: metadata.periode -> (document, expected metadata.status). Periods 1-4 are quarterly figures.
DOCUMENTS: dict[int, tuple[str, str]] = {
    0: ("begroting", "Begroting"), 5: ("jaarrekening", "Realisatie"),
}

#: Where a delivery may declare its schema version. The official schemas have no such field and
#: forbid unknown keys, so these keys are removed before validation (see docs/iv3_delivery.md).
VERSION_KEYS: tuple[tuple[str, ...], ...] = (
    ("$schema",), ("schema_versie",), ("metadata", "schema_versie"),
)

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class Iv3Delivery:
    """A validated Iv3 delivery of one municipality, one boekjaar and one document."""

    path: Path
    gm_code: str  # 'GM0363'
    jaar: int
    document: str  # 'begroting' | 'jaarrekening'
    schema_version: str
    facts: pd.DataFrame  # taakveld, categorie, kant ('lasten'|'baten'), bedrag (x 1000 euro)
    balans: pd.DataFrame  # balanscode, standper, bedrag (x 1000 euro)
    beleidsindicatoren: pd.DataFrame  # code, waarde (bi.1..bi.5 of the delivery's own period)
    sha256: str


# --------------------------------------------------------------------------------------------
# Problems and where they are in the file


@dataclass(frozen=True)
class _Problem:
    path: PathKey
    message: str
    expected: str | None = None
    cbs_code: str | None = None

    @property
    def text(self) -> str:
        return self.message + (f" [CBS-foutcode {self.cbs_code}]" if self.cbs_code else "")


def json_path(path: PathKey) -> str:
    """``('data', 'lasten', 3, 'categorie')`` -> ``data.lasten[3].categorie``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            out += f".{part}" if out else part
        else:
            out += f"[{json.dumps(part, ensure_ascii=False)}]"
    return out or "(hoofdniveau)"


@dataclass
class _Layout:
    """Line of every JSON path in a document, plus duplicate keys and NaN/Infinity literals."""

    lines: dict[PathKey, int]
    duplicates: list[tuple[PathKey, int]]
    constants: list[tuple[PathKey, int, str]]

    def line(self, path: PathKey) -> int | None:
        """Line of ``path``, or of its nearest ancestor that is in the file."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+', re.DOTALL)


def _layout(text: str) -> _Layout:
    """Scan JSON text (already known to parse, or nearly) and note where each value starts."""
    newlines = [match.start() for match in re.finditer("\n", text)]
    layout = _Layout({}, [], [])
    # frame: [container path, 'obj'|'arr', current key or index, expecting a key, keys seen]
    stack: list[list[Any]] = []
    try:
        for match in _TOKEN.finditer(text):
            token = match.group()
            line = bisect.bisect_left(newlines, match.start()) + 1
            top = stack[-1] if stack else None
            if token == ",":
                if top is not None and top[1] == "arr":
                    top[2] += 1
                elif top is not None:
                    top[3] = True
                continue
            if token == ":":
                continue
            if token in ("}", "]"):
                if stack:
                    stack.pop()
                continue
            if top is not None and top[1] == "obj" and top[3]:
                key = json.loads(token) if token.startswith('"') else token
                top[2], top[3] = key, False
                key_path = (*top[0], key)
                if key in top[4]:
                    layout.duplicates.append((key_path, line))
                top[4].add(key)
                layout.lines.setdefault(key_path, line)
                continue
            path: PathKey = () if top is None else (*top[0], top[2])
            layout.lines.setdefault(path, line)
            if token in ("NaN", "Infinity", "-Infinity") or _overflows(token):
                layout.constants.append((path, line, token))
            if token == "{":
                stack.append([path, "obj", None, True, set()])
            elif token == "[":
                stack.append([path, "arr", 0, False, set()])
    except (ValueError, IndexError, TypeError):  # a best effort: positions are a courtesy
        pass
    return layout


def _fail(file: Path, title: str, problems: list[_Problem], layout: _Layout | None) -> NoReturn:
    """Raise one DataFileError for the first few problems, in file order."""
    seen: set[tuple[PathKey, str]] = set()
    unique: list[_Problem] = []
    for problem in problems:
        if (problem.path, problem.message) not in seen:
            seen.add((problem.path, problem.message))
            unique.append(problem)

    def line(problem: _Problem) -> int | None:
        return layout.line(problem.path) if layout else None

    order = {id(p): n for n, p in enumerate(unique)}
    unique.sort(key=lambda p: (line(p) or 0, order[id(p)]))

    def where(problem: _Problem) -> str:
        number = line(problem)
        return json_path(problem.path) + (f", regel {number}" if number else "")

    first = unique[0]
    if len(unique) == 1:
        raise DataFileError(
            file, f"{title}: {first.text}", location=where(first), expected=first.expected,
            hint=DELIVERY_HINT,
        )
    shown = unique[:MAX_REPORTED]
    lines = [
        f"- {where(p)}: {p.text}" + (f" (verwacht: {p.expected})" if p.expected else "")
        for p in shown
    ]
    if len(unique) > len(shown):
        lines.append(f"- ... en nog {len(unique) - len(shown)} andere fout(en)")
    raise DataFileError(
        file, f"{title}: {len(unique)} fouten" + (
            f", de eerste {len(shown)}" if len(shown) < len(unique) else ""
        ) + ":\n" + "\n".join(lines),
        location=where(first), hint=DELIVERY_HINT,
    )


# --------------------------------------------------------------------------------------------
# Reading the file


class _ConstantError(ValueError):
    pass


class _DuplicateKeyError(ValueError):
    pass


def _reject_constant(name: str) -> Any:
    raise _ConstantError(name)


def _finite_float(text: str) -> float:
    """A JSON number as float; one too large for a float (1e400 -> inf) is refused."""
    value = float(text)
    if not math.isfinite(value):
        raise _ConstantError(text)
    return value


def _finite_int(text: str) -> int:
    """A JSON integer; one beyond the float range (it would become inf) is refused."""
    value = int(text)
    if abs(value) > 1e308:
        raise _ConstantError(text)
    return value


def _overflows(token: str) -> bool:
    if not token[:1].isdigit() and not token.startswith("-"):
        return False
    try:
        return not math.isfinite(float(token))
    except ValueError:
        return False


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _DuplicateKeyError
    return result


_JSON_MESSAGES: tuple[tuple[str, str], ...] = (
    ("Expecting value", "hier werd een waarde verwacht"),
    (
        "Expecting ',' delimiter",
        "hier ontbreekt een komma ',' (vaak aan het eind van de vorige regel)",
    ),
    ("Expecting ':' delimiter", "hier ontbreekt een dubbele punt ':'"),
    (
        "Expecting property name enclosed in double quotes",
        "hier werd een veldnaam tussen dubbele aanhalingstekens verwacht "
        "(of staat er een komma te veel vóór '}')",
    ),
    ("Unterminated string", "een tekst is niet afgesloten met een dubbel aanhalingsteken"),
    ("Invalid control character", "ongeldig stuurteken (zoals tab of regeleinde) in een tekst"),
    ("Invalid \\escape", "ongeldige escape-reeks (backslash) in een tekst"),
    ("Invalid \\uXXXX escape", "ongeldige \\u-escape in een tekst"),
    ("Extra data", "extra tekens na het einde van het JSON-document"),
    ("Illegal trailing comma", "komma te veel vóór het einde van een object of lijst"),
)


def _parse(file: Path, raw: bytes) -> tuple[str, Any]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataFileError(
            file, "bestand is geen geldige UTF-8-tekst", location=f"regel {line}, byte {exc.start}",
            expected="een JSON-bestand in UTF-8", hint=DELIVERY_HINT,
        ) from exc
    if not text.strip():
        raise DataFileError(file, "bestand is leeg", expected="een Iv3-levering in JSON",
                            hint=DELIVERY_HINT)
    try:
        document = json.loads(
            text, parse_constant=_reject_constant, parse_float=_finite_float,
            parse_int=_finite_int,
            object_pairs_hook=_object_without_duplicates,
        )
    except json.JSONDecodeError as exc:
        message = next((nl for en, nl in _JSON_MESSAGES if exc.msg.startswith(en)), exc.msg)
        raise DataFileError(
            file, f"ongeldige JSON: {message}", location=f"regel {exc.lineno}, kolom {exc.colno}",
            hint=DELIVERY_HINT,
        ) from exc
    except _ConstantError as exc:
        layout = _layout(text)
        path, _, token = layout.constants[0] if layout.constants else ((), 0, str(exc))
        _fail(file, "ongeldige JSON", [_Problem(
            path, f"{token} is geen geldig JSON-getal", expected="een eindig getal",
        )], layout)
    except _DuplicateKeyError:
        layout = _layout(text)
        path = layout.duplicates[0][0] if layout.duplicates else ()
        _fail(file, "ongeldige JSON", [_Problem(
            path, f"veld {path[-1] if path else ''!r} komt twee keer voor in hetzelfde object",
            expected="elke veldnaam één keer per object",
        )], layout)
    return text, document


# --------------------------------------------------------------------------------------------
# Schemas and code lists (CBS's files, cached per file version)


def _file_key(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path), stat.st_mtime_ns, stat.st_size


@functools.lru_cache(maxsize=64)
def _load_json_cached(key: tuple[str, int, int]) -> Any:
    path = Path(key[0])
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataFileError(path, f"CBS-definitiebestand kan niet gelezen worden: {exc}",
                            hint=DEFINITIONS_HINT) from exc


def _load_json(path: Path) -> Any:
    return _load_json_cached(_file_key(path))


def _version_tuple(version: str) -> tuple[int, ...]:
    parts = [int(part) for part in re.split(r"[._]", version)]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def available_schemas(definitions_dir: Path) -> dict[str, Path]:
    """Schema version ('2.1.1') -> file, from the iv3_data_schema_v*.json files CBS published."""
    found: dict[str, Path] = {}
    for folder in (definitions_dir, definitions_dir / "json"):
        for path in sorted(folder.glob(SCHEMA_GLOB)):
            match = re.fullmatch(r"iv3_data_schema_v(\d+(?:_\d+)*)\.json", path.name)
            if match:
                found.setdefault(match.group(1).replace("_", "."), path)
    return dict(sorted(found.items(), key=lambda item: _version_tuple(item[0])))


def available_years(definitions_dir: Path) -> list[int]:
    years = []
    for path in definitions_dir.glob(DEFINITIONS_GLOB):
        match = re.fullmatch(r"iv3_definities_Gemeente_(\d{4})\.json", path.name)
        if match:
            years.append(int(match.group(1)))
    return sorted(years)


#: code list -> how a user calls one of its codes
LIST_NAMES = {
    "taakveld": "taakveld", "categorie_lasten": "lastencategorie",
    "categorie_baten": "batencategorie", "balanscode": "balanscode", "standper": "standper",
    "kengetallen": "kengetal", "beleidsindicatoren": "beleidsindicator",
    "verslagperiode": "verslagperiode",
}
_CBS_CODE_ERRORS = {
    "taakveld": "DF001", "categorie_lasten": "DF002", "categorie_baten": "DF002",
    "balanscode": "DF003", "standper": "DF004", "kengetallen": "DF005",
    "beleidsindicatoren": "DF006", "verslagperiode": "DF007",
}
#: data section -> (field, code list) pairs; the first two make the grijze-cellen key
SECTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "lasten": (("taakveld", "taakveld"), ("categorie", "categorie_lasten")),
    "baten": (("taakveld", "taakveld"), ("categorie", "categorie_baten")),
    "balans_lasten": (("balanscode", "balanscode"), ("categorie", "categorie_lasten")),
    "balans_baten": (("balanscode", "balanscode"), ("categorie", "categorie_baten")),
    "balans_standen": (("balanscode", "balanscode"), ("standper", "standper")),
    "kengetallen": (("verslagperiode", "verslagperiode"), ("kengetal", "kengetallen")),
    "beleidsindicatoren": (
        ("verslagperiode", "verslagperiode"), ("beleidsindicator", "beleidsindicatoren"),
    ),
}
GREY_SECTIONS = ("lasten", "baten", "balans_lasten", "balans_baten")


@dataclass(frozen=True)
class CodeLists:
    """Code lists and grijze cellen of one boekjaar (iv3_definities_Gemeente_<jaar>.json)."""

    jaar: int
    path: Path
    leaves: dict[str, dict[str, str]]  # list -> code -> omschrijving (codes one can book on)
    totals: dict[str, dict[str, str]]  # list -> code -> omschrijving (headings and totals)
    grey: dict[str, frozenset[tuple[str, str]]]  # section -> {(taakveld|balanscode, categorie)}


def _walk(nodes: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], bool]]:
    for node in nodes:
        children = node.get("subcodes") or []
        yield node, not children
        yield from _walk(children)


@functools.lru_cache(maxsize=32)
def _code_lists_cached(key: tuple[str, int, int], jaar: int) -> CodeLists:
    path = Path(key[0])
    definitions = _load_json_cached(key)
    try:
        leaves: dict[str, dict[str, str]] = {}
        totals: dict[str, dict[str, str]] = {}
        for name, body in definitions["codelijsten"].items():
            if name not in LIST_NAMES:
                continue
            leaves[name], totals[name] = {}, {}
            for node, is_leaf in _walk(body["codelijst"]):
                target = leaves[name] if is_leaf else totals[name]
                target[str(node["code"]).strip()] = str(node.get("omschrijving", "")).strip()
        grey: dict[str, frozenset[tuple[str, str]]] = {}
        for section in GREY_SECTIONS:
            first_field = SECTIONS[section][0][0]
            grey[section] = frozenset(
                (str(cell[first_field]).strip(), str(cell["categorie"]).strip())
                for cell in definitions.get("grijze_cellen", {}).get(section, [])
            )
    except (KeyError, TypeError, AttributeError) as exc:
        raise DataFileError(path, f"onverwachte opbouw van het CBS-definitiebestand ({exc!r})",
                            hint=DEFINITIONS_HINT) from exc
    return CodeLists(jaar=jaar, path=path, leaves=leaves, totals=totals, grey=grey)


def code_lists(definitions_dir: Path, jaar: int) -> CodeLists:
    """The official Gemeente code lists of ``jaar``; DataFileError if CBS has none here."""
    path = Path(definitions_dir) / f"iv3_definities_Gemeente_{jaar}.json"
    if not path.is_file():
        raise DataFileError(path, "CBS-definitiebestand ontbreekt", hint=DEFINITIONS_HINT)
    return _code_lists_cached(_file_key(path), jaar)


def _year_ranges(years: list[int]) -> str:
    """[2017, 2018, 2019, 2023] -> '2017–2019, 2023'."""
    ranges: list[list[int]] = []
    for year in sorted(set(years)):
        if ranges and year == ranges[-1][1] + 1:
            ranges[-1][1] = year
        else:
            ranges.append([year, year])
    return ", ".join(f"{a}–{b}" if a != b else f"{a}" for a, b in ranges)


# --------------------------------------------------------------------------------------------
# Schema validation


_TYPE_NAMES = {
    "number": "een getal", "integer": "een geheel getal",
    "string": "tekst (tussen aanhalingstekens)",
    "object": "een object { }", "array": "een lijst [ ]", "boolean": "true of false",
    "null": "null",
}


def _type_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "een getal"
    if isinstance(value, str):
        return "tekst"
    if isinstance(value, list):
        return "een lijst"
    if isinstance(value, dict):
        return "een object"
    return "null"


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def _structure_code(validator: str, path: PathKey, field: str | None) -> str | None:
    """The CBS error code (fouten.json) for a structural problem, where CBS defines one."""
    top = path[0] if path else None
    if validator == "required":
        if not path:
            return {"metadata": "SF001", "contact": "SF005", "data": "SF010"}.get(field or "")
        if path == ("data",):
            return {"baten": "SF011", "lasten": "SF012", "balans_baten": "SF013",
                    "balans_lasten": "SF014", "balans_standen": "SF015"}.get(field or "")
        if top == "metadata":
            return "SF002"
        if top == "contact":
            return "SF006"
        if top == "data":
            return "SF017" if field == "bedrag" else "SF016"
        return None
    if validator == "additionalProperties":
        return {"metadata": "SF003", "contact": "SF007"}.get(str(top))
    if top == "metadata":
        return "SF004"
    if top == "contact":
        return "SF009" if validator == "pattern" and path[-1:] == ("naam",) else "SF008"
    return None


_PATTERN_EXPECTED = {
    "email": "een e-mailadres zoals p.afzender@gemeente.nl",
    "e-mail": "een e-mailadres zoals p.afzender@gemeente.nl",
    "naam": "een niet-lege naam",
    "datum": "datum en tijd zoals 2024-11-14T10:30:00",
}


def _describe(error: jsonschema.ValidationError) -> list[_Problem]:
    """Turn one jsonschema error into Dutch problems with the JSON path of the offending field."""
    path: PathKey = tuple(error.absolute_path)
    kind = str(error.validator)
    if kind in ("oneOf", "anyOf", "allOf") and error.context:
        return _describe(jsonschema.exceptions.best_match(error.context))
    if kind == "required":
        instance = error.instance if isinstance(error.instance, dict) else {}
        missing = [key for key in error.validator_value if key not in instance]
        return [
            _Problem((*path, key), "verplicht veld ontbreekt",
                     cbs_code=_structure_code(kind, path, key))
            for key in missing
        ]
    if kind == "additionalProperties":
        instance = error.instance if isinstance(error.instance, dict) else {}
        allowed = list(error.schema.get("properties", {}))
        return [
            _Problem((*path, key), "onbekend veld",
                     expected="een van de velden " + ", ".join(allowed) if allowed else None,
                     cbs_code=_structure_code(kind, path, key))
            for key in instance if key not in allowed
        ]
    code = _structure_code(kind, path, None)
    if kind == "type":
        types = error.validator_value if isinstance(error.validator_value, list) \
            else [error.validator_value]
        expected = " of ".join(_TYPE_NAMES.get(str(t), str(t)) for t in types)
        return [_Problem(path, f"waarde {_short(error.instance)} is {_type_of(error.instance)}",
                         expected=expected, cbs_code=code)]
    if kind == "enum":
        options = ", ".join(_short(option) for option in error.validator_value)
        return [_Problem(path, f"waarde {_short(error.instance)} is niet toegestaan",
                         expected=f"een van {options}", cbs_code=code)]
    if kind == "pattern":
        field = str(path[-1]) if path else ""
        expected = _PATTERN_EXPECTED.get(
            field, f"tekst volgens het patroon {error.validator_value}"
        )
        return [_Problem(path, f"waarde {_short(error.instance)} heeft niet de juiste vorm",
                         expected=expected, cbs_code=code)]
    if kind == "minProperties":
        return [_Problem(path, "bevat te weinig onderdelen",
                         expected=f"minstens {error.validator_value} onderdelen", cbs_code=code)]
    return [_Problem(path, f"voldoet niet aan het schema ({kind}): {error.message}", cbs_code=code)]


def _schema_problems(validator: jsonschema.Draft7Validator, instance: Any) -> list[_Problem]:
    by_path: dict[PathKey, list[jsonschema.ValidationError]] = {}
    for error in validator.iter_errors(instance):
        by_path.setdefault(tuple(error.absolute_path), []).append(error)
    problems: list[_Problem] = []
    for errors in by_path.values():
        # a value of the wrong type also fails its enum/pattern: only say the type is wrong
        typed = [e for e in errors if e.validator == "type"]
        for error in typed or errors:
            problems.extend(_describe(error))
    return problems


def _validator(schema_path: Path) -> jsonschema.Draft7Validator:
    schema = _load_json(schema_path)
    return jsonschema.Draft7Validator(schema)


def _declared_version(document: Any) -> tuple[PathKey, Any] | None:
    found: list[tuple[PathKey, Any]] = []
    for keys in VERSION_KEYS:
        node = document
        for key in keys:
            node = node.get(key) if isinstance(node, dict) else None
        if node is not None:
            found.append((keys, node))
    return found[0] if found else None


def _without_version_keys(document: Any) -> Any:
    if not isinstance(document, dict):
        return document
    instance = {k: v for k, v in document.items() if (k,) not in VERSION_KEYS}
    metadata = instance.get("metadata")
    if isinstance(metadata, dict):
        instance["metadata"] = {
            k: v for k, v in metadata.items() if ("metadata", k) not in VERSION_KEYS
        }
    return instance


def _match_version(declared: Any, versions: list[str]) -> str | None:
    numbers = re.findall(r"\d+(?:[._]\d+)*", str(declared))
    if not numbers:
        return None
    wanted = _version_tuple(numbers[-1])
    exact = [v for v in versions if _version_tuple(v) == wanted]
    if exact:
        return exact[0]
    prefixed = [v for v in versions if _version_tuple(v)[: len(wanted)] == wanted]
    return prefixed[0] if len(prefixed) == 1 else None


def _infer_version(instance: Any, schemas: dict[str, Path]) -> tuple[str, bool]:
    """(version, valid): the newest schema the file satisfies, else the newest whose
    ``metadata.boekjaar`` type (text in 1.x, number in 2.x) the file uses."""
    newest_first = list(reversed(schemas))
    for version in newest_first:
        if _validator(schemas[version]).is_valid(instance):
            return version, True
    metadata = instance.get("metadata") if isinstance(instance, dict) else None
    boekjaar = metadata.get("boekjaar") if isinstance(metadata, dict) else None
    json_type = "string" if isinstance(boekjaar, str) else "number"
    for version in newest_first:
        schema = _load_json(schemas[version])
        declared = (
            schema.get("properties", {}).get("metadata", {}).get("properties", {})
            .get("boekjaar", {}).get("type")
        )
        if declared == json_type:
            return version, False
    return newest_first[0], False


# --------------------------------------------------------------------------------------------
# Metadata


def gm_code_from(value: Any) -> str | None:
    """'0363', '363', 'GM0363' or 'gm363' -> 'GM0363'; None if it is not a municipality number."""
    match = re.fullmatch(r"(?i)\s*(?:GM)?\s*(\d{1,4})\s*", str(value))
    if not match or int(match.group(1)) == 0:
        return None
    return f"GM{int(match.group(1)):04d}"


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value):
        return int(value)
    return None


@dataclass(frozen=True)
class _Meta:
    gm_code: str
    jaar: int
    document: str


def _metadata(file: Path, instance: dict[str, Any], layout: Callable[[], _Layout]) -> _Meta:
    meta = instance["metadata"]
    problems: list[_Problem] = []
    laag = meta.get("overheidslaag")
    if laag != "Gemeente":
        problems.append(_Problem(
            ("metadata", "overheidslaag"),
            f"dit is een levering van overheidslaag {_short(laag)}; Schouders leest alleen "
            "leveringen van gemeenten", expected='"Gemeente"',
        ))
    gm_code = gm_code_from(meta.get("overheidsnummer"))
    if gm_code is None:
        problems.append(_Problem(
            ("metadata", "overheidsnummer"),
            f"{_short(meta.get('overheidsnummer'))} is geen CBS-gemeentenummer",
            expected="een gemeentenummer zoals \"0363\" of \"GM0363\" (wordt GM0363)",
        ))
    jaar = _integer(meta.get("boekjaar"))
    if jaar is None or not 1900 <= jaar <= 2100:
        problems.append(_Problem(("metadata", "boekjaar"),
                                 f"{_short(meta.get('boekjaar'))} is geen boekjaar",
                                 expected="een jaartal zoals 2025"))
    periode = _integer(meta.get("periode"))
    document = None
    if periode in DOCUMENTS:
        document, status = DOCUMENTS[periode]
        if meta.get("status") != status:
            problems.append(_Problem(
                ("metadata", "status"),
                f"status {_short(meta.get('status'))} past niet bij periode {periode} ({document})",
                expected=f'"{status}"',
            ))
    else:
        problems.append(_Problem(
            ("metadata", "periode"),
            f"periode {_short(meta.get('periode'))} is een kwartaallevering; Schouders leest "
            "alleen de begroting (periode 0) en de jaarrekening (periode 5)",
            expected='0 (begroting, status "Begroting") of 5 (jaarrekening, status "Realisatie")',
        ))
    if problems:
        _fail(file, "metadata klopt niet", problems, layout())
    assert gm_code is not None and jaar is not None and document is not None
    return _Meta(gm_code=gm_code, jaar=jaar, document=document)


# --------------------------------------------------------------------------------------------
# Codes and grijze cellen


class _CodeChecker:
    def __init__(self, definitions_dir: Path, lists: CodeLists) -> None:
        self.definitions_dir = definitions_dir
        self.lists = lists
        self._all: dict[int, CodeLists] | None = None

    def all_years(self) -> dict[int, CodeLists]:
        if self._all is None:
            self._all = {
                year: code_lists(self.definitions_dir, year)
                for year in available_years(self.definitions_dir)
            }
        return self._all

    def problem(self, path: PathKey, list_name: str, code: str) -> _Problem | None:
        jaar = self.lists.jaar
        kind = LIST_NAMES[list_name]
        cbs = _CBS_CODE_ERRORS[list_name]
        if list_name not in self.lists.leaves:
            return _Problem(path, f"de Iv3-definities van {jaar} hebben geen codelijst voor {kind}",
                            expected=f"dit onderdeel weglaten voor boekjaar {jaar}", cbs_code=cbs)
        leaves = self.lists.leaves[list_name]
        if code in leaves:
            return None
        suggestions = self.suggestions(list_name, code)
        expected = f"een {kind} uit de codelijst {jaar}" + (
            f", bijvoorbeeld {', '.join(suggestions)}" if suggestions else ""
        )
        if code in self.lists.totals.get(list_name, {}):
            name = self.lists.totals[list_name][code]
            message = (f"code {code} ({name}) is een totaal- of kopregel, geen {kind} waarop "
                       "geboekt kan worden")
            return _Problem(path, message, expected=expected, cbs_code=cbs)
        other = {"categorie_lasten": "categorie_baten", "categorie_baten": "categorie_lasten"}
        twin = other.get(list_name)
        if twin and code in self.lists.leaves.get(twin, {}):
            message = (f"code {code} ({self.lists.leaves[twin][code]}) is een {LIST_NAMES[twin]}, "
                       f"geen {kind}")
            return _Problem(path, message, expected=expected, cbs_code=cbs)
        years = [
            y for y, lists in self.all_years().items() if code in lists.leaves.get(list_name, {})
        ]
        if years:
            message = (f"code {code} hoort bij de codelijst van {_year_ranges(years)}, "
                       f"niet bij {jaar}: de codelijst past niet bij het boekjaar")
        else:
            span = _year_ranges(list(self.all_years()))
            message = (f"{kind} code {_short(code)} staat niet in de codelijst van {jaar} "
                       f"(en in geen enkele codelijst {span})")
        return _Problem(path, message, expected=expected, cbs_code=cbs)

    def suggestions(self, list_name: str, code: str) -> list[str]:
        leaves = self.lists.leaves.get(list_name, {})
        found = [c for c in leaves if c.casefold() == code.casefold()]
        if len(code) >= 3:
            found += [c for c in leaves if c.startswith(code)]
        names = {
            lists.leaves.get(list_name, {}).get(code, "").casefold()
            for lists in self.all_years().values()
        } - {""}
        found += [c for c, name in leaves.items() if name.casefold() in names]
        return list(dict.fromkeys(found))[:6]

    def grey_problem(self, path: PathKey, section: str, first: str, categorie: str) -> _Problem:
        jaar = self.lists.jaar
        first_field = SECTIONS[section][0][0]
        list_name = SECTIONS[section][1][1]
        grey = self.lists.grey[section]
        allowed = [c for c in self.lists.leaves[list_name] if (first, c) not in grey]
        kind = LIST_NAMES[list_name]
        message = (f"{first_field} {first} × categorie {categorie} is een grijze cel in {jaar}: "
                   "deze combinatie is niet toegestaan")
        if not allowed:
            message += f" ({first_field} {first} kent in {jaar} geen enkele toegestane {kind})"
            others = [c for c in self.suggestions(SECTIONS[section][0][1], first) if c != first]
            return _Problem(path, message, expected=f"een ander {first_field}" + (
                f", bijvoorbeeld {', '.join(others)}" if others else ""
            ))
        shown = ", ".join(allowed[:12]) + (", ..." if len(allowed) > 12 else "")
        return _Problem(
            path, message, expected=f"een {kind} die bij {first_field} {first} mag: {shown}"
        )


def _check_codes(checker: _CodeChecker, data: dict[str, Any]) -> list[_Problem]:
    problems: list[_Problem] = []
    for section, fields in SECTIONS.items():
        seen: dict[tuple[str, ...], PathKey] = {}
        for index, item in enumerate(data.get(section) or []):
            base: PathKey = ("data", section, index)
            codes = tuple(str(item[field]).strip() for field, _ in fields)
            bad = [
                p for (field, list_name), code in zip(fields, codes, strict=True)
                if (p := checker.problem((*base, field), list_name, code)) is not None
            ]
            problems.extend(bad)
            if bad:
                continue
            if section in GREY_SECTIONS and codes in checker.lists.grey[section] \
                    and item.get("bedrag") != 0:
                problems.append(checker.grey_problem(base, section, *codes))
            if codes in seen:
                described = " × ".join(
                    f"{field} {code}" for (field, _), code in zip(fields, codes, strict=True)
                )
                problems.append(_Problem(
                    base, f"dubbele regel: {described} staat ook op {json_path(seen[codes])}",
                    expected="elke combinatie één keer per onderdeel",
                ))
            else:
                seen[codes] = base
    return problems


# --------------------------------------------------------------------------------------------
# The frames


def _number(text: str) -> float | None:
    """'7,5' / '7.5' / '1.234,5' / '12%' -> float; '' -> nan; None if it is not a number."""
    value = text.strip().removesuffix("%").strip()
    if value == "":
        return float("nan")
    if "," in value:
        value = value.replace(".", "").replace(",", ".")
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", value):
        return None
    return float(value)


def _frames(data: dict[str, Any], meta: _Meta) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame,
                                                        list[_Problem]]:
    facts = pd.DataFrame(
        [
            (str(item["taakveld"]).strip(), str(item["categorie"]).strip(), kant,
             float(item["bedrag"]))
            for kant in ("lasten", "baten")
            for item in data.get(kant) or []
        ],
        columns=["taakveld", "categorie", "kant", "bedrag"],
    ).astype({"taakveld": object, "categorie": object, "kant": object, "bedrag": "float64"})
    balans = pd.DataFrame(
        [
            (str(item["balanscode"]).strip(), str(item["standper"]).strip(), float(item["bedrag"]))
            for item in data.get("balans_standen") or []
        ],
        columns=["balanscode", "standper", "bedrag"],
    ).astype({"balanscode": object, "standper": object, "bedrag": "float64"})
    own_period = ("Beg_" if meta.document == "begroting" else "Rek_") + str(meta.jaar)
    problems: list[_Problem] = []
    rows: list[tuple[str, float]] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(data.get("beleidsindicatoren") or []):
        if str(item["verslagperiode"]).strip() != own_period:
            continue
        path: PathKey = ("data", "beleidsindicatoren", index)
        code = str(item["beleidsindicator"]).strip()
        value = _number(str(item["waarde"]))
        if value is None:
            problems.append(_Problem(
                (*path, "waarde"), f"waarde {_short(item['waarde'])} is geen getal",
                expected='een getal als tekst, zoals "7,5" of "7.5"',
            ))
            continue
        if code in seen:
            problems.append(_Problem(path, f"dubbele regel: {code} voor {own_period} staat ook op "
                                     f"{json_path(('data', 'beleidsindicatoren', seen[code]))}",
                                     expected="elke beleidsindicator één keer per verslagperiode"))
            continue
        seen[code] = index
        rows.append((code, value))
    indicators = pd.DataFrame(rows, columns=["code", "waarde"]).astype(
        {"code": object, "waarde": "float64"}
    )
    return facts, balans, indicators, problems


# --------------------------------------------------------------------------------------------
# Public entry point


def read_delivery(path: Path | str, definitions_dir: Path) -> Iv3Delivery:
    """Read and validate one municipality's Iv3 JSON delivery (begroting or jaarrekening).

    ``definitions_dir`` is CBS's ``cbs_iv3_definities`` folder. Raises DataFileError (in Dutch,
    naming the file, the JSON path of the field and its line) on the first kind of problem found.
    Amounts are returned as delivered, in thousands of euros (the Iv3 unit).
    """
    file = Path(path)
    definitions_dir = Path(definitions_dir)
    if not file.is_file():
        raise DataFileError(file, "bestand ontbreekt", expected="een Iv3-levering in JSON")
    if not definitions_dir.is_dir():
        raise DataFileError(definitions_dir, "map met CBS Iv3-definities ontbreekt",
                            hint=DEFINITIONS_HINT)
    raw = file.read_bytes()
    sha256 = hashlib.sha256(raw).hexdigest()
    text, document = _parse(file, raw)
    layout_cache: list[_Layout] = []

    def layout() -> _Layout:
        if not layout_cache:
            layout_cache.append(_layout(text))
        return layout_cache[0]

    schemas = available_schemas(definitions_dir)
    if not schemas:
        raise DataFileError(definitions_dir, f"geen Iv3-dataschema's ({SCHEMA_GLOB}) gevonden",
                            hint=DEFINITIONS_HINT)
    supported = ", ".join(schemas)
    declared = _declared_version(document)
    instance = _without_version_keys(document)
    if declared is not None:
        key, value = declared
        version = _match_version(value, list(schemas))
        if version is None:
            _fail(file, "onbekende schemaversie", [_Problem(
                key, f"schemaversie {_short(value)} wordt niet ondersteund",
                expected=f"een van de ondersteunde versies {supported}",
            )], layout())
        how = f"Iv3-dataschema {version}"
        valid = False
    else:
        version, valid = _infer_version(instance, schemas)
        how = f"Iv3-dataschema {version} (geen versie opgegeven; afgeleid uit het bestand)"
    problems = [] if valid else _schema_problems(_validator(schemas[version]), instance)
    if problems:
        _fail(file, f"voldoet niet aan het {how}", problems, layout())

    meta = _metadata(file, instance, layout)
    if not (definitions_dir / f"iv3_definities_Gemeente_{meta.jaar}.json").is_file():
        years = available_years(definitions_dir)
        _fail(file, "geen Iv3-codelijst voor dit boekjaar", [_Problem(
            ("metadata", "boekjaar"),
            f"er is geen CBS-definitiebestand iv3_definities_Gemeente_{meta.jaar}.json in "
            f"{definitions_dir}",
            expected=f"een boekjaar met CBS-codelijst: {_year_ranges(years) or 'geen gevonden'}",
        )], layout())
    checker = _CodeChecker(definitions_dir, code_lists(definitions_dir, meta.jaar))
    data = instance["data"]
    problems = _check_codes(checker, data)
    if problems:
        _fail(file, f"codes kloppen niet met de Iv3-codelijst {meta.jaar}", problems, layout())
    facts, balans, indicators, problems = _frames(data, meta)
    if problems:
        _fail(file, "beleidsindicatoren kloppen niet", problems, layout())
    return Iv3Delivery(
        path=file, gm_code=meta.gm_code, jaar=meta.jaar, document=meta.document,
        schema_version=version, facts=facts, balans=balans, beleidsindicatoren=indicators,
        sha256=sha256,
    )
