"""Only the warehouse steps and the sources read the data folder (DESIGN.md, Architecture).

Every layer above the warehouse (indicators, service, web, instruments, ...) must get its data
from the warehouse connection. This test parses every module under ``src/schouders`` and fails,
naming file and line, on any use of ``data_dir`` (the snapshot folder setting), any import of a
snapshot reader and any hard-coded snapshot path outside the permitted places:

* ``schouders/warehouse/``, ``schouders/sources/``: the steps and readers themselves;
* ``schouders/config.py``: where the setting is defined;
* ``schouders/testing/``: the stand-in CBS server, which plays a *source* (it serves the snapshot
  as CBS would);
* the command-line modules (``cli.py``): they may accept the ``--data-dir`` option and pass it
  on as a plain name (``load_settings(data_dir=data_dir)``), but not read ``settings.data_dir``.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "schouders"
ALLOWED_DIRS = ("warehouse", "sources", "testing")
ALLOWED_FILES = ("config.py",)
CLI_MODULES = ("cli.py",)
READER_MODULES = ("schouders.sources.snapshot", "schouders.sources.csvfile",
                  "schouders.sources.structure_files", "schouders.sources.boundary_files",
                  "schouders.sources.raw_snapshot")
SNAPSHOT_FOLDERS = ("joeykurtosis_gemeentefinancien", "checkdecijfers_cbs_odata_v4",
                    "michielsd_", "cartomap_gemeenten", "cbs_iv3_definities", "crosswalk/",
                    "openstate_datasets", "minvws_covid_dashboard", "tomtimmerman_")
#: Known, reviewed exceptions: (path relative to the package, line text fragment) -> reason.
#: Keep this empty unless a use is genuinely not a read of the data folder.
EXCEPTIONS: dict[tuple[str, str], str] = {}
PATH_CALLS = ("Path", "open", "read_csv", "read_text", "joinpath")


def _path_literals(tree: ast.AST) -> set[int]:
    """Strings used to build a file path: operands of ``/`` and arguments of Path()/open()."""
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            ids.update(id(side) for side in (node.left, node.right))
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else (
                func.attr if isinstance(func, ast.Attribute) else "")
            if name in PATH_CALLS:
                ids.update(id(arg) for arg in node.args)
    return ids


def violations_in(path: Path, relative: str) -> list[str]:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    lines = source.splitlines()
    is_cli = path.name in CLI_MODULES
    paths = _path_literals(tree)
    found = []

    def report(node: ast.AST, what: str) -> None:
        line = getattr(node, "lineno", 0)
        text = lines[line - 1].strip() if line else ""
        if any(key[0] == relative and key[1] in text for key in EXCEPTIONS):
            return
        found.append(f"src/schouders/{relative}:{line}: {what}: {text}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "data_dir":
            report(node, "leest de snapshotmap-instelling (.data_dir)")
        elif not is_cli and isinstance(node, ast.Name) and node.id == "data_dir":
            report(node, "gebruikt data_dir")
        elif not is_cli and isinstance(node, ast.arg) and node.arg == "data_dir":
            report(node, "neemt data_dir als argument")
        elif not is_cli and isinstance(node, ast.keyword) and node.arg == "data_dir":
            report(node, "geeft data_dir door")
        elif isinstance(node, ast.ImportFrom) and node.module and (
                node.module in READER_MODULES or (node.module == "schouders.sources" and any(
                    f"schouders.sources.{alias.name}" in READER_MODULES for alias in node.names))):
            report(node, f"importeert een snapshotlezer ({node.module})")
        elif isinstance(node, ast.Import) and any(a.name in READER_MODULES for a in node.names):
            report(node, "importeert een snapshotlezer")
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and id(node) in paths
              and any(folder in node.value for folder in SNAPSHOT_FOLDERS)):
            report(node, "bouwt een pad in de snapshot")
    return sorted(found, key=lambda item: int(item.split(":", 2)[1]))


def all_violations() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.split("/", 1)[0] in ALLOWED_DIRS or relative in ALLOWED_FILES:
            continue
        found += violations_in(path, relative)
    return found


def test_no_module_above_the_warehouse_reads_the_data_folder() -> None:
    found = all_violations()
    assert not found, ("Alleen schouders/warehouse en schouders/sources lezen de snapshotmap; "
                       "lees hier uit het warehouse:\n" + "\n".join(found))


def test_the_scan_catches_a_read_and_names_file_and_line(tmp_path: Path) -> None:
    module = tmp_path / "page.py"
    module.write_text('"""Docstring naming joeykurtosis_gemeentefinancien is fine."""\n'
                      "from schouders.sources.snapshot import read_population\n\n"
                      "def page(settings, folder):\n"
                      "    return read_population(settings.data_dir)\n\n"
                      "def peek(folder):\n"
                      "    return (folder / 'cartomap_gemeenten/x.topojson').read_text()\n",
                      encoding="utf-8")
    found = violations_in(module, "web/page.py")
    assert found == [
        "src/schouders/web/page.py:2: importeert een snapshotlezer (schouders.sources.snapshot): "
        "from schouders.sources.snapshot import read_population",
        "src/schouders/web/page.py:5: leest de snapshotmap-instelling (.data_dir): "
        "return read_population(settings.data_dir)",
        "src/schouders/web/page.py:8: bouwt een pad in de snapshot: "
        "return (folder / 'cartomap_gemeenten/x.topojson').read_text()",
    ]
