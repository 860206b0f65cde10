"""Command line for indicators, profiles, comparisons, the national picture and signals.

The main CLI (`schouders.cli`) registers these at top level with::

    from schouders.indicators.cli import register
    register(app)        # adds: indicators, profiel, vergelijk, landelijk, signalen

``app`` below is the same set as a stand-alone Typer app (``python -m schouders.indicators.cli``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from schouders.cli_support import console, error_console, progress_bar, user_errors
from schouders.config import Settings, load_settings
from schouders.indicators import fmt

if TYPE_CHECKING:
    from schouders.indicators.api import Profiel

PEERS_SHOWN = 25
app = typer.Typer(help="Indicatoren, peervergelijking en signalen van Schouders.",
                  no_args_is_help=True, pretty_exceptions_enable=False)

HomeOption = Annotated[Path | None, typer.Option(
    "--home", help="Map van het warehouse; ook via SCHOUDERS_HOME.", show_default=False)]
DataDirOption = Annotated[Path | None, typer.Option(
    "--data-dir", help="Snapshotmap (voor stedelijkheid en sociale structuur); ook via "
    "SCHOUDERS_DATA_DIR. Standaard: de map waaruit het warehouse is gebouwd.",
    show_default=False)]
FormatOption = Annotated[str, typer.Option(
    "--format", "-f", help="table, csv, json, parquet of xlsx.")]
OutputOption = Annotated[Path | None, typer.Option(
    "--output", "-o", help="Schrijf naar dit bestand (verplicht voor parquet en xlsx).",
    show_default=False)]
DocumentOption = Annotated[str, typer.Option(help="begroting of jaarrekening.")]
RealOption = Annotated[bool, typer.Option("--reeel", help="Reële euro's (prijzen van "
                                          "--basisjaar) en reële mutaties.")]
BaseYearOption = Annotated[int, typer.Option(help="Prijsbasis voor --reeel.")]
DeflatorOption = Annotated[str, typer.Option(help="cpi of overheidsconsumptie.")]


def register(parent: typer.Typer) -> None:
    """Add the indicator commands to another Typer app at top level."""
    for name, function in COMMANDS.items():
        parent.command(name)(function)


def _settings(home: Path | None, data_dir: Path | None) -> Settings:
    from schouders.indicators import api

    settings = load_settings(data_dir=data_dir, home=home)
    with progress_bar(transient=True) as bar:
        task = bar.add_task("indicatoren controleren", total=None)

        def report(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total)

        api.compute_all(settings, progress=report)
    return settings


def indicators(
    code: Annotated[str | None, typer.Argument(
        help="Toon de definitie van deze indicator (zelfde als --toon).",
        show_default=False)] = None,
    toon: Annotated[str | None, typer.Option("--toon", help="Toon de definitie van één "
                                             "indicator.")] = None,
    bereken: Annotated[bool, typer.Option("--bereken", help="Bereken alle indicatoren "
                                          "opnieuw.")] = False,
    format: FormatOption = "table", output: OutputOption = None,
    home: HomeOption = None, data_dir: DataDirOption = None,
) -> None:
    """De indicatorcatalogus: codes, namen, eenheden, richting en formules."""
    import pandas as pd

    from schouders.indicators import api
    from schouders.indicators.output import check_format, write_frames

    toon = toon or code
    with user_errors():
        check_format(format, output)
        if bereken:
            settings = load_settings(data_dir=data_dir, home=home)
            report = api.compute_all(settings, force=True)
            if report is not None:
                error_console.print(f"{len(report.recomputed)} indicatoren berekend in "
                                    f"{report.seconds:.1f} s: {report.path}")
        if toon is not None:
            definition = api.indicator_definition(toon)
            if format == "table":
                _show_definition(definition)
            else:
                frame = pd.DataFrame({"veld": list(definition),
                                      "waarde": [str(v) for v in definition.values()]})
                write_frames({"definitie": frame}, format, output,
                             meta=None if format != "json" else {"indicator": definition})
            return
        table = api.catalogue_table()
    if format == "table":
        rich = Table(title=f"Indicatorcatalogus ({len(table)} indicatoren)")
        for column in ("code", "naam", "eenheid", "richting", "factor", "bbv"):
            rich.add_column(column)
        for row in table.itertuples(index=False):
            rich.add_row(row.code, row.naam, row.eenheid, row.richting, row.factor,
                         "ja" if row.bbv else "")
        _print(rich, output)
    else:
        with user_errors():
            write_frames({"catalogus": table}, format, output)


def _show_definition(definition: dict[str, object]) -> None:
    console.print(f"[bold]{definition['naam']}[/] ({definition['code']})")
    console.print(f"[dim]{definition['name']}[/]")
    console.print(str(definition["beschrijving"]))
    console.print(f"Formule: {definition['formule']}")
    for field in ("soort", "teller", "noemer", "schaal", "eenheid", "richting", "factor",
                  "thema", "bronnen", "bbv", "hash"):
        console.print(f"  {field}: {definition[field]}")
    notes = definition["kanttekeningen"]
    for note in notes if isinstance(notes, list) else []:
        console.print(f"[yellow]Kanttekening:[/] {note}")


def profiel(
    gemeente: Annotated[str, typer.Argument(help="GM-code (GM0677) of naam (Hulst)")],
    jaar: Annotated[int | None, typer.Option(help="Jaar (standaard: het laatste met "
                                             "gegevens).")] = None,
    document: DocumentOption = "begroting",
    peers: Annotated[str | None, typer.Option(
        "--peers", help="grootteklasse, stedelijkheid, provincie, knn, een eigen groep "
        "(G4, 'casusgemeenten 2020') of GM-codes met komma's.")] = None,
    reeel: RealOption = False, basisjaar: BaseYearOption = 2025,
    deflator: DeflatorOption = "cpi", format: FormatOption = "table",
    output: OutputOption = None, home: HomeOption = None, data_dir: DataDirOption = None,
) -> None:
    """Profiel van een gemeente: alle indicatoren, positie tussen peers en signalen."""
    from schouders.indicators import api
    from schouders.indicators.output import check_format, write_frames

    with user_errors():
        check_format(format, output)
        settings = _settings(home, data_dir)
        group: str | list[str] | None = peers
        if peers and "," in peers:
            group = [item.strip() for item in peers.split(",") if item.strip()]
        result = api.profile(settings, gemeente, jaar, document, peer_group=group, real=reeel,
                             basisjaar=basisjaar, deflator=deflator)
        if format != "table":
            meta = {"gm_code": result.gm_code, "gemeente": result.naam, "jaar": result.jaar,
                    "document": result.document, "peergroep": result.peergroep_naam,
                    "toelichting": result.toelichting}
            write_frames({"posities": result.to_frame(), "peers": result.peers,
                          "signalen": result.signalen}, format, output, meta=meta)
            return
    _print_profile(result, output)


def _print_profile(result: Profiel, output: Path | None) -> None:
    target = Console(file=output.open("w", encoding="utf-8"), width=160) if output else console
    target.print(f"[bold]{result.naam} ({result.gm_code})[/], {result.document} {result.jaar}")
    target.print(f"Peergroep: {result.peergroep_naam}")
    names = list(result.peers["naam"].astype(str))
    shown = ", ".join(names[:PEERS_SHOWN]) + (
        f" … en {len(names) - PEERS_SHOWN} andere (volledige lijst met --format json)"
        if len(names) > PEERS_SHOWN else "")
    target.print(f"[dim]Peers ({len(names)}): {shown}[/]")
    for note in result.toelichting:
        target.print(f"[dim]{note}[/]")
    for theme, rows in result.posities.groupby("thema", sort=False):
        table = Table(title=theme)
        for column, justify in (("indicator", "left"), ("waarde", "right"),
                                ("mediaan peers", "right"), ("percentiel", "right"),
                                ("z", "right"), ("rang", "right")):
            table.add_column(column, justify=justify)  # type: ignore[arg-type]
        for row in rows.itertuples(index=False):
            rank = (f"{fmt.number(row.rang)} van {fmt.number(row.n)}" if row.n == row.n
                    else fmt.MISSING)
            table.add_row(row.naam, fmt.value(row.waarde, row.eenheid),
                          fmt.value(row.mediaan, row.eenheid), fmt.number(row.percentiel),
                          fmt.number(row.z, 2), rank)
        target.print(table)
    if result.signalen.empty:
        target.print("Geen signalen.")
    for row in result.signalen.itertuples(index=False):
        target.print(f"[bold yellow]Signaal – {row.titel}[/]: {row.uitleg}")
        target.print(f"[dim]  regel: {row.regel}[/]")
    target.print("[dim]Percentiel: aandeel van de andere peers met een lagere waarde; rang 1 = "
                 "hoogste waarde. Geen oordeel: zie de kanttekeningen per indicator "
                 "('schouders indicators --toon CODE').[/]")
    if output:
        target.file.close()


def vergelijk(
    gemeenten: Annotated[list[str], typer.Argument(help="Twee of meer GM-codes of namen")],
    jaar: Annotated[int | None, typer.Option(help="Jaar (standaard: laatste gezamenlijke).")
                    ] = None,
    document: DocumentOption = "begroting",
    indicator: Annotated[list[str] | None, typer.Option(
        "--indicator", "-i", help="Alleen deze indicator(en); herhaalbaar.")] = None,
    reeel: RealOption = False, basisjaar: BaseYearOption = 2025,
    deflator: DeflatorOption = "cpi", format: FormatOption = "table",
    output: OutputOption = None, home: HomeOption = None, data_dir: DataDirOption = None,
) -> None:
    """Vergelijk gemeenten naast elkaar op alle (of gekozen) indicatoren."""
    from schouders.indicators import api
    from schouders.indicators.output import check_format, write_frames

    with user_errors():
        check_format(format, output)
        settings = _settings(home, data_dir)
        frame = api.compare(settings, gemeenten, jaar, document, codes=indicator, real=reeel,
                            basisjaar=basisjaar, deflator=deflator)
        if format != "table":
            write_frames({"vergelijking": frame}, format, output,
                         meta={"jaar": frame.attrs["jaar"], "document": document}
                         if format == "json" else None)
            return
    table = Table(title=f"Vergelijking, {document} {frame.attrs['jaar']}"
                  + (f" (euro's van {basisjaar}, {deflator})" if reeel else ""))
    municipalities = [column for column in frame.columns
                      if column not in ("indicator", "naam", "eenheid")]
    table.add_column("indicator")
    for column in municipalities:
        table.add_column(column, justify="right")
    for row in frame.itertuples(index=False, name=None):
        _, naam, eenheid, *values = row
        table.add_row(naam, *(fmt.value(value, eenheid) for value in values))
    _print(table, output)


def landelijk(
    document: DocumentOption = "begroting", deflator: DeflatorOption = "cpi",
    peiljaar: Annotated[int | None, typer.Option(help="Gemeentegrenzen van dit jaar "
                                                 "(standaard: laatste).")] = None,
    niet_geharmoniseerd: Annotated[bool, typer.Option(
        "--niet-geharmoniseerd", help="Vergelijk op de grenzen van elk jaar zelf.")] = False,
    reeel: Annotated[bool, typer.Option(
        "--reeel", help="Toon reële mutaties: nominaal gedeeld door de prijsstijging van "
        "--deflator. Exports bevatten altijd nominaal en reëel.")] = False,
    format: FormatOption = "table", output: OutputOption = None, home: HomeOption = None,
) -> None:
    """Landelijk beeld: mutatie van de lasten (totaal en fysiek domein) naast de inflatie."""
    from schouders.indicators import api
    from schouders.indicators.output import check_format, write_frames

    with user_errors():
        check_format(format, output)
        settings = load_settings(home=home)
        frame = api.national_picture(settings, document=document, deflator=deflator,
                                     peiljaar=peiljaar, harmonised=not niet_geharmoniseerd)
        prices = f"reëel ({deflator})" if reeel else "nominaal"
        if format != "table":
            write_frames({"landelijk": frame}, format, output,
                         meta={"prijzen": prices, "toelichting": frame.attrs["toelichting"]}
                         if format == "json" else None)
            return
    kind = "lasten_reeel_pct" if reeel else "lasten_mutatie_pct"
    physical = "fysiek_reeel_pct" if reeel else "fysiek_mutatie_pct"
    table = Table(title=f"Mutatie lasten per jaar ({document}) — {prices}")
    suffix = "\nreëel" if reeel else ""
    for column in ("jaar", "inwoners\nx 1.000", "gem.", f"totaal{suffix}", f"fysiek{suffix}",
                   "CPI", "prijs\noverh."):
        table.add_column(column, justify="right", no_wrap=True)
    for row in frame.itertuples(index=False):
        style = "bold" if row.groep == "Alle gemeenten" else None
        table.add_row(str(row.jaar), _short_class(str(row.groep)), str(row.gemeenten),
                      fmt.percent_change(getattr(row, kind)),
                      fmt.percent_change(getattr(row, physical)),
                      fmt.percent_change(getattr(row, "cpi_pct", None)),
                      fmt.percent_change(getattr(row, "overheidsconsumptie_pct", None)),
                      style=style)
    note = frame.attrs["toelichting"]
    if not reeel:
        note += " Reële mutaties: --reeel."
    _print(table, output, note)


def _short_class(label: str) -> str:
    """'20.000 tot 50.000 inwoners' -> '20–50' (x 1.000), for a table that fits 80 columns."""
    def thousands(text: str) -> str:
        return fmt.number(int(text.replace(".", "")) / 1000)

    if label == "Alle gemeenten":
        return "alle"
    if match := re.fullmatch(r"minder dan ([\d.]+) inwoners", label):
        return f"< {thousands(match.group(1))}"
    if match := re.fullmatch(r"([\d.]+) tot ([\d.]+) inwoners", label):
        return f"{thousands(match.group(1))}–{thousands(match.group(2))}"
    if match := re.fullmatch(r"([\d.]+) inwoners of meer", label):
        return f"≥ {thousands(match.group(1))}"
    return label


def signalen(
    gemeente: Annotated[str | None, typer.Argument(help="GM-code of naam; leeg = alle "
                                                   "gemeenten")] = None,
    jaar: Annotated[int | None, typer.Option(help="Jaar (standaard: laatste).")] = None,
    document: DocumentOption = "jaarrekening", format: FormatOption = "table",
    output: OutputOption = None, home: HomeOption = None, data_dir: DataDirOption = None,
) -> None:
    """Signalen: meerjarige reële daling, uitschieters, stijgende inhuur, tekort uit reserves."""
    from schouders.indicators import api
    from schouders.indicators.output import check_format, write_frames

    with user_errors():
        check_format(format, output)
        settings = _settings(home, data_dir)
        frame = api.signals(settings, gemeente, jaar, document)
        if format != "table":
            write_frames({"signalen": frame}, format, output)
            return
    table = Table(title=f"Signalen ({document}, {len(frame)})")
    for column in ("gemeente", "signaal", "uitleg"):
        table.add_column(column)
    for row in frame.itertuples(index=False):
        table.add_row(f"{row.naam} ({row.gm_code})", row.titel, row.uitleg)
    _print(table, output)


def _print(table: Table, output: Path | None, note: str | None = None) -> None:
    if output is None:
        console.print(table)
        if note:
            console.print(f"[dim]{note}[/]")
        return
    with output.open("w", encoding="utf-8") as handle:
        file_console = Console(file=handle, width=160)
        file_console.print(table)
        if note:
            file_console.print(note)


COMMANDS: dict[str, Callable[..., None]] = {
    "indicators": indicators, "profiel": profiel, "vergelijk": vergelijk, "landelijk": landelijk,
    "signalen": signalen}
register(app)


if __name__ == "__main__":
    app()
