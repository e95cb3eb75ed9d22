"""``govchain node …`` commands (registered into the client's CLI)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Coroutine, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from govchain_node import tomlfile
from govchain_node.config import NodeConfig
from govchain_node.errors import NodeError

if TYPE_CHECKING:
    from govchain_node.p2p.settings import P2pSettings

node_app = typer.Typer(help="Run and inspect a chain node.", no_args_is_help=True)

DEFAULT_DATA_DIR = Path.home() / ".govchain" / "node"


@node_app.callback()
def main() -> None:
    """Run and inspect a chain node."""


@node_app.command("run")
def run(
    dev: Annotated[
        bool, typer.Option("--dev", help="Single validator; create genesis and keys.")
    ] = False,
    data_dir: Annotated[Path | None, typer.Option(help="Chain data and keys.")] = None,
    chain_id: Annotated[int | None, typer.Option(help="Chain id of a new dev chain.")] = None,
    block_period: Annotated[float | None, typer.Option(help="Seconds between blocks.")] = None,
    empty_block_period: Annotated[
        float | None, typer.Option(help="Seconds between empty blocks.")
    ] = None,
    block_gas_limit: Annotated[int | None, typer.Option(help="Block gas limit.")] = None,
    dev_accounts: Annotated[
        int | None, typer.Option(help="Funded, allow-listed accounts of a new dev chain.")
    ] = None,
    rpc_host: Annotated[str | None, typer.Option(help="JSON-RPC bind address.")] = None,
    rpc_port: Annotated[int | None, typer.Option(help="JSON-RPC HTTP port (0 = any).")] = None,
    ws_port: Annotated[int | None, typer.Option(help="JSON-RPC WebSocket port.")] = None,
    rpc_gas_cap: Annotated[
        int | None, typer.Option(help="Gas cap of eth_call / eth_estimateGas (default 50M).")
    ] = None,
    rpc_evm_timeout: Annotated[
        float | None,
        typer.Option(help="Seconds an eth_call / eth_estimateGas may run (default 5)."),
    ] = None,
    config: Annotated[Path | None, typer.Option("--config", help="TOML config file.")] = None,
    log_level: Annotated[str, typer.Option(help="Logging level.")] = "INFO",
) -> None:
    """Run a chain node until interrupted."""
    from govchain_node.dev import run_dev_node

    logging.basicConfig(
        level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    overrides = {
        "dev": dev or None,
        "data_dir": data_dir,
        "chain_id": chain_id,
        "block_period": block_period,
        "empty_block_period": empty_block_period,
        "block_gas_limit": block_gas_limit,
        "dev_accounts": dev_accounts,
        "rpc_host": rpc_host,
        "rpc_port": rpc_port,
        "ws_port": ws_port,
        "rpc_gas_cap": rpc_gas_cap,
        "rpc_evm_timeout": rpc_evm_timeout,
    }
    if data_dir is None and config is None:
        overrides["data_dir"] = DEFAULT_DATA_DIR
    try:
        values, p2p = _read_config(config, dev)
        settings = NodeConfig.load(None, {**values, **_given(overrides)})
        if p2p is None:
            asyncio.run(until_signalled(run_dev_node(settings)))
        else:
            from govchain_node.service import run_consortium_node

            asyncio.run(until_signalled(run_consortium_node(settings, p2p)))
    except NodeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from exc


async def until_signalled(main: Coroutine[Any, Any, None]) -> None:
    """Run ``main`` until it ends or SIGINT/SIGTERM cancels it (its cleanup still runs).

    Handlers are installed explicitly: a process started in the background by a
    non-interactive shell inherits SIGINT as ignored, so Python's KeyboardInterrupt would
    never come, and SIGTERM (``docker stop``, systemd) would end it without cleanup.
    """
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(main)
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, task.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await task


def _read_config(config: Path | None, dev: bool) -> tuple[dict[str, Any], P2pSettings | None]:
    """node.toml, read once: its node settings and (unless ``--dev``) its [p2p] section.

    With ``--dev`` the whole file is node settings, so a [p2p] section is refused as an
    unknown key rather than silently ignored.
    """
    if config is None:
        return {}, None
    if dev:
        return tomlfile.read(config), None
    # A consortium node.toml carries a [p2p] section NodeConfig does not know.
    from govchain_node.p2p.settings import read_node_toml

    node_toml = read_node_toml(config)
    return node_toml.values, node_toml.p2p


def _given(overrides: Mapping[str, object]) -> dict[str, object]:
    return {key: value for key, value in overrides.items() if value is not None}


def register(app: typer.Typer) -> None:
    app.add_typer(node_app, name="node")
