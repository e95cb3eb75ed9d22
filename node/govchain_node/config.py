"""Node settings: one immutable value, validated once at start-up.

Settings come from defaults, then an optional TOML file (``--config``), then command-line
flags; later sources win. Keys in the file are the field names below, e.g.::

    data_dir = "/var/lib/govchain/node"
    chain_id = 1337
    block_period = 1.0
    empty_block_period = 5.0
    rpc_port = 8545
    rpc_gas_cap = 50000000      # gas of one eth_call / eth_estimateGas at most
    rpc_evm_timeout = 5.0       # seconds one JSON-RPC request (a whole batch) may run calls
    max_subscriptions_per_connection = 100  # eth_subscribe per WebSocket connection
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from govchain_node import tomlfile
from govchain_node.errors import ConfigError
from govchain_node.keys import DEV_MNEMONIC

DEFAULT_CHAIN_ID = 1337
DEFAULT_GAS_LIMIT = 30_000_000
DEV_EMPTY_BLOCK_PERIOD = 5.0


@dataclasses.dataclass(frozen=True)
class TxPoolLimits:
    """Bounds that keep the pool's memory use and per-sender queueing finite."""

    max_transactions: int = 100_000
    max_per_sender: int = 20_000
    max_nonce_gap: int = 1_000
    max_tx_bytes: int = 128 * 1024
    price_bump_percent: int = 10


@dataclasses.dataclass(frozen=True)
class NodeConfig:
    """Everything a node needs to start; see the module docstring for the file format."""

    data_dir: Path
    dev: bool = False
    #: Funded, allow-listed experiment accounts of a new dev chain, derived from
    #: ``dev_mnemonic`` (see :data:`govchain_node.keys.DEV_MNEMONIC`).
    dev_accounts: int = 10
    dev_mnemonic: str = DEV_MNEMONIC
    chain_id: int = DEFAULT_CHAIN_ID
    block_period: float = 1.0
    #: Seconds between empty blocks of an idle ``--dev`` chain (newHeads keep coming);
    #: an empty block costs about 4.4 KB of disk: 75 MB per idle day at 5 s.
    empty_block_period: float = DEV_EMPTY_BLOCK_PERIOD
    block_gas_limit: int = DEFAULT_GAS_LIMIT
    rpc_host: str = "127.0.0.1"
    rpc_port: int = 8545
    ws_port: int | None = 8546
    max_body_bytes: int = 5 * 1024 * 1024
    max_batch_size: int = 1_000
    #: ``eth_subscribe`` subscriptions one WebSocket connection may hold (-32005 beyond).
    max_subscriptions_per_connection: int = 100
    logs_max_block_range: int = 10_000
    logs_max_results: int = 100_000
    #: Gas of one eth_call / eth_estimateGas at most (geth's ``--rpc.gascap``, 50M).
    rpc_gas_cap: int = 50_000_000
    #: Seconds one eth_call / eth_estimateGas may run (geth's ``--rpc.evmtimeout``, 5 s).
    rpc_evm_timeout: float = 5.0
    #: Threads executing calls off the event loop, and calls that may wait for one.
    rpc_call_workers: int = 2
    rpc_call_queue: int = 32
    txpool: TxPoolLimits = dataclasses.field(default_factory=TxPoolLimits)
    #: IssuerRegistry whose active issuers may send transactions (besides the
    #: genesis allow-list and the validators); ``None`` until one is deployed
    issuer_registry: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.chain_id < 2**63:
            raise ConfigError(f"chain_id must be a positive 64-bit integer, got {self.chain_id}")
        if self.block_period < 0:
            raise ConfigError("block_period must be >= 0 seconds")
        if self.empty_block_period <= 0:
            raise ConfigError("empty_block_period must be > 0 seconds")
        if self.empty_block_period < self.block_period:
            raise ConfigError("empty_block_period must be >= block_period")
        if not 5_000 <= self.block_gas_limit <= 2**63:
            raise ConfigError("block_gas_limit must be at least 5000")
        for name in ("rpc_port", "ws_port"):
            port = getattr(self, name)
            if port is not None and not 0 <= port <= 65535:
                raise ConfigError(f"{name} must be a TCP port (0 = any free port)")
        if not 1 <= self.dev_accounts <= 1000:
            raise ConfigError("dev_accounts must be between 1 and 1000")
        if self.max_body_bytes < 1024:
            raise ConfigError("max_body_bytes must be at least 1024")
        if self.max_subscriptions_per_connection < 1:
            raise ConfigError("max_subscriptions_per_connection must be positive")
        if self.max_batch_size < 1 or self.logs_max_block_range < 1 or self.logs_max_results < 1:
            raise ConfigError("RPC limits must be positive")
        if self.rpc_gas_cap < 21_000:
            raise ConfigError("rpc_gas_cap must be at least 21000 (a plain transfer)")
        if not 0 < self.rpc_evm_timeout <= 3600:
            raise ConfigError("rpc_evm_timeout must be between 0 and 3600 seconds")
        if not 1 <= self.rpc_call_workers <= 64 or not 0 <= self.rpc_call_queue <= 10_000:
            raise ConfigError("rpc_call_workers must be 1..64 and rpc_call_queue 0..10000")
        if self.issuer_registry is not None and not _is_address(self.issuer_registry):
            raise ConfigError("issuer_registry must be a 0x-hex address")

    @classmethod
    def load(cls, path: Path | None, overrides: Mapping[str, Any]) -> NodeConfig:
        """Merge defaults, the TOML file at ``path`` (if any) and non-None ``overrides``."""
        values: dict[str, Any] = {}
        if path is not None:
            values.update(tomlfile.read(path))
        values.update({k: v for k, v in overrides.items() if v is not None})
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ConfigError(f"unknown config keys: {', '.join(sorted(unknown))}")
        if "data_dir" not in values:
            raise ConfigError("data_dir is required")
        values["data_dir"] = Path(values["data_dir"])
        if isinstance(values.get("txpool"), Mapping):
            try:
                values["txpool"] = TxPoolLimits(**values["txpool"])
            except TypeError as exc:
                raise ConfigError(f"invalid [txpool] section: {exc}") from exc
        try:
            return cls(**values)
        except TypeError as exc:
            raise ConfigError(str(exc)) from exc


def _is_address(value: str) -> bool:
    digits = value.removeprefix("0x")
    return (
        value.startswith("0x")
        and len(digits) == 40
        and all(c in "0123456789abcdefABCDEF" for c in digits)
    )
