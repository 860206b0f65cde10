"""Command line: `schouders build | status | gemeente | reeks | ...` (Typer + Rich)."""

from __future__ import annotations

import numbers
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from schouders.cli_support import console, error_console, progress_bar, user_errors
from schouders.config import Settings, load_settings
from schouders.errors import SchoudersError

app = typer.Typer(
    help="Schouders: hoe sterk zijn de schouders van Nederlandse gemeenten?",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Lokale snapshotmap (bijv. ../shared/data) in plaats van live "
        "CBS; ook via SCHOUDERS_DATA_DIR.",
        show_default=False,
    ),
]
HomeOption = Annotated[
    Path | None,
    typer.Option(
        "--home", help="Map van het warehouse; ook via SCHOUDERS_HOME.", show_default=False
    ),
]


def settings_from(data_dir: Path | None, home: Path | None) -> Settings:
    return load_settings(data_dir=data_dir, home=home)


@app.command()
def build(data_dir: DataDirOption = None, home: HomeOption = None) -> None:
    """Bouw het warehouse (atomair: een afgebroken bouw laat het vorige warehouse intact)."""
    from schouders.warehouse.build import build_warehouse

    settings = settings_from(data_dir, home)
    with user_errors(), progress_bar() as bar:
        task = bar.add_task(f"Bron: {settings.source_label}", total=None)

        def report(step: str, done: int, total: int) -> None:
            bar.update(task, description=step, completed=done, total=total)

        result = build_warehouse(settings, report)
        # what every web worker needs, computed once here instead of in each worker
        bar.update(task, description="Indicatoren en voorberekende tabellen", completed=0,
                   total=None)
        from schouders.service.precompute import ensure_service_tables

        try:
            ensure_service_tables(settings)
            from schouders.web.app import build_chart_templates

            build_chart_templates(settings)
        except SchoudersError as exc:  # the warehouse itself is built and stays
            result.warnings.append(f"Indicatoren niet voorberekend: {exc.message} "
                                   f"{exc.hint or ''}".strip())
    console.print(f"Warehouse gebouwd in {result.seconds:.1f} s: {result.path}")
    if result.raw_snapshot is not None:
        console.print(f"Ruwe downloads bewaard (offline opnieuw te bouwen met --data-dir): "
                      f"{result.raw_snapshot}")
    for warning in result.warnings:
        error_console.print(f"[yellow]Waarschuwing:[/] {warning}")
    _print_status(settings)


@app.command()
def status(home: HomeOption = None) -> None:
    """Wat staat er in het warehouse: gemeenten per jaar, leveringen, rijen, herkomst."""
    with user_errors():
        _print_status(settings_from(None, home))


def _print_status(settings: Settings) -> None:
    from schouders.warehouse.status import warehouse_status
    from schouders.warehouse.store import open_warehouse

    con = open_warehouse(settings)
    try:
        state = warehouse_status(con)
    finally:
        con.close()
    console.print(f"[bold]Warehouse[/] {settings.warehouse_path}")
    console.print(f"Gebouwd op {state.meta['gebouwd_op']} uit {state.meta['bron']}")
    if state.stale:
        console.print(
            f"[yellow]Let op: het warehouse is {state.age_days:.0f} dagen oud; "
            "bouw opnieuw met 'schouders build' voor de nieuwste cijfers.[/]"
        )
    years = Table(title="Per jaar")
    for column in (
        "jaar",
        "gemeenten",
        "met inwoners",
        "begroting geleverd",
        "begroting ontbreekt",
        "jaarrekening geleverd",
        "jaarrekening ontbreekt",
    ):
        years.add_column(column, justify="right")
    for row in state.per_year.itertuples(index=False):
        years.add_row(*(str(value) for value in row))
    console.print(years)
    counts = Table(title="Rijen per tabel")
    counts.add_column("tabel")
    counts.add_column("rijen", justify="right")
    for name, count in state.row_counts.items():
        counts.add_row(name, f"{count:,}".replace(",", "."))
    console.print(counts)
    sources = Table(title="Herkomst")
    for column in ("onderdeel", "bron", "tabel", "opgehaald op", "rijen"):
        sources.add_column(column)
    for row in state.provenance.itertuples(index=False):
        sources.add_row(
            row.onderdeel, row.bron, _text(row.tabel), str(row.opgehaald_op)[:19], str(row.rijen)
        )
    console.print(sources)


@app.command()
def gemeente(
    naam_of_code: Annotated[str, typer.Argument(help="GM-code (GM0363) of naam (ook met typfout)")],
    home: HomeOption = None,
) -> None:
    """Basisgegevens van een gemeente: code, provincie, inwoners, leveringen, herindelingen."""
    from schouders.warehouse.lookup import resolve_municipality
    from schouders.warehouse.profile import basic_facts
    from schouders.warehouse.store import open_warehouse

    with user_errors():
        con = open_warehouse(settings_from(None, home))
        try:
            municipality = resolve_municipality(con, naam_of_code)
            facts = basic_facts(con, municipality.gm_code)
        finally:
            con.close()
    console.print(f"[bold]{municipality.label}[/]")
    if facts.provincie:
        console.print(f"Provincie: {facts.provincie}")
    table = Table(title="Per jaar (lasten x €1.000, excl. mutaties reserves)")
    for column in ("jaar", "inwoners", "begroting", "jaarrekening"):
        table.add_column(column, justify="right")
    for row in facts.years.itertuples(index=False):
        table.add_row(
            str(row.jaar), _number(row.inwoners), _amount(row.begroting), _amount(row.jaarrekening)
        )
    console.print(table)
    for line in facts.herindelingen:
        console.print(f"• {line}")


def _number(value: object) -> str:
    """A whole number, rounded half away from zero (never truncated), with Dutch thousands."""
    if not isinstance(value, numbers.Real) or value != value:  # None, NA or NaN
        return "–"
    rounded = int(Decimal(repr(float(value))).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return f"{rounded:,}".replace(",", ".")


def _amount(value: object) -> str:
    if isinstance(value, str):
        return value
    return _number(value)


@app.command()
def reeks(
    naam_of_code: Annotated[str, typer.Argument(help="GM-code of naam")],
    peiljaar: Annotated[
        int | None, typer.Option(help="Indeling van dit jaar (standaard: laatste)")
    ] = None,
    document: Annotated[str, typer.Option(help="begroting of jaarrekening")] = "jaarrekening",
    taakveld: Annotated[
        str, typer.Option(help="'*' = totaal, '0'..'8' hoofdtaakveld, of taakveldcode")
    ] = "*",
    categorie: Annotated[str, typer.Option(help="'*' = alle categorieën")] = "*",
    kant: Annotated[str, typer.Option(help="lasten of baten")] = "lasten",
    home: HomeOption = None,
) -> None:
    """Tijdreeks op de grenzen van een peiljaar (voorgangers opgeteld, per inwoner herberekend)."""
    from schouders.warehouse.harmonise import harmonised_series
    from schouders.warehouse.lookup import resolve_municipality
    from schouders.warehouse.store import open_warehouse

    with user_errors():
        if document not in ("begroting", "jaarrekening") or kant not in ("lasten", "baten"):
            raise SchoudersError(
                "Ongeldige keuze voor --document of --kant.",
                "Gebruik --document begroting|jaarrekening en --kant lasten|baten.",
            )
        con = open_warehouse(settings_from(None, home))
        try:
            municipality = resolve_municipality(con, naam_of_code)
            series = harmonised_series(
                con,
                municipality.gm_code,
                reference_year=peiljaar,
                document=document,
                taakveld=taakveld,
                categorie=categorie,
                kant=kant,
            )
        finally:
            con.close()
    console.print(
        f"[bold]{municipality.label}[/] op de grenzen van {series.reference_year}; "
        f"{document}, {kant}, taakveld {taakveld}, categorie {categorie}"
    )
    if len(series.predecessors) > 1:
        parts = ", ".join(
            f"{row.naam} ({row.van_code}, aandeel {row.aandeel:.2f})"
            for row in series.predecessors.itertuples()
        )
        console.print(f"Opgeteld uit: {parts}")
    table = Table()
    for column in ("jaar", "x €1.000", "inwoners", "€ per inwoner", "status"):
        table.add_column(column, justify="right")
    for row in series.values.itertuples(index=False):
        if row.status == "onvolledig" and row.ontbrekend:
            status_text = f"onvolledig: ontbreekt {row.ontbrekend}"
        elif row.status == "ontbreekt" and row.voorgangers > 1 and row.ontbrekend:
            status_text = f"ontbreekt: {row.ontbrekend}"
        else:
            status_text = row.status
        if isinstance(row.opgenomen, str):
            status_text += f"; bevat {row.opgenomen}"
        table.add_row(
            str(row.jaar),
            _number(row.bedrag),
            _number(row.inwoners),
            _number(row.per_inwoner_eur),
            status_text,
        )
    console.print(table)
    for row in series.breaks.itertuples(index=False):
        console.print(
            f"[yellow]Definitiebreuk {row.jaar}[/]: {row.codelijst} {row.code} "
            f"{row.soort} ({_text(row.oud)} → {_text(row.nieuw)})"
        )


def _text(value: object) -> str:
    return value if isinstance(value, str) and value else "–"


@app.command()
def levering(
    bestand: Annotated[Path, typer.Argument(help="Iv3 JSON-levering van een gemeente")],
    definities: Annotated[
        Path | None,
        typer.Option(help="Map met de officiële Iv3-definities (standaard: "
                     "<data-dir>/cbs_iv3_definities)"),
    ] = None,
    data_dir: DataDirOption = None,
    home: HomeOption = None,
) -> None:
    """Laad een eigen Iv3 JSON-levering als concept (naast de CBS-cijfers, nooit eroverheen)."""
    from schouders.warehouse.concept import add_concept_delivery

    with user_errors():
        result = add_concept_delivery(settings_from(data_dir, home), bestand, definities)
    delivery = result.delivery
    console.print(
        f"{result.document} {delivery.jaar} van {delivery.gm_code} geladen "
        f"({len(delivery.facts)} regels, schema {delivery.schema_version}); "
        f"bewaard als {result.stored_as}"
    )


@app.command()
def serve(
    data_dir: DataDirOption = None,
    home: HomeOption = None,
    port: Annotated[int, typer.Option(help="Poort van de webapp.")] = 8000,
    host: Annotated[
        str, typer.Option(help="Adres; 0.0.0.0 maakt de app bereikbaar voor anderen.")
    ] = "127.0.0.1",
    workers: Annotated[
        int | None,
        typer.Option(help="Aantal werkprocessen (standaard 2 per CPU, hoogstens 4).",
                     show_default=False),
    ] = None,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option("--forwarded-allow-ips",
                     help="Adres(sen) van een vertrouwde reverse proxy (komma's of CIDR); "
                          "alleen dan telt X-Forwarded-For als adres van de bezoeker. "
                          "Standaard: SCHOUDERS_FORWARDED_ALLOW_IPS, anders geen.",
                     show_default=False),
    ] = None,
) -> None:
    """Start de webapp (monitor, API en instrumenten) op http://HOST:PORT."""
    from schouders.web.server import serve as serve_app

    settings = settings_from(data_dir, home)
    if not settings.warehouse_path.exists():
        error_console.print(
            f"[yellow]Let op:[/] nog geen warehouse in {settings.warehouse_path}; "
            "draai eerst `schouders build` (de pagina's zeggen het ook)."
        )
    console.print(f"Schouders starten op http://{host}:{port}/ (stoppen: Ctrl+C)")
    with user_errors():
        serve_app(settings, host=host, port=port, workers=workers,
                  forwarded_allow_ips=forwarded_allow_ips)


def _register_subcommands() -> None:
    from schouders.indicators.cli import register
    from schouders.instruments.cli import instruments_cli

    register(app)
    app.add_typer(instruments_cli, name="instrumenten")


_register_subcommands()


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        error_console.print("Afgebroken.")
        sys.exit(130)


if __name__ == "__main__":
    main()
