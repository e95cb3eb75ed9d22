"""``govchain notary …`` (registered into the client's CLI).

``clients add|list|revoke`` administer API keys straight in the notary's database;
``check-tiles`` checks the stored log tiles against the leaves and anchored roots;
``run`` serves the API with uvicorn.  Settings come from ``GOVCHAIN_NOTARY_*`` and
the config file, as for the server, with a few options on top.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer

from govchain_notary.errors import NotaryError
from govchain_notary.settings import Settings, load_settings
from govchain_notary.storage.engine import make_engine, migrate
from govchain_notary.storage.sql import SqlStore

notary_app = typer.Typer(help="Run and administer a notary.", no_args_is_help=True)
clients_app = typer.Typer(help="API clients and their keys.", no_args_is_help=True)
notary_app.add_typer(clients_app, name="clients")

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Data directory (default: ./govchain-data).")
]
DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="SQLAlchemy URL (default: SQLite in data dir).")
]


def register(app: typer.Typer) -> None:
    app.add_typer(notary_app, name="notary")
    app.command("up")(up)


def up(
    data_dir: Annotated[Path, typer.Option(help="Data directory.")] = Path("govchain-data"),
    host: Annotated[str, typer.Option(help="Listen address of notary and node.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Notary API and web verifier port.")] = 8000,
    rpc_port: Annotated[int, typer.Option(help="Node JSON-RPC port.")] = 8545,
    ws_port: Annotated[int, typer.Option(help="Node WebSocket port.")] = 8546,
    block_period: Annotated[float, typer.Option(help="Seconds per block.")] = 1.0,
    empty_block_period: Annotated[
        float, typer.Option(help="Seconds between empty blocks of the idle dev chain.")
    ] = 5.0,
) -> None:
    """Start a dev node, the notary and the web verifier in one command (Ctrl-C stops)."""
    from govchain_notary.up import UpOptions, run_up  # the node loads only for ``up``

    options = UpOptions(data_dir, host, port, rpc_port, ws_port, block_period, empty_block_period)
    try:
        run_up(options, typer.echo)
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl-C once it has shut down
        typer.echo("govchain up: stopped")
    except NotaryError as exc:
        typer.echo(f"govchain up: {exc}", err=True)
        raise typer.Exit(1) from exc


def _settings(data_dir: Path | None, database_url: str | None) -> Settings:
    overrides: dict[str, object] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if database_url is not None:
        overrides["database_url"] = database_url
    try:
        return load_settings(**overrides)
    except NotaryError as exc:
        typer.echo(f"govchain notary: {exc}", err=True)
        raise typer.Exit(2) from exc


def _store(settings: Settings) -> SqlStore:
    engine = make_engine(settings.effective_database_url, settings.sqlite_synchronous, 1)
    migrate(engine)
    return SqlStore(engine)


@clients_app.command("add")
def clients_add(
    name: Annotated[str, typer.Argument(help="A unique name, e.g. the office.")],
    scope: Annotated[
        list[str],
        typer.Option("--scope", "-s", help="action:kind, e.g. submit:certificate, status:*"),
    ],
    issuer: Annotated[
        str | None, typer.Option(help="Issuer address (default: the notary's first issuer).")
    ] = None,
    rate: Annotated[float | None, typer.Option(help="Requests per second.")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create a client and print its API key (shown only once)."""
    from govchain_notary.auth import new_client

    settings = _settings(data_dir, database_url)
    store = _store(settings)
    try:
        client, key = new_client(
            store,
            name,
            issuer or settings.issuer_addresses[0],
            scope,
            rate or settings.default_client_rate,
        )
    except (ValueError, NotaryError) as exc:
        typer.echo(f"govchain notary clients add: {exc}", err=True)
        raise typer.Exit(1) from exc
    finally:
        store.close()
    typer.echo(f"client {client.name} (issuer {client.issuer}, scopes {' '.join(client.scopes)})")
    typer.echo(key)


@clients_app.command("list")
def clients_list(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """List clients (never their keys)."""
    store = _store(_settings(data_dir, database_url))
    try:
        for client in store.list_clients():
            state = "revoked" if client.revoked else "active"
            typer.echo(
                f"{client.name}\t{client.issuer}\t{' '.join(client.scopes)}"
                f"\t{client.rate_limit:g}/s\t{state}"
            )
    finally:
        store.close()


@clients_app.command("revoke")
def clients_revoke(name: str, data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Revoke a client's key at once."""
    store = _store(_settings(data_dir, database_url))
    try:
        if not store.revoke_client(name):
            typer.echo(f"govchain notary clients revoke: no client named {name!r}", err=True)
            raise typer.Exit(1)
    finally:
        store.close()
    typer.echo(f"revoked {name}")


@notary_app.command("check-tiles")
def check_tiles(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Recompute every issuer's log tiles from its leaves and compare them with the
    stored ones and with the anchored checkpoints' roots (exit 1 on any difference)."""
    from govchain_notary.tile_check import check_all

    store = _store(_settings(data_dir, database_url))
    try:
        reports = check_all(store)
    finally:
        store.close()
    for report in reports:
        state = "ok" if report.ok else f"{len(report.problems)} problem(s)"
        typer.echo(
            f"{report.issuer}: {report.size} leaves, {report.tiles} tiles, "
            f"{report.checkpoints} anchored checkpoints: {state}"
        )
        for problem in report.problems:
            typer.echo(f"  {problem}")
    if not all(report.ok for report in reports):
        typer.echo("govchain notary check-tiles: the stored tiles do not match", err=True)
        raise typer.Exit(1)


@notary_app.command("run")
def run(
    host: Annotated[str | None, typer.Option(help="Listen address.")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port.")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    reader: Annotated[
        bool, typer.Option("--reader", help="Serve as a read-only replica (role = reader).")
    ] = False,
    readers: Annotated[
        int,
        typer.Option(
            min=0, help="Also start this many reader processes, on the ports after --port."
        ),
    ] = 0,
) -> None:
    """Serve the notary API (and the web verifier at /)."""
    import multiprocessing

    from govchain_notary.logs import configure_logging

    settings = _settings(data_dir, database_url)
    if reader:
        settings = settings.model_copy(update={"role": "reader"})
    configure_logging(settings.log_level)
    address = host or settings.host
    first = port if port is not None else settings.port
    if readers and settings.role == "writer":
        _store(settings).close()  # migrated before any reader opens the database
    context = multiprocessing.get_context("spawn")
    replica = settings.model_copy(update={"role": "reader"})
    children = []
    for reader_port in range(first + 1, first + 1 + readers):
        child = context.Process(target=_serve_reader, args=(replica, address, reader_port))
        child.start()
        children.append(child)
        typer.echo(f"govchain notary: reader on http://{address}:{reader_port}")
    try:
        serve(settings, address, first)
    finally:
        for child in children:
            child.terminate()
            child.join(10)


def _serve_reader(settings: Settings, host: str, port: int) -> None:
    """A reader started by ``run --readers``: it ends with the writer's process, which
    uvicorn ends by re-raising SIGTERM or SIGINT (its ``finally`` never runs then)."""
    if sys.platform == "linux":
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGTERM)
        if os.getppid() == 1:  # the writer ended before the line above
            return
    serve(settings, host, port)


def serve(settings: Settings, host: str, port: int) -> None:
    """One notary process under uvicorn: the writer, or a reader (``settings.role``)."""
    import uvicorn

    from govchain_notary.app import create_app
    from govchain_notary.http_limits import BoundedHttpToolsProtocol
    from govchain_notary.logs import configure_logging

    configure_logging(settings.log_level)
    app = create_app(settings)
    uvicorn.run(app, host=host, port=port, log_config=None, http=BoundedHttpToolsProtocol)
