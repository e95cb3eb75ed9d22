"""``govchain notary …`` and ``govchain up`` (registered into the client's CLI)."""

from __future__ import annotations

import typer

notary_app = typer.Typer(help="Run and administer a notary.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(notary_app, name="notary")
