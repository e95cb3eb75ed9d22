"""``govchain consortium init``: genesis, keys and TLS material for a local consortium.

Layout written under ``DIR`` (node ``i`` listens on ``base_port + 10 i`` for JSON-RPC
over HTTP, ``+1`` for WebSocket and ``+2`` for p2p)::

    DIR/genesis.json          chain id, validators (sorted), allow-list, alloc, and the
                              Besu QBFT ``extra_data`` of block 0 listing the validators
    DIR/consortium.json       summary: nodes, addresses, roles, URLs, file locations
    DIR/dev-accounts.json     funded, allow-listed accounts for notaries/tests (0600)
    DIR/ca/ca.pem, ca.key     the consortium CA (key 0600; keep it offline in production)
    DIR/node-<i>/node.toml    the node's config: data dir, chain id, ports, [p2p] peers
    DIR/node-<i>/genesis.json the same genesis, so the data dir is self-contained
    DIR/node-<i>/validator.key  the node's secp256k1 key (0600); for members it is the
                              node key that signs the p2p hello, not a validator
    DIR/node-<i>/tls.pem, tls.key (0600), ca.pem

Validators are ``node-0 … node-(N-1)``, members follow. Every node lists every other node
as a static peer. Nothing is overwritten: a directory that already holds a consortium is
refused, since new keys would silently fork the old chain's validator set.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from pathlib import Path
from typing import Any

from govchain_node import tomlfile
from govchain_node.codec.extra_data import VANITY_LENGTH, ExtraData, encode_extra_data
from govchain_node.config import DEFAULT_CHAIN_ID, DEFAULT_GAS_LIMIT, NodeConfig
from govchain_node.consensus.qbft.validators import sort_validators
from govchain_node.errors import ConfigError
from govchain_node.genesis import DEV_BALANCE, GENESIS_FILE, AllocAccount, GenesisSpec
from govchain_node.keys import Account, load_or_create_validator_key, write_dev_accounts
from govchain_node.p2p import ca
from govchain_node.p2p.identity import NodeIdentity, Role
from govchain_node.p2p.settings import P2pSettings
from govchain_node.p2p.tls import TlsFiles
from govchain_node.p2p.transport import PeerSpec

SUMMARY_FILE = "consortium.json"
NODE_CONFIG_FILE = "node.toml"
CA_DIR = "ca"
PORT_STRIDE = 10
MAX_NODES = 100


class ConsortiumError(ConfigError):
    """A consortium directory cannot be created or read."""


@dataclasses.dataclass(frozen=True)
class ConsortiumSpec:
    """The choices of ``consortium init``; validated on construction."""

    validators: int
    members: int = 0
    chain_id: int = DEFAULT_CHAIN_ID
    block_period: float = 1.0
    base_port: int = 8545
    #: Where peers and clients reach node ``i``; ``{i}`` is replaced by the index, e.g.
    #: ``govchain-node-{i}`` for containers on one network.
    host: str = "127.0.0.1"
    #: Address the node binds (RPC and p2p); ``None``: the node's own ``host``.
    #: Containers use ``0.0.0.0`` with a ``{i}`` host template.
    bind: str | None = None
    accounts: int = 1
    gas_limit: int = DEFAULT_GAS_LIMIT

    def __post_init__(self) -> None:
        if self.validators < 1 or self.members < 0:
            raise ConsortiumError("need at least one validator and a non-negative member count")
        if self.validators + self.members > MAX_NODES:
            raise ConsortiumError(f"at most {MAX_NODES} nodes")
        if not 1 <= self.chain_id < 2**63:
            raise ConsortiumError("chain id must be a positive 64-bit integer")
        if self.block_period <= 0:
            raise ConsortiumError("a consortium needs a block period > 0 seconds")
        last = self.base_port + PORT_STRIDE * (self.validators + self.members - 1) + 2
        if self.base_port < 1024 or last > 65535:
            raise ConsortiumError(f"ports {self.base_port}…{last} are not all usable TCP ports")
        try:
            self.host_of(0)
        except (KeyError, IndexError, ValueError) as exc:
            raise ConsortiumError(f"host template {self.host!r} may only use {{i}}") from exc
        if not 0 <= self.accounts <= 1000:
            raise ConsortiumError("accounts must be between 0 and 1000")

    def host_of(self, index: int) -> str:
        return self.host.format(i=index)


@dataclasses.dataclass(frozen=True)
class NodeEntry:
    """One node of the consortium, as listed in ``consortium.json``."""

    index: int
    role: Role
    address: bytes
    host: str
    rpc_port: int
    ws_port: int
    p2p_port: int

    @property
    def name(self) -> str:
        return f"node-{self.index}"

    @property
    def rpc_url(self) -> str:
        return f"http://{self.host}:{self.rpc_port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.ws_port}"

    @property
    def identity(self) -> NodeIdentity:
        return NodeIdentity(self.address, self.role)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "index": self.index,
            "role": self.role.value,
            "address": "0x" + self.address.hex(),
            "host": self.host,
            "rpc_url": self.rpc_url,
            "ws_url": self.ws_url,
            "rpc_port": self.rpc_port,
            "ws_port": self.ws_port,
            "p2p_port": self.p2p_port,
            "dir": self.name,
            "config": f"{self.name}/{NODE_CONFIG_FILE}",
        }

    @classmethod
    def from_json(cls, entry: dict[str, Any]) -> NodeEntry:
        return cls(
            index=int(entry["index"]),
            role=Role(entry["role"]),
            address=bytes.fromhex(str(entry["address"]).removeprefix("0x")),
            host=str(entry["host"]),
            rpc_port=int(entry["rpc_port"]),
            ws_port=int(entry["ws_port"]),
            p2p_port=int(entry["p2p_port"]),
        )


@dataclasses.dataclass(frozen=True)
class Consortium:
    """A consortium directory: where it is, its chain and its nodes."""

    directory: Path
    chain_id: int
    block_period: float
    nodes: tuple[NodeEntry, ...]

    @property
    def validators(self) -> tuple[bytes, ...]:
        return sort_validators([n.address for n in self.nodes if n.role is Role.VALIDATOR])

    def node_dir(self, node: NodeEntry) -> Path:
        return self.directory / node.name

    def to_json(self) -> dict[str, Any]:
        return {
            "chain_id": self.chain_id,
            "block_period": self.block_period,
            "genesis": GENESIS_FILE,
            "ca_certificate": f"{CA_DIR}/ca.pem",
            "accounts": "dev-accounts.json",
            "validators": ["0x" + v.hex() for v in self.validators],
            "nodes": [n.to_json() for n in self.nodes],
        }

    @classmethod
    def load(cls, directory: Path) -> Consortium:
        """Read ``consortium.json``; :class:`ConsortiumError` if absent or malformed."""
        path = directory / SUMMARY_FILE
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                directory=directory,
                chain_id=int(document["chain_id"]),
                block_period=float(document["block_period"]),
                nodes=tuple(NodeEntry.from_json(n) for n in document["nodes"]),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConsortiumError(f"{path} is not a consortium summary: {exc!r}") from exc


def genesis_document(genesis: GenesisSpec) -> dict[str, Any]:
    """``genesis.json``: the node's genesis fields plus block 0's QBFT extraData."""
    extra = encode_extra_data(ExtraData(bytes(VANITY_LENGTH), genesis.validators))
    return {**genesis.to_json(), "extra_data": "0x" + extra.hex()}


def _write_json(path: Path, document: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        handle.write(json.dumps(document, indent=2) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)


def _node_config(
    spec: ConsortiumSpec, node_dir: Path, node: NodeEntry, peers: list[NodeEntry]
) -> str:
    p2p = P2pSettings(
        identity=node.identity,
        host=spec.bind or node.host,
        port=node.p2p_port,
        key_file=node_dir / "validator.key",
        tls=TlsFiles(node_dir / "tls.pem", node_dir / "tls.key", node_dir / "ca.pem"),
        peers=tuple(PeerSpec(p.identity, p.host, p.p2p_port) for p in peers),
    )
    document = {
        "data_dir": str(node_dir.resolve()),
        "chain_id": spec.chain_id,
        "block_period": spec.block_period,
        "block_gas_limit": spec.gas_limit,
        "rpc_host": spec.bind or node.host,
        "rpc_port": node.rpc_port,
        "ws_port": node.ws_port,
        # Written out so that operators see and tune the bounds of anonymous calls.
        "rpc_gas_cap": NodeConfig.rpc_gas_cap,
        "rpc_evm_timeout": NodeConfig.rpc_evm_timeout,
        "p2p": p2p.to_mapping(),
    }
    header = (
        f"govchain consortium {node.name} ({node.role.value} {node.identity.hex_address})\n"
        "written by `govchain consortium init`; paths in [p2p] are relative to this file"
    )
    return tomlfile.dumps(document, header)


def init_consortium(out: Path, spec: ConsortiumSpec) -> Consortium:
    """Create the consortium directory described in the module docstring."""
    if (out / SUMMARY_FILE).exists() or (out / GENESIS_FILE).exists():
        raise ConsortiumError(f"{out} already holds a consortium; choose another --out")
    count = spec.validators + spec.members
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    (out / CA_DIR).mkdir(exist_ok=True, mode=0o700)
    authority = ca.create_ca(f"govchain consortium {spec.chain_id} CA")
    ca.save(authority, out / CA_DIR / "ca.pem", out / CA_DIR / "ca.key")

    nodes: list[NodeEntry] = []
    for index in range(count):
        node_dir = out / f"node-{index}"
        node_dir.mkdir(exist_ok=True, mode=0o700)
        key = load_or_create_validator_key(node_dir)
        base = spec.base_port + PORT_STRIDE * index
        role = Role.VALIDATOR if index < spec.validators else Role.MEMBER
        host = spec.host_of(index)
        nodes.append(NodeEntry(index, role, key.address, host, base, base + 1, base + 2))
    consortium = Consortium(out, spec.chain_id, spec.block_period, tuple(nodes))

    accounts = [Account.generate() for _ in range(spec.accounts)]
    genesis = GenesisSpec(
        chain_id=spec.chain_id,
        timestamp=int(time.time()),
        gas_limit=spec.gas_limit,
        validators=consortium.validators,
        allow_list=tuple(a.address for a in accounts),
        alloc={a.address: AllocAccount(balance=DEV_BALANCE) for a in accounts},
    )
    document = genesis_document(genesis)
    write_dev_accounts(out, spec.chain_id, accounts)

    for node in nodes:
        node_dir = consortium.node_dir(node)
        names = tuple(dict.fromkeys(("localhost", node.host)))
        issued = ca.issue_node_certificate(authority, node.identity, hosts=names)
        ca.save(issued, node_dir / "tls.pem", node_dir / "tls.key")
        ca.write_public(node_dir / "ca.pem", authority.certificate_pem())
        _write_json(node_dir / GENESIS_FILE, document)
        peers = [p for p in nodes if p is not node]
        text = _node_config(spec, node_dir, node, peers)
        (node_dir / NODE_CONFIG_FILE).write_text(text, encoding="utf-8")

    _write_json(out / GENESIS_FILE, document)
    _write_json(out / SUMMARY_FILE, consortium.to_json())  # last: marks a complete init
    return consortium
