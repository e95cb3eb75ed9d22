"""``govchain node …`` commands (registered into the client's CLI)."""

from __future__ import annotations

import typer

node_app = typer.Typer(help="Run and inspect a chain node.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(node_app, name="node")
