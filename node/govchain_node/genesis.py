"""Genesis: the chain's first block, allocations, validators and the send allow-list.

The genesis document (``genesis.json`` in the data dir) is the shared truth of a
chain: a node refuses to open a database whose block 0 does not match it.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eth.abc import BlockHeaderAPI

from govchain_node.codec.extra_data import VANITY_LENGTH, ExtraData, encode_extra_data
from govchain_node.errors import ConfigError

GENESIS_FILE = "genesis.json"
#: Besu's BFT mixHash constant ("byzantine fault tolerance").
BFT_MIX_HASH = bytes.fromhex("63746963616c2062797a616e74696e65206661756c7420746f6c6572616e6365")
DEV_BALANCE = 10**27  # 1e9 ether: enough for any dev use, far from overflow
ZERO_HASH = b"\x00" * 32
#: Besu's default QBFT ``epochlength``: pending validator votes are dropped every this many blocks.
DEFAULT_EPOCH_LENGTH = 30_000


@dataclasses.dataclass(frozen=True)
class AllocAccount:
    balance: int = 0
    nonce: int = 0
    code: bytes = b""
    storage: tuple[tuple[int, int], ...] = ()


@dataclasses.dataclass(frozen=True)
class GenesisSpec:
    """Everything that determines block 0."""

    chain_id: int
    timestamp: int
    gas_limit: int
    validators: tuple[bytes, ...]
    allow_list: tuple[bytes, ...]
    alloc: Mapping[bytes, AllocAccount]
    epoch_length: int = DEFAULT_EPOCH_LENGTH

    def __post_init__(self) -> None:
        if self.epoch_length < 1:
            raise ConfigError("genesis epoch_length must be a positive number of blocks")

    def extra_data(self) -> bytes:
        return encode_extra_data(ExtraData(b"\x00" * VANITY_LENGTH, self.validators, None, 0, ()))

    def header_params(self) -> dict[str, Any]:
        return {
            "difficulty": 0,
            "gas_limit": self.gas_limit,
            "timestamp": self.timestamp,
            "extra_data": self.extra_data(),
            "mix_hash": BFT_MIX_HASH,
            "nonce": b"\x00" * 8,
            "coinbase": b"\x00" * 20,
            "base_fee_per_gas": 0,
            "parent_beacon_block_root": ZERO_HASH,
        }

    def state(self) -> dict[bytes, dict[str, Any]]:
        return {
            address: {
                "balance": a.balance,
                "nonce": a.nonce,
                "code": a.code,
                "storage": dict(a.storage),
            }
            for address, a in self.alloc.items()
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "chain_id": self.chain_id,
            "timestamp": self.timestamp,
            "gas_limit": self.gas_limit,
            "validators": ["0x" + v.hex() for v in self.validators],
            "allow_list": ["0x" + a.hex() for a in self.allow_list],
            "epoch_length": self.epoch_length,
            "alloc": {
                "0x" + address.hex(): {
                    "balance": hex(a.balance),
                    "nonce": a.nonce,
                    "code": "0x" + a.code.hex(),
                    "storage": {hex(k): hex(v) for k, v in a.storage},
                }
                for address, a in self.alloc.items()
            },
        }

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> GenesisSpec:
        try:
            alloc = {
                _address(address): AllocAccount(
                    balance=int(str(a.get("balance", "0x0")), 0),
                    nonce=int(a.get("nonce", 0)),
                    code=bytes.fromhex(str(a.get("code", "0x")).removeprefix("0x")),
                    storage=tuple(
                        (int(k, 0), int(v, 0)) for k, v in dict(a.get("storage", {})).items()
                    ),
                )
                for address, a in dict(document.get("alloc", {})).items()
            }
            return cls(
                chain_id=int(document["chain_id"]),
                timestamp=int(document["timestamp"]),
                gas_limit=int(document["gas_limit"]),
                validators=tuple(_address(v) for v in document["validators"]),
                allow_list=tuple(_address(a) for a in document.get("allow_list", [])),
                alloc=alloc,
                epoch_length=int(document.get("epoch_length", DEFAULT_EPOCH_LENGTH)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"invalid genesis document: {exc}") from exc

    def save(self, data_dir: Path) -> None:
        """Write ``genesis.json`` atomically and durably (temp file, fsync, rename)."""
        path = data_dir / GENESIS_FILE
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as handle:
            handle.write(json.dumps(self.to_json(), indent=2) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)

    @classmethod
    def load(cls, data_dir: Path) -> GenesisSpec | None:
        path = data_dir / GENESIS_FILE
        if not path.exists():
            return None
        try:
            return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read {path}: {exc}") from exc


def _address(text: object) -> bytes:
    raw = bytes.fromhex(str(text).removeprefix("0x"))
    if len(raw) != 20:
        raise ValueError(f"not a 20-byte address: {text}")
    return raw


def dev_genesis(
    chain_id: int, timestamp: int, gas_limit: int, validator: bytes, dev_accounts: list[bytes]
) -> GenesisSpec:
    """Genesis of a ``--dev`` chain: one validator, funded and allow-listed dev accounts."""
    funded = {a: AllocAccount(balance=DEV_BALANCE) for a in (validator, *dev_accounts)}
    return GenesisSpec(
        chain_id=chain_id,
        timestamp=timestamp,
        gas_limit=gas_limit,
        validators=(validator,),
        allow_list=tuple(dev_accounts),
        alloc=funded,
    )


def genesis_matches(spec: GenesisSpec, header: BlockHeaderAPI) -> bool:
    return bool(
        header.extra_data == spec.extra_data()
        and header.gas_limit == spec.gas_limit
        and header.timestamp == spec.timestamp
    )
