"""The ``govchain`` command line.

The client package owns the entry point and the commands every user has (``hash``,
``verify``, ``notarize``).  Operators' commands (``node``, ``consortium``,
``notary``, ``up``) come from the node and notary packages, which register
themselves through the ``govchain.cli`` entry-point group: each entry names a
``register(app)`` callable.  So the client never imports them, and a client-only
install simply lacks those commands.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated

import typer

from govchain_core import __version__
from govchain_core.digest import digest_file

app = typer.Typer(
    name="govchain",
    help="Notarise documents on the municipal consortium chain and verify their receipts.",
    no_args_is_help=True,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"govchain {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """govchain: notarisation for a consortium of municipalities."""


@app.command("hash")
def hash_files(
    files: Annotated[list[Path], typer.Argument(help="Files to hash (streamed, never uploaded).")],
) -> None:
    """Print each file's digest as ``sha256:<hex>  FILE``."""
    failed = False
    for path in files:
        try:
            typer.echo(f"{digest_file(path)}  {path}")
        except OSError as exc:
            typer.echo(f"govchain hash: {path}: {exc.strerror or exc}", err=True)
            failed = True
    if failed:
        raise typer.Exit(1)


Registrar = Callable[[typer.Typer], None]


def _load_plugins(target: typer.Typer) -> None:
    for entry in entry_points(group="govchain.cli"):
        try:
            register: Registrar = entry.load()
        except ImportError as exc:  # a partly installed plugin must not break the CLI
            print(f"govchain: command group {entry.name!r} unavailable: {exc}", file=sys.stderr)
            continue
        register(target)


def main() -> None:
    _load_plugins(app)
    app()


if __name__ == "__main__":
    main()
