"""Command line for the instruments: ``schouders instrumenten init-db | gebruiker-toevoegen | ...``.

The main CLI (`schouders.cli`) adds this Typer app:
``app.add_typer(instruments_cli, name="instrumenten")``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from schouders.cli_support import console, user_errors
from schouders.config import load_settings
from schouders.errors import SchoudersError
from schouders.platform.access import MEMBER_ROLES
from schouders.platform.audit import CLI
from schouders.platform.config import platform_config
from schouders.platform.db import Database

instruments_cli = typer.Typer(
    help="Instrumenten: APK beleid en wettelijk kader en visitatie (database en accounts).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

HomeOption = Annotated[
    Path | None,
    typer.Option("--home", help="Map met de gegevens; ook via SCHOUDERS_HOME.", show_default=False),
]
UrlOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="SQLAlchemy-URL; ook via SCHOUDERS_DATABASE_URL (standaard SQLite in de home-map).",
        show_default=False,
    ),
]


@contextmanager
def _database(home: Path | None, database_url: str | None) -> Iterator[Database]:
    from schouders.platform.migrate import upgrade

    config = platform_config(load_settings(home=home), database_url)
    db = Database(config.database_url)
    try:
        upgrade(db)
        yield db
    finally:
        db.dispose()


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@instruments_cli.command("init-db")
def init_db(home: HomeOption = None, database_url: UrlOption = None) -> None:
    """Maak de database aan of breng hem naar het nieuwste schema (veilig om te herhalen)."""
    from schouders.platform.migrate import current_revision

    with user_errors(), _database(home, database_url) as db:
        revision = current_revision(db)
        console.print(f"Database klaar: {_safe_url(db.url)} (schema {revision})")


@instruments_cli.command("wachtwoord-instellen")
def set_password(
    email: Annotated[str, typer.Argument(help="E-mailadres van het account")],
    wachtwoord: Annotated[
        str | None,
        typer.Option(help="Nieuw wachtwoord (standaard: wordt gevraagd, niet zichtbaar)",
                     show_default=False),
    ] = None,
    home: HomeOption = None,
    database_url: UrlOption = None,
) -> None:
    """Stel een nieuw wachtwoord in (bijvoorbeeld voor een beheerder die het zijne kwijt is).
    Alle sessies van het account worden beëindigd; het staat in het auditlog."""
    from sqlalchemy import select

    from schouders.platform.accounts import normalise_email, reset_password
    from schouders.platform.models import User

    if wachtwoord is None:
        wachtwoord = typer.prompt("Nieuw wachtwoord", hide_input=True, confirmation_prompt=True)
    with user_errors(), _database(home, database_url) as db, db.transaction() as session:
        user = session.scalar(select(User).where(User.email == normalise_email(email)))
        if user is None:
            raise SchoudersError(f"Geen account met e-mailadres {email}.")
        reset_password(session, user, wachtwoord, actor=CLI)
    console.print(f"Nieuw wachtwoord ingesteld voor {normalise_email(email)}.")


@instruments_cli.command("gebruiker-toevoegen")
def add_user(
    email: Annotated[str, typer.Argument(help="E-mailadres (inlognaam)")],
    naam: Annotated[str, typer.Option(help="Naam van de gebruiker")] = "",
    wachtwoord: Annotated[
        str | None,
        typer.Option(help="Wachtwoord (standaard: wordt gevraagd, niet zichtbaar)",
                     show_default=False),
    ] = None,
    beheerder: Annotated[bool, typer.Option(help="Maak de gebruiker beheerder")] = False,
    gemeente: Annotated[
        str | None, typer.Option(help="GM-code van de gemeente voor een rol", show_default=False)
    ] = None,
    gemeentenaam: Annotated[
        str | None,
        typer.Option(help="Naam van de gemeente (nodig als die nog geen toegang heeft)",
                     show_default=False),
    ] = None,
    rol: Annotated[str, typer.Option(help="respondent, coordinator of analist")] = "coordinator",
    home: HomeOption = None,
    database_url: UrlOption = None,
) -> None:
    """Voeg een gebruiker toe, bijvoorbeeld de eerste beheerder."""
    from schouders.instruments.municipalities import code_problem
    from schouders.platform.accounts import add_municipality, create_user, set_membership
    from schouders.platform.models import Municipality

    if wachtwoord is None:
        wachtwoord = typer.prompt("Wachtwoord", hide_input=True, confirmation_prompt=True)
    with user_errors():
        if beheerder and gemeente:
            raise SchoudersError("Een beheerder krijgt geen rol in een gemeente.",
                                 "Beheerders zien geen antwoorden; maak een apart account.")
        if not beheerder and not gemeente:
            raise SchoudersError("Geef --beheerder of --gemeente GMxxxx op.",
                                 "Een gebruiker zonder rol kan niets.")
        if gemeente and rol not in MEMBER_ROLES:
            raise SchoudersError(f"Onbekende rol {rol!r}.",
                                 "Kies respondent, coordinator of analist.")
        with _database(home, database_url) as db, db.transaction() as session:
            user = create_user(session, email, naam or email.split("@")[0], wachtwoord,
                               is_admin=beheerder, actor=CLI)
            if gemeente:
                code = gemeente.strip().upper()
                if session.get(Municipality, code) is None:
                    problem = code_problem(load_settings(home=home), code)
                    if problem:
                        raise SchoudersError(problem)
                    if not gemeentenaam:
                        raise SchoudersError(f"Gemeente {code} heeft nog geen toegang.",
                                             "Geef ook --gemeentenaam op.")
                    add_municipality(session, code, gemeentenaam, actor=CLI)
                set_membership(session, user, code, rol, actor=CLI)
            summary = f"{user.email}" + (" (beheerder)" if beheerder else "") + (
                f", {rol} in {gemeente.upper()}" if gemeente else "")
    console.print(f"Gebruiker toegevoegd: {summary}")


@instruments_cli.command("ronde-exporteren")
def export_round_command(
    ronde_id: Annotated[int, typer.Argument(help="Nummer van de ronde")],
    bestand: Annotated[Path, typer.Argument(help="Doelbestand (.json)")],
    home: HomeOption = None,
    database_url: UrlOption = None,
) -> None:
    """Schrijf een visitatieronde met alle antwoorden (gepseudonimiseerd) naar JSON."""
    from schouders.instruments.exchange import export_round
    from schouders.instruments.models import Round
    from schouders.platform.access import NotFound

    with user_errors(), _database(home, database_url) as db, db.transaction() as session:
        round_ = session.get(Round, ronde_id)
        if round_ is None:
            raise NotFound(f"Ronde {ronde_id}")
        data = export_round(session, round_, actor=CLI)
        bestand.parent.mkdir(parents=True, exist_ok=True)
        temporary = bestand.with_name(bestand.name + ".tmp")
        temporary.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        temporary.replace(bestand)
    console.print(
        f"Ronde {ronde_id} geëxporteerd naar {bestand} "
        f"({len(data['respondenten'])} respondenten)."
    )


@instruments_cli.command("ronde-importeren")
def import_round_command(
    bestand: Annotated[Path, typer.Argument(help="Export (.json) van 'ronde-exporteren'")],
    home: HomeOption = None,
    database_url: UrlOption = None,
) -> None:
    """Lees een geëxporteerde ronde in; een ongeldig bestand wordt geweigerd, er wordt dan niets
    geschreven."""
    from schouders.instruments.exchange import import_round, parse_export

    with user_errors():
        try:
            text = bestand.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SchoudersError(f"Kan {bestand} niet lezen: {exc}") from None
        data = parse_export(text)
        with _database(home, database_url) as db, db.transaction() as session:
            round_ = import_round(session, data, CLI)
            round_id, gm_code = round_.id, round_.gm_code
    console.print(
        f"Ronde geïmporteerd als nummer {round_id} voor {gm_code} "
        f"({len(data['respondenten'])} respondenten)."
    )
