"""Reading a municipality's own Iv3 JSON delivery, checked against CBS's schema and code lists.

Deliveries are built here from the official schema (required keys) with real codes of the 2019,
2024 and 2025 code lists; ``test_test_codes_are_real`` checks those codes against CBS's derived
code-list and grijze-cellen files, so the fixtures cannot drift into invented codes.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from schouders.errors import DataFileError
from schouders.sources.iv3_delivery import (
    Iv3Delivery,
    available_schemas,
    gm_code_from,
    json_path,
    read_delivery,
)

LASTEN_2024 = [
    ("0.4", "1.1", 1200.5), ("0.4", "3.5.1", 150.0), ("6.71a", "3.4.1", 800.0),
    ("6.3", "4.1.1", 2000.0), ("0.10", "7.1", 100.0),
]
BATEN_2024 = [("0.7", "4.3.1", 3500.0), ("0.62", "2.2.1", 400.0), ("6.3", "4.3.1", 250.5),
              ("0.10", "7.1", 100.0)]
LASTEN_2025 = [("0.4", "1.1", 900.0), ("6.711", "3.4.1", 300.0), ("6.751", "3.4.1", 200.0),
               ("8.3", "1.1", 50.0)]
BATEN_2025 = [("0.7", "4.3.1", 1400.0), ("0.62", "2.2.1", 50.0)]
LASTEN_2019 = [("0.4", "1.1", 700.0), ("6.71", "3.4.1", 300.0)]
BATEN_2019 = [("0.7", "4.3.1", 1000.0)]


@pytest.fixture(scope="session")
def definitions_dir(data_dir: Path) -> Path:
    return data_dir / "cbs_iv3_definities"


def rows(entries: list[tuple[str, str, float]], first: str = "taakveld") -> list[dict[str, Any]]:
    return [{first: a, "categorie": b, "bedrag": c} for a, b, c in entries]


def delivery(
    jaar: int = 2024, *, periode: int = 0, status: str = "Begroting", nummer: str = "0363",
    lasten: list[tuple[str, str, float]] | None = None,
    baten: list[tuple[str, str, float]] | None = None,
) -> dict[str, Any]:
    """A complete v2.1.1 delivery (every required key of the official schema)."""
    lasten = LASTEN_2024 if lasten is None else lasten
    baten = BATEN_2024 if baten is None else baten
    period = ("Beg_" if periode == 0 else "Rek_") + str(jaar)
    return {
        "metadata": {
            "overheidslaag": "Gemeente", "overheidsnummer": nummer, "overheidsnaam": "Amsterdam",
            "boekjaar": jaar, "periode": periode, "status": status,
            "datum": f"{jaar - 1}-11-14T10:30:00", "details_openbaar": False,
            "financieel_pakket": "Testpakket 1.0", "export_software": "handwerk",
        },
        "contact": {"naam": "Piet Afzender", "email": "p.afzender@gemeente.nl",
                    "telefoon": "0612345678"},
        "opmerkingen": [{"tekst": "Concept, nog niet vastgesteld", "auteur": "Controller"}],
        "data": {
            "lasten": rows(lasten),
            "baten": rows(baten),
            "balans_lasten": [],
            "balans_baten": [],
            "balans_standen": [
                {"balanscode": "A23", "standper": "1 januari", "bedrag": 50},
                {"balanscode": "P111", "standper": "ultimo", "bedrag": 75},
            ],
            "kengetallen": [{"verslagperiode": period, "kengetal": "fk.1", "waarde": "85"}],
            "beleidsindicatoren": [
                {"verslagperiode": period, "beleidsindicator": "bi.1", "waarde": "7,2"},
                {"verslagperiode": period, "beleidsindicator": "bi.5", "waarde": "9.8"},
                {"verslagperiode": f"Rek_{jaar - 2}", "beleidsindicator": "bi.1", "waarde": "6,9"},
            ],
        },
    }


def delivery_2025_jaarrekening() -> dict[str, Any]:
    doc = delivery(2025, periode=5, status="Realisatie", nummer="GM0014",
                   lasten=LASTEN_2025, baten=BATEN_2025)
    doc["data"]["balans_standen"] = [
        {"balanscode": "A23", "standper": "1-1-2025", "bedrag": 10},
        {"balanscode": "A23", "standper": "31-12-2025", "bedrag": 12.5},
    ]
    doc["data"]["balans_lasten"] = rows([("A121", "3.2", 40.0)], "balanscode")
    doc["data"]["balans_baten"] = rows([("A23", "6.1", 5.0)], "balanscode")
    return doc


def delivery_2019_v1() -> dict[str, Any]:
    """A schema 1.x delivery: boekjaar and periode as text, contact key 'e-mail'."""
    return {
        "metadata": {
            "overheidslaag": "Gemeente", "overheidsnummer": "0014", "overheidsnaam": "Groningen",
            "boekjaar": "2019", "periode": "0", "status": "Begroting",
            "datum": "2018-11-10T09:00:00",
        },
        "contact": {"naam": "Piet Afzender", "e-mail": "p.afzender@gemeente.nl",
                    "telefoon": "0612345678"},
        "data": {"lasten": rows(LASTEN_2019), "baten": rows(BATEN_2019),
                 "balans_standen": [{"balanscode": "A23", "standper": "ultimo", "bedrag": 3}]},
    }


def write(tmp_path: Path, doc: dict[str, Any], name: str = "iv3_gm0363_2024.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


def line_of(path: Path, needle: str, occurrence: int = 0) -> int:
    lines = [n for n, text in enumerate(path.read_text().splitlines(), 1) if needle in text]
    return lines[occurrence]


def fails(path: Path, definitions_dir: Path, *fragments: str) -> str:
    """Assert read_delivery raises DataFileError naming the file and every fragment."""
    with pytest.raises(DataFileError) as info:
        read_delivery(path, definitions_dir)
    message = str(info.value)
    assert path.name in message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in:\n{message}"
    return message


# ---------------------------------------------------------------------------------- the fixtures


def test_test_codes_are_real(data_dir: Path, definitions_dir: Path) -> None:
    lists = pd.read_csv(definitions_dir / "iv3_codelijsten_gemeente_2017_2026.csv", dtype=str)
    grey = pd.read_csv(definitions_dir / "iv3_grijze_cellen_gemeente_2017_2026.csv.gz", dtype=str)
    cases = [
        (2024, "lasten", LASTEN_2024), (2024, "baten", BATEN_2024),
        (2025, "lasten", LASTEN_2025), (2025, "baten", BATEN_2025),
        (2019, "lasten", LASTEN_2019), (2019, "baten", BATEN_2019),
    ]
    for jaar, kant, entries in cases:
        in_year = lists[lists["jaar"] == str(jaar)]
        grey_year = grey[(grey["jaar"] == str(jaar)) & (grey["sectie"] == kant)]
        forbidden = set(zip(grey_year["taakveld"], grey_year["categorie"], strict=True))
        for taakveld, categorie, _ in entries:
            assert taakveld in set(in_year[in_year["codelijst"] == "taakveld"]["code"])
            assert categorie in set(in_year[in_year["codelijst"] == f"categorie_{kant}"]["code"])
            assert (taakveld, categorie) not in forbidden, (jaar, kant, taakveld, categorie)


def test_builder_covers_the_schema(definitions_dir: Path) -> None:
    schema = json.loads((definitions_dir / "iv3_data_schema_v2_1_1.json").read_text())
    doc = delivery()
    assert set(schema["required"]) <= set(doc)
    for part in ("metadata", "contact", "data"):
        assert set(schema["properties"][part]["required"]) <= set(doc[part])


# ---------------------------------------------------------------------------------- valid files


def test_reads_a_2024_begroting(tmp_path: Path, definitions_dir: Path) -> None:
    path = write(tmp_path, delivery())
    result = read_delivery(str(path), definitions_dir)
    assert isinstance(result, Iv3Delivery)
    assert (result.gm_code, result.jaar, result.document) == ("GM0363", 2024, "begroting")
    assert result.schema_version == "2.1.1"
    assert result.path == path
    assert result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert list(result.facts.columns) == ["taakveld", "categorie", "kant", "bedrag"]
    assert len(result.facts) == len(LASTEN_2024) + len(BATEN_2024)
    totals = result.facts.groupby("kant")["bedrag"].sum()
    assert totals["lasten"] == pytest.approx(4250.5)
    assert totals["baten"] == pytest.approx(4250.5)
    assert result.facts["bedrag"].dtype == "float64"
    overhead = result.facts[(result.facts.taakveld == "0.4") & (result.facts.kant == "lasten")]
    assert overhead["bedrag"].sum() == pytest.approx(1350.5)
    assert set(result.facts["kant"]) == {"lasten", "baten"}
    assert result.balans.to_dict("records") == [
        {"balanscode": "A23", "standper": "1 januari", "bedrag": 50.0},
        {"balanscode": "P111", "standper": "ultimo", "bedrag": 75.0},
    ]
    # only the delivery's own period (Beg_2024); '7,2' with a decimal comma is 7.2
    assert result.beleidsindicatoren.to_dict("records") == [
        {"code": "bi.1", "waarde": 7.2}, {"code": "bi.5", "waarde": 9.8},
    ]


def test_reads_a_2025_jaarrekening(tmp_path: Path, definitions_dir: Path) -> None:
    path = write(tmp_path, delivery_2025_jaarrekening(), "gm0014_rekening_2025.json")
    result = read_delivery(path, definitions_dir)
    assert (result.gm_code, result.jaar, result.document) == ("GM0014", 2025, "jaarrekening")
    totals = result.facts.groupby("kant")["bedrag"].sum()
    assert totals.to_dict() == {"baten": 1450.0, "lasten": 1450.0}
    assert set(result.facts["taakveld"]) == {"0.4", "6.711", "6.751", "8.3", "0.7", "0.62"}
    assert result.balans["bedrag"].sum() == pytest.approx(22.5)
    assert list(result.beleidsindicatoren["code"]) == ["bi.1", "bi.5"]


def test_reads_a_schema_1_delivery(tmp_path: Path, definitions_dir: Path) -> None:
    result = read_delivery(write(tmp_path, delivery_2019_v1()), definitions_dir)
    assert (result.gm_code, result.jaar, result.document) == ("GM0014", 2019, "begroting")
    assert result.schema_version.startswith("1.")
    assert result.facts["bedrag"].sum() == pytest.approx(2000.0)
    assert result.beleidsindicatoren.empty
    assert list(result.beleidsindicatoren.columns) == ["code", "waarde"]


def test_empty_balance_and_indicators(tmp_path: Path, definitions_dir: Path) -> None:
    doc = delivery()
    doc["data"]["balans_standen"] = []
    del doc["data"]["beleidsindicatoren"]
    result = read_delivery(write(tmp_path, doc), definitions_dir)
    assert result.balans.empty and list(result.balans.columns) == ["balanscode", "standper",
                                                                   "bedrag"]
    assert result.beleidsindicatoren.empty


@pytest.mark.parametrize(
    ("declared", "where", "version"),
    [
        ("https://github.com/statistiekcbs/iv3_definities/iv3_data_schema_v2_0.json", "$schema",
         "2.0"),
        ("2.1", "schema_versie", "2.1.1"),
        ("v2_1_1", "metadata.schema_versie", "2.1.1"),
    ],
)
def test_declared_schema_version(
    tmp_path: Path, definitions_dir: Path, declared: str, where: str, version: str
) -> None:
    doc = delivery()
    if where == "metadata.schema_versie":
        doc["metadata"]["schema_versie"] = declared
    else:
        doc[where] = declared
    result = read_delivery(write(tmp_path, doc), definitions_dir)
    assert result.schema_version == version


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0363", "GM0363"), ("363", "GM0363"), ("GM0363", "GM0363"), ("gm14", "GM0014"),
     ("Amsterdam", None), ("12345", None), ("0000", None)],
)
def test_gm_code_from(value: str, expected: str | None) -> None:
    assert gm_code_from(value) == expected


def test_zero_on_a_grey_cell_is_allowed(tmp_path: Path, definitions_dir: Path) -> None:
    doc = delivery(lasten=[*LASTEN_2024, ("0.10", "1.1", 0.0)])
    result = read_delivery(write(tmp_path, doc), definitions_dir)
    assert len(result.facts) == len(LASTEN_2024) + len(BATEN_2024) + 1


def test_json_path() -> None:
    assert json_path(("data", "lasten", 3, "categorie")) == "data.lasten[3].categorie"
    assert json_path(("contact", "e-mail")) == 'contact["e-mail"]'
    assert json_path(()) == "(hoofdniveau)"


# ------------------------------------------------------------------------- 1. unreadable files


def test_syntax_error_reports_line_and_column(tmp_path: Path, definitions_dir: Path) -> None:
    path = write(tmp_path, delivery())
    text = path.read_text().splitlines()
    line = line_of(path, '"categorie": "3.5.1"')
    text[line - 1] = text[line - 1].replace('"3.5.1",', '"3.5.1" "3.8",')
    path.write_text("\n".join(text))
    column = text[line - 1].index('"3.8"') + 1
    fails(path, definitions_dir, "ongeldige JSON", "komma", f"regel {line}, kolom {column}")


def test_trailing_comma_reports_its_line(tmp_path: Path, definitions_dir: Path) -> None:
    path = tmp_path / "komma.json"
    path.write_text('{\n  "metadata": {\n    "boekjaar": 2024,\n  }\n}\n')
    fails(path, definitions_dir, "ongeldige JSON", "regel 4, kolom 3")


def test_nan_is_refused_with_its_field(tmp_path: Path, definitions_dir: Path) -> None:
    path = write(tmp_path, delivery())
    line = line_of(path, '"bedrag": 150.0')
    path.write_text(path.read_text().replace('"bedrag": 150.0', '"bedrag": NaN'))
    fails(path, definitions_dir, "NaN", f"data.lasten[1].bedrag, regel {line}")


@pytest.mark.parametrize("number", ["1e400", "-1e400", "1" + "0" * 400])
def test_a_number_beyond_the_float_range_is_refused_not_stored_as_inf(
    tmp_path: Path, definitions_dir: Path, number: str
) -> None:
    path = write(tmp_path, delivery())
    line = line_of(path, '"bedrag": 150.0')
    path.write_text(path.read_text().replace('"bedrag": 150.0', f'"bedrag": {number}'))
    fails(path, definitions_dir, "geen geldig JSON-getal", f"data.lasten[1].bedrag, regel {line}")


def test_duplicate_key_is_refused(tmp_path: Path, definitions_dir: Path) -> None:
    path = write(tmp_path, delivery())
    line = line_of(path, '"overheidsnaam"')
    path.write_text(path.read_text().replace(
        '"overheidsnaam": "Amsterdam",', '"overheidsnaam": "Amsterdam", "boekjaar": 2023,'))
    fails(path, definitions_dir, "twee keer", f"metadata.boekjaar, regel {line}")


def test_missing_empty_and_non_utf8_files(tmp_path: Path, definitions_dir: Path) -> None:
    fails(tmp_path / "bestaat_niet.json", definitions_dir, "ontbreekt")
    empty = tmp_path / "leeg.json"
    empty.write_text("  \n")
    fails(empty, definitions_dir, "leeg")
    latin = tmp_path / "latin1.json"
    latin.write_bytes('{\n"overheidsnaam": "Súdwest-Fryslân"\n}'.encode("latin-1"))
    fails(latin, definitions_dir, "UTF-8", "regel 2")


# ---------------------------------------------------------------------- 2. the official schema


def test_schema_violation_names_the_field_and_line(tmp_path: Path, definitions_dir: Path) -> None:
    doc = delivery()
    doc["data"]["lasten"][3]["bedrag"] = "2000"
    path = write(tmp_path, doc)
    line = line_of(path, '"bedrag": "2000"')
    message = fails(path, definitions_dir, "Iv3-dataschema 2.1.1", "data.lasten[3].bedrag",
                    f"regel {line}", "een getal")
    assert "afgeleid" in message  # no version declared, so it was inferred


def test_missing_required_field_names_the_field(tmp_path: Path, definitions_dir: Path) -> None:
    doc = delivery()
    del doc["metadata"]["boekjaar"]
    del doc["data"]["baten"][1]["categorie"]
    path = write(tmp_path, doc)
    message = fails(path, definitions_dir, "2 fouten", "metadata.boekjaar", "SF002",
                    "data.baten[1].categorie", "SF016")
    # in file order: metadata comes first
    assert message.index("metadata.boekjaar") < message.index("data.baten[1].categorie")


def test_unknown_field_and_wrong_enum(tmp_path: Path, definitions_dir: Path) -> None:
    doc = delivery()
    doc["metadata"]["gemeentecode"] = "GM0363"
    doc["metadata"]["status"] = "Concept"
    doc["contact"]["email"] = "geen-adres"
    path = write(tmp_path, doc)
    fails(path, definitions_dir, "metadata.gemeentecode", "onbekend veld", "SF003",
          "metadata.status", '"Begroting"', "contact.email", "e-mailadres",
          f"regel {line_of(path, 'gemeentecode')}")


def test_many_errors_are_cut_short(tmp_path: Path, definitions_dir: Path) -> None:
    doc = delivery()
    for item in doc["data"]["lasten"] + doc["data"]["baten"]:
        item["bedrag"] = str(item["bedrag"])
    message = fails(write(tmp_path, doc), definitions_dir, "9 fouten, de eerste 5",
                    "data.lasten[0].bedrag", "en nog 4")
    assert "data.baten[3].bedrag" not in message


def test_unknown_declared_version_lists_supported(tmp_path: Path, definitions_dir: Path) -> None:
    doc = delivery()
    doc["$schema"] = "iv3_data_schema_v3_0.json"
    path = write(tmp_path, doc)
    supported = ", ".join(available_schemas(definitions_dir))
    assert supported == "1.0, 1.1, 2.0, 2.1.1"
    fails(path, definitions_dir, "schemaversie", '"iv3_data_schema_v3_0.json"', supported,
          f"regel {line_of(path, '$schema')}")


def test_declared_old_version_validates_against_that_schema(
    tmp_path: Path, definitions_dir: Path
) -> None:
    doc = delivery()
    doc["schema_versie"] = "1.0"  # a 2.x file claiming 1.0: boekjaar must then be text
    fails(write(tmp_path, doc), definitions_dir, "Iv3-dataschema 1.0", "metadata.boekjaar",
          "tekst")


# ------------------------------------------------------------------------------- metadata


def test_bad_municipality_number(tmp_path: Path, definitions_dir: Path) -> None:
    path = write(tmp_path, delivery(nummer="Amsterdam"))
    fails(path, definitions_dir, "metadata.overheidsnummer", "GM0363",
          f"regel {line_of(path, 'overheidsnummer')}")


def test_quarterly_and_inconsistent_status(tmp_path: Path, definitions_dir: Path) -> None:
    fails(write(tmp_path, delivery(periode=2, status="Realisatie")), definitions_dir,
          "metadata.periode", "kwartaal")
    fails(write(tmp_path, delivery(periode=0, status="Realisatie")), definitions_dir,
          "metadata.status", '"Begroting"')


def test_not_a_municipality(tmp_path: Path, definitions_dir: Path) -> None:
    doc = delivery()
    doc["metadata"]["overheidslaag"] = "GR"
    fails(write(tmp_path, doc), definitions_dir, "metadata.overheidslaag", "gemeenten")


def test_year_without_code_list(tmp_path: Path, definitions_dir: Path) -> None:
    fails(write(tmp_path, delivery(2031)), definitions_dir, "metadata.boekjaar",
          "iv3_definities_Gemeente_2031.json", "2017–2026")


# ------------------------------------------------------------------------- 3. code lists


def test_unknown_taakveld(tmp_path: Path, definitions_dir: Path) -> None:
    doc = delivery(lasten=[*LASTEN_2024, ("9.9", "1.1", 5.0)])
    path = write(tmp_path, doc)
    fails(path, definitions_dir, "data.lasten[5].taakveld", '"9.9"', "2024", "DF001",
          f"regel {line_of(path, '9.9')}")


def test_code_from_another_years_list(tmp_path: Path, definitions_dir: Path) -> None:
    doc = delivery(2025, lasten=[*LASTEN_2025, ("6.71", "3.4.1", 10.0)], baten=BATEN_2025)
    path = write(tmp_path, doc)
    line = line_of(path, '"taakveld": "6.71"')
    message = fails(path, definitions_dir, "data.lasten[4].taakveld",
                    "code 6.71 hoort bij de codelijst van 2017–2024, niet bij 2025",
                    f"regel {line}")
    assert "6.711" in message  # the 2025 successors are suggested


def test_2024_subcode_in_a_2025_delivery_suggests_its_successor(
    tmp_path: Path, definitions_dir: Path
) -> None:
    doc = delivery(2025, lasten=[("6.71a", "3.4.1", 10.0)], baten=BATEN_2025)
    fails(write(tmp_path, doc), definitions_dir, "data.lasten[0].taakveld",
          "code 6.71a hoort bij de codelijst van 2023–2024, niet bij 2025", "6.711")


def test_category_of_the_wrong_side_and_totals(tmp_path: Path, definitions_dir: Path) -> None:
    doc = delivery(lasten=[("0.4", "2.2.1", 1.0), ("6.", "1.1", 1.0)])
    fails(write(tmp_path, doc), definitions_dir, "data.lasten[0].categorie", "batencategorie",
          "DF002", "data.lasten[1].taakveld", "totaal")


def test_unknown_balance_code_and_standper(tmp_path: Path, definitions_dir: Path) -> None:
    doc = delivery()
    doc["data"]["balans_standen"][0]["balanscode"] = "A999"
    doc["data"]["balans_standen"][1]["standper"] = "2-1-2024"
    fails(write(tmp_path, doc), definitions_dir, "data.balans_standen[0].balanscode", "DF003",
          "data.balans_standen[1].standper", "DF004")


def test_balance_code_of_2024_in_2025(tmp_path: Path, definitions_dir: Path) -> None:
    doc = delivery_2025_jaarrekening()
    doc["data"]["balans_lasten"] = rows([("A1331a", "6.1", 1.0)], "balanscode")
    fails(write(tmp_path, doc), definitions_dir, "data.balans_lasten[0].balanscode",
          "code A1331a hoort bij de codelijst van 2017–2024, niet bij 2025")


def test_wrong_verslagperiode(tmp_path: Path, definitions_dir: Path) -> None:
    doc = delivery()
    doc["data"]["beleidsindicatoren"][0]["verslagperiode"] = "Beg_2030"
    fails(write(tmp_path, doc), definitions_dir, "data.beleidsindicatoren[0].verslagperiode",
          "DF007")


# --------------------------------------------------------------------------- 4. grijze cellen


def test_grey_cell_is_an_error(tmp_path: Path, definitions_dir: Path) -> None:
    doc = delivery(lasten=[*LASTEN_2024, ("0.10", "1.1", 25.0)])
    path = write(tmp_path, doc)
    line = line_of(path, '"taakveld": "0.10"', 1) - 1  # the item's "{"
    fails(path, definitions_dir, f"data.lasten[5], regel {line}", "grijze cel",
          "taakveld 0.10 × categorie 1.1", "7.1")


def test_taakveld_that_is_entirely_grey(tmp_path: Path, definitions_dir: Path) -> None:
    # in 2024 taakveld 6.71 still exists, but every cell is grey (use 6.71a-d)
    doc = delivery(lasten=[("6.71", "3.4.1", 25.0)])
    fails(write(tmp_path, doc), definitions_dir, "data.lasten[0]", "grijze cel",
          "geen enkele toegestane")


def test_grey_balance_cell(tmp_path: Path, definitions_dir: Path) -> None:
    doc = delivery_2025_jaarrekening()
    doc["data"]["balans_baten"] = rows([("A23", "2.2.1", 5.0)], "balanscode")
    fails(write(tmp_path, doc), definitions_dir, "data.balans_baten[0]", "grijze cel")


# ---------------------------------------------------------------------------- other content


def test_duplicate_cell(tmp_path: Path, definitions_dir: Path) -> None:
    doc = delivery(lasten=[*LASTEN_2024, ("0.4", "1.1", 1.0)])
    fails(write(tmp_path, doc), definitions_dir, "data.lasten[5]", "dubbele regel",
          "data.lasten[0]")


def test_indicator_value_must_be_a_number(tmp_path: Path, definitions_dir: Path) -> None:
    doc = delivery()
    doc["data"]["beleidsindicatoren"][1]["waarde"] = "n.v.t."
    fails(write(tmp_path, doc), definitions_dir, "data.beleidsindicatoren[1].waarde",
          "geen getal")


def test_input_document_is_not_modified(tmp_path: Path, definitions_dir: Path) -> None:
    doc = delivery()
    doc["$schema"] = "2.1.1"
    before = copy.deepcopy(doc)
    path = write(tmp_path, doc)
    read_delivery(path, definitions_dir)
    assert json.loads(path.read_text()) == before
