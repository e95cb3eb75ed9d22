"""``govchain consortium …``: ``init`` a consortium directory, ``up`` its nodes, ``status``.

Registered into the client's CLI through the ``govchain.cli`` entry point
``consortium = "govchain_node.consensus.consortium_cli:register"``. Every ``govchain`` invocation
imports this module, so the consortium machinery (py-evm via genesis, cryptography) is
imported inside the commands, not here.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from govchain_node.config import DEFAULT_CHAIN_ID
from govchain_node.errors import NodeError

if TYPE_CHECKING:
    import httpx

    from govchain_node.consensus.consortium import Consortium, NodeEntry

consortium_app = typer.Typer(
    help="Create and inspect a QBFT consortium of chain nodes.", no_args_is_help=True
)
DEFAULT_DIR = Path("consortium")


@consortium_app.callback()
def main() -> None:
    """Create and inspect a QBFT consortium of chain nodes."""


@consortium_app.command("init")
def init(
    validators: Annotated[int, typer.Option("--validators", help="Number of validators.")],
    members: Annotated[
        int, typer.Option(help="Non-validator member nodes (follow, serve RPC).")
    ] = 0,
    out: Annotated[Path, typer.Option(help="Directory to create.")] = DEFAULT_DIR,
    chain_id: Annotated[int, typer.Option(help="Chain id.")] = DEFAULT_CHAIN_ID,
    block_period: Annotated[float, typer.Option(help="Seconds between blocks.")] = 1.0,
    base_port: Annotated[
        int, typer.Option(help="Node i: RPC base+10i, WebSocket +1, p2p +2.")
    ] = 8545,
    host: Annotated[
        str, typer.Option(help="Where node i is reached; '{i}' is the index (node-{i}).")
    ] = "127.0.0.1",
    bind: Annotated[
        str | None, typer.Option(help="Address nodes bind (default: --host), e.g. 0.0.0.0.")
    ] = None,
    accounts: Annotated[int, typer.Option(help="Funded, allow-listed accounts.")] = 1,
) -> None:
    """Write genesis, keys, TLS material and node configs for a new consortium."""
    from govchain_node.consensus.consortium import ConsortiumSpec, init_consortium

    try:
        spec = ConsortiumSpec(
            validators=validators,
            members=members,
            chain_id=chain_id,
            block_period=block_period,
            base_port=base_port,
            host=host,
            bind=bind,
            accounts=accounts,
        )
        consortium = init_consortium(out, spec)
    except NodeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    typer.echo(f"consortium for chain {consortium.chain_id} written to {out}")
    for node in consortium.nodes:
        typer.echo(
            f"  {node.name:<8} {node.role.value:<9} 0x{node.address.hex()}  "
            f"rpc {node.rpc_url}  p2p {node.host}:{node.p2p_port}"
        )
    typer.echo(f"CA key: {out / 'ca' / 'ca.key'} (keep it offline)")


@dataclasses.dataclass(frozen=True)
class NodeStatus:
    """What ``status`` learned from one node's JSON-RPC (``None``: not running)."""

    node: NodeEntry
    height: int | None
    peers: int | None
    error: str = ""
    refused: bool = False  # nothing listens on the RPC port


def _rpc(client: httpx.Client, url: str, method: str) -> Any:
    response = client.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": []})
    response.raise_for_status()
    body = response.json()
    if "error" in body:
        raise LookupError(str(body["error"].get("message", body["error"])))
    return body["result"]


def query_node(node: NodeEntry, timeout: float) -> NodeStatus:
    """Height and peer count; ``net_peerCount`` is optional (older nodes lack it)."""
    import httpx

    with httpx.Client(timeout=timeout) as client:
        try:
            height = int(_rpc(client, node.rpc_url, "eth_blockNumber"), 16)
        except (httpx.HTTPError, ValueError, LookupError, TypeError) as exc:
            refused = isinstance(exc, httpx.ConnectError)
            return NodeStatus(node, None, None, f"{type(exc).__name__}: {exc}", refused)
        try:
            peers: int | None = int(_rpc(client, node.rpc_url, "net_peerCount"), 16)
        except (httpx.HTTPError, ValueError, LookupError, TypeError):
            peers = None
    return NodeStatus(node, height, peers)


def query_consortium(consortium: Consortium, timeout: float) -> list[NodeStatus]:
    """Every node, queried in parallel so that dead nodes cost one timeout in total."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=min(16, len(consortium.nodes))) as pool:
        return list(pool.map(lambda n: query_node(n, timeout), consortium.nodes))


@consortium_app.command("status")
def status(
    directory: Annotated[
        Path, typer.Option("--dir", help="Directory written by `consortium init`.")
    ] = DEFAULT_DIR,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each node.")] = 2.0,
) -> None:
    """Show each node's block height and peer count (or that it is not running)."""
    from govchain_node.consensus.consortium import Consortium

    try:
        consortium = Consortium.load(directory)
    except NodeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    typer.echo(f"chain {consortium.chain_id}, {len(consortium.validators)} validators")
    for result in query_consortium(consortium, timeout):
        node = result.node
        prefix = f"{node.name:<8} {node.role.value:<9} {node.rpc_url:<24}"
        if result.refused:
            typer.echo(f"{prefix} not running")
        elif result.height is None:
            typer.echo(f"{prefix} not answering ({result.error})")
        else:
            peers = "?" if result.peers is None else str(result.peers)
            typer.echo(f"{prefix} height {result.height:<8} peers {peers}")


@consortium_app.command("up")
def up(
    directory: Annotated[
        Path, typer.Option("--dir", help="Directory written by `consortium init`.")
    ] = DEFAULT_DIR,
    log_level: Annotated[str, typer.Option(help="Logging level of the nodes.")] = "INFO",
) -> None:
    """Run every node of the consortium as its own process until Ctrl-C.

    Separate processes (not tasks of one loop) so that one node's crash, GC pause or
    kill -9 is exactly what a real municipality's node would see. Each node's output
    goes to ``node-<i>/node.log``.
    """
    import signal
    import subprocess
    import sys
    import time

    from govchain_node.consensus.consortium import NODE_CONFIG_FILE, Consortium

    try:
        consortium = Consortium.load(directory)
    except NodeError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(code=2) from exc
    processes: list[subprocess.Popen[bytes]] = []
    stop_on_signals()
    try:
        for node in consortium.nodes:
            node_dir = consortium.node_dir(node)
            with (node_dir / "node.log").open("ab") as log_file:
                command = [sys.executable, "-m", "govchain_node", "run"]
                command += ["--config", str(node_dir / NODE_CONFIG_FILE)]
                command += ["--log-level", log_level]
                processes.append(
                    subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT)
                )
            typer.echo(f"{node.name:<8} {node.role.value:<9} rpc {node.rpc_url}  ws {node.ws_url}")
        typer.echo("consortium running; Ctrl-C stops it")
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
        for node, process in zip(consortium.nodes, processes, strict=False):
            if process.poll() is not None:
                log = consortium.node_dir(node) / "node.log"
                typer.echo(f"{node.name} exited with {process.returncode}; see {log}", err=True)
        raise typer.Exit(code=1)
    except KeyboardInterrupt:
        typer.echo("stopping")
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def stop_on_signals() -> None:
    """Turn SIGINT and SIGTERM into ``KeyboardInterrupt``, even where SIGINT was inherited
    as ignored (a background job of a non-interactive shell): ``up`` must always stop
    its nodes rather than leave them running."""
    import signal

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, interrupt)


def register(app: typer.Typer) -> None:
    app.add_typer(consortium_app, name="consortium")
