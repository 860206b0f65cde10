"""The catalogue as data: completeness, validation of definitions, domains."""

from __future__ import annotations

from pathlib import Path

import pytest

from schouders.errors import SchoudersError
from schouders.indicators.catalogue import describe_formula, load_catalogue
from schouders.indicators.domains import load_domains
from schouders.indicators.tomlfile import packaged

REQUIRED = ["overhead_pct", "inhuur_pct", "apparaatskosten_per_inwoner", "personeelslasten_pct",
            "verbonden_partijen_pct", "gemeentefonds_pct", "heffingen_pct",
            "specifieke_uitkeringen_pct", "reserve_onttrekking_pct", "reserve_toevoeging_pct",
            "realisatie_lasten_pct", "groei_lasten_pct", "lasten_per_inwoner_fysiek",
            "lasten_per_inwoner_sociaal", "lasten_per_inwoner_bestuur",
            *[f"lasten_per_inwoner_h{number}" for number in range(9)]]


def test_catalogue_has_at_least_25_documented_indicators() -> None:
    catalogue = load_catalogue()
    assert len(catalogue.indicators) >= 25
    for code in REQUIRED:
        indicator = catalogue.get(code)
        assert indicator.naam and indicator.name and indicator.beschrijving
        assert indicator.richting in ("hoger_beter", "lager_beter", "neutraal")
        assert indicator.factor in ("hulpbronnen", "samenwerking", "autonomie", "motivatie")
        assert describe_formula(indicator)
    bbv = {code for code, ind in catalogue.indicators.items() if ind.bbv}
    assert {"overhead_pct", "inhuur_pct", "apparaatskosten_per_inwoner"} <= bbv


def test_formulas_as_specified() -> None:
    catalogue = load_catalogue()
    overhead = catalogue.get("overhead_pct").formule
    assert [t.key.label for t in overhead.teller] == ["0.4|*|lasten"]
    assert [t.key.label for t in overhead.noemer] == ["*|*|lasten"]  # '*' excludes 0.10/0.11
    hire = catalogue.get("inhuur_pct").formule
    assert {t.key.label for t in hire.noemer} == {"*|1.1|lasten", "*|3.5.1|lasten"}
    spuk = catalogue.get("specifieke_uitkeringen_pct").formule
    assert [(t.sign, t.key.label) for t in spuk.teller] == [(1, "*|4.3.1|baten"),
                                                           (-1, "0.7|4.3.1|baten")]
    physical = catalogue.get("lasten_per_inwoner_fysiek").formule
    assert physical.per_inwoner and physical.schaal == 1000
    assert {t.key.taakveld for t in physical.teller} == set(
        load_domains().domains["fysiek"].taakvelden)


def test_hash_covers_formula_not_wording(tmp_path: Path) -> None:
    text = packaged("catalogue.toml").read_text(encoding="utf-8")
    reworded = tmp_path / "catalogue.toml"
    reworded.write_text(text.replace("Overhead als percentage van de lasten",
                                     "Overheadpercentage"), encoding="utf-8")
    assert load_catalogue(reworded).hashes == load_catalogue().hashes
    changed = tmp_path / "changed.toml"
    changed.write_text(text.replace('teller = ["0.4|*|lasten"], noemer = ["*|*|lasten"]',
                                    'teller = ["0.4|*|lasten"], noemer = ["*|*|baten"]'),
                       encoding="utf-8")
    old, new = load_catalogue().hashes, load_catalogue(changed).hashes
    assert {code for code in old if old[code] != new[code]} == {"overhead_pct"}


@pytest.mark.parametrize(("old", "new", "expected"), [
    ('soort = "verhouding", teller = ["0.4|*|lasten"]',
     'soort = "deling", teller = ["0.4|*|lasten"]', "soort 'deling' is ongeldig"),
    ('teller = ["0.4|*|lasten"], noemer', 'teller = ["0.4|*"], noemer',
     "heeft niet de vorm taakveld|categorie|kant"),
    ('teller = ["0.4|*|lasten"], noemer', 'teller = ["0.4|*|uitgaven"], noemer',
     "kant moet lasten of baten zijn"),
    ('richting = "neutraal"', 'richting = "omhoog"', "richting 'omhoog' is ongeldig"),
    ('"domein:fysiek|*|lasten"]', '"domein:ruimte|*|lasten"]', "onbekend domein 'ruimte'"),
])
def test_malformed_catalogue_entries_are_refused_in_dutch(tmp_path: Path, old: str, new: str,
                                                          expected: str) -> None:
    text = packaged("catalogue.toml").read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "catalogue.toml"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(SchoudersError, match=expected.replace("|", r"\|")):
        load_catalogue(broken)


def test_overlapping_domains_are_refused(tmp_path: Path) -> None:
    text = packaged("domeinen.toml").read_text(encoding="utf-8")
    broken = tmp_path / "domeinen.toml"
    broken.write_text(text.replace('taakvelden = ["6"]', 'taakvelden = ["6", "7.2"]'),
                      encoding="utf-8")
    with pytest.raises(SchoudersError, match="overlappen"):
        load_domains(broken)
