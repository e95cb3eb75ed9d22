"""Consortium nodes as real processes for tests: start them from ``consortium init``
output, talk JSON-RPC to them, wait for heights, and put TCP proxies between them.

Each node is ``python -m govchain_node run --config node-<i>/node.toml``, exactly what an
operator runs.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx

from govchain_node import tomlfile
from govchain_node.consensus.consortium import ConsortiumSpec, init_consortium
from govchain_node.consensus.driver import STATE_FILE
from govchain_node.consensus.qbft.encoding import decode_persisted
from tests.support.node_process import NodeProcess
from tests.support.process_output import wait_for_announcement
from tests.support.tcp_proxy import TcpProxy
from tests.support.waiting import wait_until

START_TIMEOUT = 30.0
T = TypeVar("T")


def _ports_free(base: int, count: int) -> bool:
    for index in range(count):
        for offset in (0, 1, 2):
            with socket.socket() as sock:
                try:
                    sock.bind(("127.0.0.1", base + 10 * index + offset))
                except OSError:
                    return False
    return True


def free_base_port(count: int) -> int:
    """A base port whose ``base + 10 i + {0, 1, 2}`` are all free a moment ago."""
    rng = random.Random()
    for _ in range(50):
        base = rng.randrange(20_000, 55_000, 10)
        if _ports_free(base, count):
            return base
    raise RuntimeError("no free port block found")


def rpc(url: str, method: str, params: list[Any] | None = None) -> Any:
    response = httpx.post(
        url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}, timeout=5
    )
    body = response.json()
    if "error" in body:
        raise RuntimeError(f"{method}: {body['error']}")
    return body["result"]


def height(url: str) -> int | None:
    """The node's head number, ``None`` while it does not answer."""
    try:
        return int(rpc(url, "eth_blockNumber"), 16)
    except (httpx.HTTPError, RuntimeError):
        return None


def block_hash(url: str, number: int) -> str | None:
    try:
        block = rpc(url, "eth_getBlockByNumber", [hex(number), False])
    except (httpx.HTTPError, RuntimeError):
        return None
    return None if block is None else str(block["hash"])


def all_at(minimum: int, urls: list[str]) -> bool:
    return all((height(url) or 0) >= minimum for url in urls)


def consensus_mark(node_dir: Path) -> tuple[int, int]:
    """The ``(height, round)`` a validator last entered, from its persisted QBFT record
    (``qbft-state`` in its data directory, written on entering every round)."""
    state_file = node_dir / STATE_FILE
    if not state_file.exists():
        return (0, 0)
    state = decode_persisted(state_file.read_bytes())
    return (state.height, state.round)


def stalled_height(node_dir: Path, url: str, mark: tuple[int, int]) -> int | None:
    """The head of a validator that, since ``mark`` (its :func:`consensus_mark` when it
    lost its quorum), sat out a whole round on the next height; ``None`` until then.

    A round entered after the mark and left by its timer is the node's own evidence that
    time passed inside it and nothing was finalised, which no wall-clock pause on the
    test's side proves. At a new height that is round 0, else the round after the mark's.
    """
    entered = consensus_mark(node_dir)
    head = height(url)
    if head is None or entered[0] != head + 1:
        return None
    needed = mark[1] + 2 if entered[0] == mark[0] else 1
    return head if entered[1] >= needed else None


def wait_stalled(
    node_dirs: list[Path], urls: list[str], marks: list[tuple[int, int]], timeout: float = 90.0
) -> list[int]:
    """Wait until every node has stalled since its mark (see :func:`stalled_height`);
    their heads. One block in flight when the quorum was lost may still be finalised."""
    heads: list[int | None] = [None] * len(urls)

    def all_stalled() -> bool:
        for index, (node_dir, url, mark) in enumerate(zip(node_dirs, urls, marks, strict=True)):
            heads[index] = stalled_height(node_dir, url, mark)
        return None not in heads

    wait_until("a whole round without a decision on every node", all_stalled, timeout)
    return [head for head in heads if head is not None]


def start_consortium_node(node_dir: Path) -> NodeProcess:
    """Start the node configured in ``node_dir/node.toml``; wait until its RPC listens."""
    args = [sys.executable, "-m", "govchain_node", "run", "--config", str(node_dir / "node.toml")]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [*args, "--log-level", "WARNING"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )

    def extract(line: str) -> str | None:
        return line.split()[-1] if line.startswith("rpc listening on ") else None

    url, output = wait_for_announcement(process, extract, START_TIMEOUT, "consortium node")
    if url is None:
        process.wait(timeout=10)
        raise RuntimeError("node exited before listening:\n" + "\n".join(output))
    return NodeProcess(process, url, output)


def init_local_consortium(out: Path, validators: int, members: int = 0) -> Path:
    """``consortium init`` into ``out`` on a block of free loopback ports."""
    spec = ConsortiumSpec(
        validators=validators, members=members, base_port=free_base_port(validators + members)
    )
    init_consortium(out, spec)
    return out


@contextlib.contextmanager
def running_nodes(directory: Path, count: int) -> Iterator[list[NodeProcess]]:
    """Start ``node-0 … node-(count-1)`` of ``directory``; terminate them all on exit.
    The list is the test's to change (a restarted node replaces its entry)."""
    started: list[NodeProcess] = []
    try:
        for index in range(count):
            started.append(start_consortium_node(directory / f"node-{index}"))
        yield started
    finally:
        for node in started:
            node.terminate()


class ProxyLoop:
    """TCP proxies served by an asyncio loop in a background thread, so that a
    synchronous test can cut and heal links between node processes."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._proxies: list[TcpProxy] = []

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    def proxy(self, target_port: int) -> tuple[TcpProxy, int]:
        """A new proxy to ``127.0.0.1:target_port``; returns it and its own port."""
        proxy = TcpProxy("127.0.0.1", target_port)
        port = self._run(proxy.start())
        self._proxies.append(proxy)
        return proxy, port

    def cut(self, proxies: list[TcpProxy]) -> None:
        self._run(_each(proxies, TcpProxy.cut))

    def heal(self, proxies: list[TcpProxy]) -> None:
        self._run(_each(proxies, TcpProxy.heal))

    def close(self) -> None:
        for proxy in self._proxies:
            self._run(proxy.stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


async def _each(proxies: list[TcpProxy], action: Callable[[TcpProxy], None]) -> None:
    """Apply ``action`` to every proxy inside the proxies' own loop."""
    for proxy in proxies:
        action(proxy)


def route_peers_through(node_toml: Path, route: Callable[[int], int]) -> None:
    """Rewrite the ``port`` of every ``[p2p] peers`` entry of ``node_toml`` with
    ``route(port)``; the node's own ``[p2p] port`` stays. Read and written by the node's
    own TOML reader and writer."""
    document = tomlfile.read(node_toml)
    for peer in document["p2p"]["peers"]:
        peer["port"] = route(peer["port"])
    tomlfile.write(node_toml, document)
