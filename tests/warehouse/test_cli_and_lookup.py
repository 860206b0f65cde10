"""CLI commands over a built warehouse, and municipality lookup."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from schouders.cli import app
from schouders.errors import AmbiguousMunicipalityError, UnknownMunicipalityError
from schouders.warehouse.lookup import resolve_municipality

runner = CliRunner()


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("GM0363", "GM0363"),
        ("363", "GM0363"),
        ("Amsterdm", "GM0363"),
        ("Bergen (NH.)", "GM0373"),
        ("bergen l", "GM0893"),
        ("Den Haag", "GM0518"),
        ("sudwest fryslan", "GM1900"),
        ("Utrecht", "GM0344"),
    ],
)
def test_resolve(con, query: str, code: str) -> None:
    assert resolve_municipality(con, query).gm_code == code


def test_bergen_is_ambiguous_and_lists_both(con) -> None:
    with pytest.raises(AmbiguousMunicipalityError) as info:
        resolve_municipality(con, "Bergen")
    codes = {c[c.index("(GM") + 1 : c.index("(GM") + 7] for c in info.value.candidates}
    assert {"GM0373", "GM0893"} <= codes


def test_unknown_code_suggests_closest(con) -> None:
    assert resolve_municipality(con, "Amstelvene").gm_code == "GM0362"  # typo tolerated
    with pytest.raises(UnknownMunicipalityError) as info:
        resolve_municipality(con, "Qwertyvlietdorp")
    assert len(info.value.suggestions) == 5
    assert all("(GM" in suggestion for suggestion in info.value.suggestions)
    with pytest.raises(UnknownMunicipalityError) as info:
        resolve_municipality(con, "GM9999")
    assert "GM9999" in str(info.value)


def test_cli_gemeente_shows_missing_as_missing(built) -> None:
    result = runner.invoke(app, ["gemeente", "Almelo", "--home", str(built.home)])
    assert result.exit_code == 0, result.output
    row_2022 = next(line for line in result.output.splitlines() if "2022" in line)
    assert "ontbreekt" in row_2022
    assert "Overijssel" in result.output


def test_cli_unknown_municipality_exits_nonzero_with_suggestions(built) -> None:
    result = runner.invoke(app, ["gemeente", "Amsterdan", "--home", str(built.home)])
    assert result.exit_code == 0  # a close typo resolves
    result = runner.invoke(app, ["gemeente", "Qwertyvlietdorp", "--home", str(built.home)])
    assert result.exit_code == 1
    assert "Onbekende gemeente: 'Qwertyvlietdorp'" in flat(result.output)
    assert "Bedoelde u:" in flat(result.output)


def test_cli_status_reports_counts_and_provenance(built) -> None:
    result = runner.invoke(app, ["status", "--home", str(built.home)], env={"COLUMNS": "220"})
    assert result.exit_code == 0, result.output
    line_2025 = next(
        line for line in result.output.splitlines() if line.strip("│ ").startswith("2025")
    )
    assert "342" in line_2025
    assert "iv3_summary_2017_2026.csv" in result.output


def test_cli_reeks_sums_predecessors(built) -> None:
    result = runner.invoke(app, ["reeks", "Dijk en Waard", "--home", str(built.home)])
    assert result.exit_code == 0, result.output
    assert "Heerhugowaard (GM0398" in flat(result.output)
    assert "Definitiebreuk 2017" in result.output


def _reeks_rows(output: str) -> dict[str, list[str]]:
    rows = {}
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip("│ ").split("│")]
        if cells and cells[0].isdigit():
            rows[cells[0]] = cells[1:]
    return rows


def test_cli_reeks_rounds_and_says_ontbreekt(built) -> None:
    """Helmond 8.2 Grondexploitatie, jaarrekening: 2017 € 15.381k / 90.602 inhabitants = € 169.76
    (shown 170, truncation gave 169); 2024 € -9.451k / 95.874 = € -98.58 (shown -99).
    Twenterand has no jaarrekening 2022 of its own: 'ontbreekt', not 'onvolledig'."""
    result = runner.invoke(app, ["reeks", "Helmond", "--taakveld", "8.2", "--home",
                                 str(built.home)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    rows = _reeks_rows(result.output)
    assert rows["2017"] == ["15.381", "90.602", "170", "geleverd"]
    assert rows["2024"] == ["-9.451", "95.874", "-99", "geleverd"]
    result = runner.invoke(app, ["reeks", "Twenterand", "--home", str(built.home)],
                           env={"COLUMNS": "200"})
    rows = _reeks_rows(result.output)
    assert rows["2022"] == ["–", "33.718", "–", "ontbreekt"]
    assert "onvolledig" not in result.output
    result = runner.invoke(app, ["reeks", "Amsterdam", "--home", str(built.home)],
                           env={"COLUMNS": "200"})
    rows = _reeks_rows(result.output)
    assert rows["2022"] == ["6.096.477", "903.399", "6.748",
                            "geleverd; bevat GM0457 (opgegaan op 24-03-2022)"]


def test_cli_without_warehouse_says_what_to_do(tmp_path) -> None:
    result = runner.invoke(app, ["status", "--home", str(tmp_path)])
    assert result.exit_code == 1
    assert "schouders build" in result.output
