"""Start a ``--dev`` node in-process, for ``govchain up`` and for tests.

:func:`start_dev_node` runs the node on its own event loop in a daemon thread and
returns a :class:`DevNodeHandle` once the RPC ports are bound::

    handle = start_dev_node(tmp_path / "node", port=0)
    web3 = Web3(HTTPProvider(handle.rpc_url))
    key = handle.dev_accounts[0].private_key     # funded and allow-listed
    ...
    handle.stop()

Async callers that own a loop use :func:`run_dev_node` / ``Node`` directly.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from pathlib import Path
from typing import Any

from govchain_node.config import DEV_EMPTY_BLOCK_PERIOD, NodeConfig
from govchain_node.keys import DEV_ACCOUNTS_FILE, Account, load_dev_accounts
from govchain_node.permissions import SendPermission
from govchain_node.service import Node


@dataclasses.dataclass
class DevNodeHandle:
    """A running in-process node; ``stop()`` shuts it down and closes its store."""

    node: Node
    rpc_url: str
    ws_url: str
    chain_id: int
    data_dir: Path
    dev_accounts: list[Account]
    _loop: asyncio.AbstractEventLoop
    _thread: threading.Thread

    @property
    def validator(self) -> Account:
        return self.node.validator

    def call(self, function: Any, *args: Any) -> Any:
        """Run ``function(*args)`` on the node's event loop (thread-safe access)."""

        async def run() -> Any:
            return function(*args)

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(timeout=60)

    def set_issuer_registry(self, address: str | None) -> None:
        """Let the IssuerRegistry's active issuers send transactions (thread-safe)."""
        self.call(self.node.set_issuer_registry, address)

    def stop(self) -> None:
        if not self._loop.is_closed() and self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(self.node.stop(), self._loop).result(timeout=30)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=30)

    def __enter__(self) -> DevNodeHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_dev_node(
    data_dir: Path,
    *,
    port: int = 0,
    ws_port: int | None = None,
    host: str = "127.0.0.1",
    chain_id: int = 1337,
    block_period: float = 1.0,
    empty_block_period: float = DEV_EMPTY_BLOCK_PERIOD,
    permission: SendPermission | None = None,
    **settings: Any,
) -> DevNodeHandle:
    """Open (or create) a dev chain in ``data_dir`` and serve it; see the module docstring.

    ``port=0`` picks a free port; WebSocket is served on the same port unless
    ``ws_port`` is given. ``permission`` replaces the default send allow-list
    (genesis allow-list + validators). Extra ``settings`` are :class:`NodeConfig` fields.
    """
    config = NodeConfig(
        data_dir=Path(data_dir),
        dev=True,
        chain_id=chain_id,
        block_period=block_period,
        empty_block_period=empty_block_period,
        rpc_host=host,
        rpc_port=port,
        ws_port=ws_port,
        **settings,
    )
    node = Node.open(config, permission)
    loop = asyncio.new_event_loop()
    started = threading.Event()
    failure: list[BaseException] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(node.start())
        except BaseException as exc:
            failure.append(exc)
            started.set()
            loop.close()
            return
        started.set()
        loop.run_forever()
        loop.close()

    thread = threading.Thread(target=run, name="govchain-dev-node", daemon=True)
    thread.start()
    started.wait()
    if failure:
        node.ledger.close()
        raise failure[0]
    return DevNodeHandle(
        node=node,
        rpc_url=node.rpc_url,
        ws_url=node.ws_url,
        chain_id=config.chain_id,
        data_dir=config.data_dir,
        dev_accounts=load_dev_accounts(config.data_dir),
        _loop=loop,
        _thread=thread,
    )


async def run_dev_node(config: NodeConfig, ready: asyncio.Event | None = None) -> None:
    """Serve ``config`` on the running loop until cancelled."""
    node = Node.open(config)
    await node.start()
    print(f"rpc listening on {node.rpc_url}", flush=True)
    print(f"ws listening on {node.ws_url}", flush=True)
    accounts = (
        load_dev_accounts(config.data_dir) if (config.data_dir / DEV_ACCOUNTS_FILE).exists() else []
    )
    for account in accounts:
        keys = config.data_dir / DEV_ACCOUNTS_FILE
        print(f"dev account {account.checksum_address} (key in {keys})", flush=True)
    if ready is not None:
        ready.set()
    try:
        await asyncio.Event().wait()
    finally:
        await node.stop()
