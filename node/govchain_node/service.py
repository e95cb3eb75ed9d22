"""The running node: opens the data dir, wires ledger, pool, consensus and RPC.

``Node.open(config)`` prepares everything synchronously (creating the ``--dev`` genesis,
validator key and dev account on first start); ``await node.start()`` binds the RPC
ports and starts block production; ``await node.stop()`` undoes both and closes the
store. Everything runs on one asyncio event loop, except that the dev producer builds
and commits each block in a worker thread while the loop keeps serving reads, and
``eth_call`` / ``eth_estimateGas`` execute on the call executor's threads
(:mod:`govchain_node.rpc.calls`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from eth.abc import BlockHeaderAPI, StateAPI
from eth_typing import Address

from govchain_node.chain import CommittedBlock, Ledger
from govchain_node.config import NodeConfig
from govchain_node.consensus.factory import Consensus, build_consensus
from govchain_node.errors import ConfigError
from govchain_node.execution import CallRequest, Execution
from govchain_node.genesis import GenesisSpec, dev_genesis
from govchain_node.keys import (
    DEV_ACCOUNTS_FILE,
    Account,
    dev_accounts_from_mnemonic,
    load_dev_accounts,
    load_or_create_validator_key,
    write_dev_accounts,
)
from govchain_node.permissions import AllowList, AnyOf, RegistryPermission, SendPermission
from govchain_node.rpc.calls import CallExecutor
from govchain_node.rpc.index import JsonIndex
from govchain_node.rpc.methods import EthMethods
from govchain_node.rpc.qbft_methods import QbftMethods
from govchain_node.rpc.server import RpcServer
from govchain_node.rpc.subscriptions import Subscriptions
from govchain_node.storage import LmdbStore
from govchain_node.txpool import TxPool

if TYPE_CHECKING:
    from govchain_node.p2p.settings import P2pSettings

log = logging.getLogger(__name__)
CHAINDATA_DIR = "chaindata"


def prepare_data_dir(
    config: NodeConfig, require_validator: bool = True
) -> tuple[GenesisSpec, Account]:
    """Load (or, in dev mode, create) genesis and the validator key.

    A consortium member's key signs only its p2p hello, so ``require_validator=False``
    lets a key outside the genesis validator set through.
    """
    data_dir = config.data_dir
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    genesis = GenesisSpec.load(data_dir)
    validator = load_or_create_validator_key(data_dir)
    if genesis is None:
        if not config.dev:
            raise ConfigError(
                f"{data_dir} has no genesis.json; run with --dev or init a consortium"
            )
        dev_path = data_dir / DEV_ACCOUNTS_FILE
        accounts = (
            load_dev_accounts(data_dir)
            if dev_path.exists()
            else dev_accounts_from_mnemonic(config.dev_mnemonic, config.dev_accounts)
        )
        genesis = dev_genesis(
            config.chain_id,
            int(time.time()),
            config.block_gas_limit,
            validator.address,
            [a.address for a in accounts],
        )
        write_dev_accounts(data_dir, config.chain_id, accounts)
        genesis.save(data_dir)
    if genesis.chain_id != config.chain_id:
        raise ConfigError(
            f"chain id {config.chain_id} does not match the data dir's genesis ({genesis.chain_id})"
        )
    if require_validator and validator.address not in genesis.validators:
        raise ConfigError("the validator key in the data dir is not a genesis validator")
    return genesis, validator


class Node:
    """A single node; implements :class:`govchain_node.rpc.methods.NodeView`."""

    def __init__(
        self,
        config: NodeConfig,
        genesis: GenesisSpec,
        validator: Account,
        permission: SendPermission | None = None,
        p2p: P2pSettings | None = None,
    ) -> None:
        self.config = config
        self.genesis = genesis
        self.validator = validator
        self.ledger = Ledger(LmdbStore(config.data_dir / CHAINDATA_DIR), genesis)
        self.subscriptions = Subscriptions()
        self.execution = Execution(self.ledger, config.rpc_gas_cap)
        #: The RPC's JSON index, written in every block's commit.
        self.index = JsonIndex(self.ledger)
        self._head_state: tuple[bytes, StateAPI] | None = None
        self.issuers = RegistryPermission(self._static_call, lambda: self.ledger.head.hash)
        if config.issuer_registry is not None:
            self.issuers.set_registry(bytes.fromhex(config.issuer_registry.removeprefix("0x")))
        self.permission = permission or AnyOf(
            AllowList(genesis.allow_list), AllowList(genesis.validators), self.issuers
        )
        self.pool = TxPool(
            chain_id=genesis.chain_id,
            block_gas_limit=config.block_gas_limit,
            limits=config.txpool,
            permission=self.permission,
            accounts=self._head_account,
        )
        self.block_listeners: list[Callable[[CommittedBlock], None]] = []
        #: The ``--dev`` producer, or the QBFT driver with a [p2p] section.
        self.consensus: Consensus = build_consensus(self, config, genesis, validator, p2p)
        self.calls = CallExecutor(
            workers=config.rpc_call_workers,
            queue=config.rpc_call_queue,
            timeout=config.rpc_evm_timeout,
            on_cancelled=self.ledger.forget_call_states,
        )
        self.methods = EthMethods(self, self.calls)
        self.methods.table.update(QbftMethods(self.ledger, self.consensus.votes).table)
        self.server = RpcServer(
            self.methods.dispatch,
            self.subscriptions,
            max_body_bytes=config.max_body_bytes,
            max_batch_size=config.max_batch_size,
            max_subscriptions=config.max_subscriptions_per_connection,
        )
        self.http_port: int | None = None
        self.ws_port: int | None = None

    @classmethod
    def open(
        cls,
        config: NodeConfig,
        permission: SendPermission | None = None,
        p2p: P2pSettings | None = None,
    ) -> Node:
        """Open the data dir; with ``p2p`` the node joins a consortium over the network."""
        member = False
        if p2p is not None:  # a --dev node never loads the p2p package
            from govchain_node.p2p.identity import Role

            member = p2p.identity.role is Role.MEMBER
        genesis, validator = prepare_data_dir(config, require_validator=not member)
        return cls(config, genesis, validator, permission, p2p)

    # ----------------------------------------------------------------- NodeView

    def set_issuer_registry(self, address: str | None) -> None:
        """Admit the active issuers of this IssuerRegistry as senders from now on."""
        raw = None if address is None else bytes.fromhex(address.removeprefix("0x"))
        self.issuers.set_registry(raw)

    def _static_call(self, to: bytes, data: bytes) -> bytes:
        """A read-only call at the head, straight to the execution layer."""
        return self.execution.call(CallRequest(to=to, data=data), self.ledger.head)

    def _state(self) -> StateAPI:
        head = self.ledger.head
        if self._head_state is None or self._head_state[0] != head.hash:
            self._head_state = (head.hash, self.ledger.state_at(head))
        return self._head_state[1]

    def nonce_of(self, address: bytes) -> int:
        """The account's nonce at the head (what the pool needs to order transactions)."""
        return self._head_account(address)[0]

    def _head_account(self, address: bytes) -> tuple[int, int]:
        state = self._state()
        return int(state.get_nonce(Address(address))), int(state.get_balance(Address(address)))

    def account(self, header: BlockHeaderAPI, address: bytes) -> tuple[int, int]:
        if header.hash == self.ledger.head.hash:
            return self._head_account(address)
        state = self.ledger.state_at(header)
        return int(state.get_nonce(Address(address))), int(state.get_balance(Address(address)))

    def peer_count(self) -> int:
        return self.consensus.peer_count

    def submit(self, raw: bytes) -> bytes:
        pooled = self.pool.add_raw(raw)
        self.consensus.transaction_submitted(raw)
        self.transaction_pooled(pooled.hash)
        return pooled.hash

    def transaction_pooled(self, tx_hash: bytes) -> None:
        """A transaction entered the pool (submitted here or gossiped by a peer)."""
        self.subscriptions.publish_pending(tx_hash)

    def committed(self, block: CommittedBlock) -> None:
        """A block became the head (produced, finalised by QBFT or synced)."""
        self._head_state = None
        self.subscriptions.publish_block(self.index.views(block.header))
        for listener in self.block_listeners:
            listener(block)

    # ----------------------------------------------------------------- lifecycle

    @property
    def rpc_url(self) -> str:
        return f"http://{self.config.rpc_host}:{self.http_port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.config.rpc_host}:{self.ws_port or self.http_port}"

    async def start(self) -> None:
        ports = [self.config.rpc_port]
        if self.config.ws_port is not None:
            ports.append(self.config.ws_port)
        bound = await self.server.start(self.config.rpc_host, ports)
        self.http_port = bound[0]
        self.ws_port = bound[1] if len(bound) > 1 else bound[0]
        await self.consensus.start()

    async def stop(self) -> None:
        # In-flight eth_calls first: the server's cleanup waits for its handlers, and a
        # batch of expensive calls would keep one running for minutes.
        self.calls.abort()
        await self.consensus.stop()
        await self.server.stop()
        self.calls.close()
        self.ledger.close()


async def run_consortium_node(config: NodeConfig, p2p: P2pSettings) -> None:
    """Serve one consortium node on the running loop until cancelled."""
    node = Node.open(config, p2p=p2p)
    await node.start()
    print(f"rpc listening on {node.rpc_url}", flush=True)
    print(f"ws listening on {node.ws_url}", flush=True)
    print(f"p2p as 0x{node.consensus.address.hex()}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await node.stop()
