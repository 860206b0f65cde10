"""What every command-line module shares: consoles, Dutch error reporting, progress bars."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from schouders.errors import SchoudersError

console = Console()
error_console = Console(stderr=True)


@contextmanager
def user_errors() -> Iterator[None]:
    """Show SchoudersError as a clear message with exit code 1, never a traceback."""
    try:
        yield
    except SchoudersError as exc:
        error_console.print(f"[bold red]Fout:[/] {exc.message}")
        if exc.hint:
            error_console.print(exc.hint)
        raise typer.Exit(1) from None


def progress_bar(*, transient: bool = False) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=error_console,
        transient=transient,
    )
