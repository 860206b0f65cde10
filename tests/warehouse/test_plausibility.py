"""Sources are checked for plausibility: a truncated, header-only or impossible source fails the
build with a clear message naming the file (or URL) and row, and the warehouse stays as it was.

Each test changes one real snapshot file in a mirror of symlinks (attack probe findings).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from schouders.cli import app
from schouders.config import Settings, load_settings
from schouders.errors import DataFileError, SchoudersError
from schouders.testing.cbs_standin import CBSStandIn
from schouders.warehouse.build import build_warehouse

POPULATION = "joeykurtosis_gemeentefinancien/inwoners_2017_2026.csv"
SUMMARY = "joeykurtosis_gemeentefinancien/iv3_summary_2017_2026.csv"
MUNICIPALITIES = "joeykurtosis_gemeentefinancien/gemeenten_per_jaar_2010_2026.csv"
CPI = "checkdecijfers_cbs_odata_v4/derived_86141NED_cpi_2025is100_alle_bestedingen.csv"


def mirror(data_dir: Path, target: Path, copy: str) -> Path:
    """The snapshot as symlinks, with one file as a writable copy."""
    for source in data_dir.rglob("*"):
        if source.is_dir():
            continue
        relative = source.relative_to(data_dir)
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        if str(relative) == copy:
            shutil.copyfile(source, destination)
            destination.chmod(0o644)
        else:
            destination.symlink_to(source)
    return target


def edited(data_dir: Path, tmp_path: Path, relative: str, change) -> Settings:
    snapshot = mirror(data_dir, tmp_path / "data", relative)
    path = snapshot / relative
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("".join(f"{line}\n" for line in change(lines)), encoding="utf-8")
    return load_settings(data_dir=snapshot, home=tmp_path / "home")


def test_truncated_population_file_fails(data_dir: Path, tmp_path: Path) -> None:
    settings = edited(data_dir, tmp_path, POPULATION, lambda lines: lines[:2000])
    with pytest.raises(SchoudersError, match=r"inwoners_2017_2026\.csv\) is onvolledig: voor "
                       r"20\d\d ontbreken \d+ van de 3\d\d gemeenten"):
        build_warehouse(settings)
    assert not settings.warehouse_path.exists()


def test_header_only_population_file_fails(data_dir: Path, tmp_path: Path) -> None:
    settings = edited(data_dir, tmp_path, POPULATION, lambda lines: lines[:1])
    with pytest.raises(DataFileError, match=r"inwoners_2017_2026\.csv: bevat geen "
                       "bevolkingscijfers"):
        build_warehouse(settings)


def test_negative_population_names_file_and_line(data_dir: Path, tmp_path: Path) -> None:
    def negative(lines: list[str]) -> list[str]:
        fields = lines[41].split(",")
        fields[2] = "-" + fields[2]
        return [*lines[:41], ",".join(fields), *lines[42:]]

    settings = edited(data_dir, tmp_path, POPULATION, negative)
    result = CliRunner().invoke(app, ["build", "--data-dir", str(settings.data_dir),
                                      "--home", str(settings.home)])
    message = " ".join(result.output.split())
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "inwoners_2017_2026.csv (regel 42)" in message and "onmogelijke waarde -" in message


def test_truncated_list_of_municipalities_per_year_fails(data_dir: Path, tmp_path: Path) -> None:
    settings = edited(data_dir, tmp_path, MUNICIPALITIES, lambda lines: lines[:-40])
    with pytest.raises(SchoudersError, match=r"gemeenten per jaar \(.*gemeenten_per_jaar_2010_2026"
                       r"\.csv\) is onvolledig: voor 2026 hebben 40 gemeente\(n\) Iv3-leveringen"):
        build_warehouse(settings)


def test_empty_cpi_file_is_a_clear_error(data_dir: Path, tmp_path: Path) -> None:
    settings = edited(data_dir, tmp_path, CPI, lambda lines: [])
    result = CliRunner().invoke(app, ["build", "--data-dir", str(settings.data_dir),
                                      "--home", str(settings.home)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "bestand is leeg" in " ".join(result.output.split())


def test_header_only_cpi_file_is_a_clear_error(data_dir: Path, tmp_path: Path) -> None:
    settings = edited(data_dir, tmp_path, CPI, lambda lines: lines[:1])
    with pytest.raises(DataFileError, match="geen jaarcijfers van de CPI"):
        build_warehouse(settings)


def test_duplicate_row_in_the_iv3_summary_names_the_line(data_dir: Path, tmp_path: Path) -> None:
    settings = edited(data_dir, tmp_path, SUMMARY, lambda lines: [*lines[:11], lines[10],
                                                                  *lines[11:]])
    result = CliRunner().invoke(app, ["build", "--data-dir", str(settings.data_dir),
                                      "--home", str(settings.home)])
    message = " ".join(result.output.split())
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "iv3_summary_2017_2026.csv (regel 12): dubbele regel" in message


def test_live_code_list_cut_short_without_a_count_fails_the_build(
    data_dir: Path, tmp_path: Path
) -> None:
    """Attack probe: RegioSCodes answers 300 of 835 codes and no count; the build used to
    finish with exit 0. Now the Iv3 municipalities are checked against the code list."""
    with CBSStandIn(data_dir, page_size=20_000, cut_rows=300) as cbs:
        cbs.faults.add("RegioSCodes", "cut", times=1)
        settings = Settings(home=tmp_path, data_dir=None, dataderden_url=cbs.dataderden_url,
                            datasets_url=cbs.datasets_url, backoff=0.01)
        with pytest.raises(SchoudersError, match=r"gemeentecodelijst .*300 codes\) is "
                           r"onvolledig: \d+ gemeente\(n\) uit de gemeenten per jaar"):
            build_warehouse(settings)
    assert not settings.warehouse_path.exists()
    assert list((tmp_path / "raw").iterdir()) == []  # an implausible download is not kept
