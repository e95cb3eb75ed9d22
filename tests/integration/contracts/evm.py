"""A small in-memory py-evm (Prague) chain for the contract tests and the gas benchmark.

Every ``send`` mines one block holding one transaction (``mine_all``, never
``apply_transaction`` one by one); ``send_many`` puts several transactions into one
block. The harness owns the clock: ``chain.now`` is the timestamp of the next block,
and calls execute against the pending block, so a view sees ``block.timestamp ==
chain.now``. Reverts raise ``RevertError`` carrying the decoded custom error.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

import rlp
from eth.chains.base import MiningChain
from eth.db.atomic import AtomicDB
from eth.typing import AccountDetails
from eth.vm.forks.prague import PragueVM
from eth.vm.spoof import SpoofTransaction
from eth_abi.abi import decode, encode
from eth_keys.datatypes import PrivateKey
from eth_typing import Address
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from govchain_contracts import Artifact, ErrorSpec, canonical_type, signature

CHAIN_ID = 1337
GENESIS_TIME = 1_750_000_000
BLOCK_GAS_LIMIT = 30_000_000
TX_GAS = 10_000_000
_ERROR_STRING = keccak(text="Error(string)")[:4]
_PANIC = keccak(text="Panic(uint256)")[:4]


@dataclass(frozen=True)
class Account:
    """A funded externally owned account."""

    key: PrivateKey
    address: Address

    @property
    def checksum(self) -> str:
        return to_checksum_address(self.address)


@dataclass(frozen=True)
class Log:
    address: Address
    topics: tuple[bytes, ...]
    data: bytes


@dataclass(frozen=True)
class Receipt:
    """Outcome of a mined transaction that succeeded."""

    gas_used: int
    logs: tuple[Log, ...]
    block_number: int
    timestamp: int
    output: bytes


class RevertError(Exception):
    """A transaction or call reverted; ``name`` is the decoded custom error, if known."""

    def __init__(self, name: str, arguments: tuple[Any, ...], data: bytes) -> None:
        super().__init__(f"{name}{arguments!r}")
        self.name = name
        self.arguments = arguments
        self.data = data


def make_accounts(count: int) -> list[Account]:
    """Deterministic accounts (private keys 1..count, big-endian)."""
    result = []
    for index in range(1, count + 1):
        key = PrivateKey(index.to_bytes(32, "big"))
        result.append(Account(key, Address(key.public_key.to_canonical_address())))
    return result


class Chain:
    """An in-memory Prague chain with funded accounts and a controllable clock."""

    def __init__(self, account_count: int = 10, start_time: int = GENESIS_TIME) -> None:
        self.accounts = make_accounts(account_count)
        chain_class = MiningChain.configure(vm_configuration=((0, PragueVM),), chain_id=CHAIN_ID)
        genesis: dict[str, Any] = {
            "difficulty": 0,
            "gas_limit": BLOCK_GAS_LIMIT,
            "timestamp": start_time,
            "base_fee_per_gas": 0,
        }
        state: dict[Address, AccountDetails] = {
            account.address: {"balance": 10**24, "nonce": 0, "code": b"", "storage": {}}
            for account in self.accounts
        }
        self._chain = cast(MiningChain, chain_class.from_genesis(AtomicDB(), genesis, state))
        self._errors: dict[bytes, ErrorSpec] = {}
        self._call_vm: tuple[tuple[int, int], Any] | None = None
        self.last_receipt: Receipt | None = None
        """Receipt of the latest successful ``send`` (e.g. of a deployment)."""
        self.last_block_time = start_time
        self.now = start_time + 1

    # ------------------------------------------------------------------ clock

    def advance(self, seconds: int) -> None:
        """Move the next block's timestamp forward."""
        self.set_time(self.now + seconds)

    def set_time(self, timestamp: int) -> None:
        """Set the next block's timestamp; it must be after the last block's."""
        if timestamp <= self.last_block_time:
            raise ValueError(f"time {timestamp} is not after the last block")
        self.now = timestamp

    @property
    def block_number(self) -> int:
        """Number of the latest mined block."""
        return int(self._chain.header.block_number) - 1

    # ------------------------------------------------------------------ execution

    def register_errors(self, artifact: Artifact) -> None:
        """Let reverts from this artifact's custom errors be decoded by name."""
        self._errors.update(artifact.errors)

    def send(self, sender: Account, to: Address, data: bytes, gas: int = TX_GAS) -> Receipt:
        """Mine one block with one transaction; raise ``RevertError`` if it failed."""
        outcome = self.send_many([(sender, to, data)], gas=gas)[0]
        if isinstance(outcome, RevertError):
            raise outcome
        self.last_receipt = outcome
        return outcome

    def send_many(
        self, transactions: Sequence[tuple[Account, Address, bytes]], gas: int = TX_GAS
    ) -> list[Receipt | RevertError]:
        """Mine one block holding all ``transactions`` (sender, to, data), in order."""
        self._chain.set_header_timestamp(self.now)
        vm = self._chain.get_vm()
        nonces: dict[bytes, int] = {}
        signed = []
        for sender, to, data in transactions:
            nonce = nonces.get(sender.address, vm.state.get_nonce(sender.address))
            nonces[sender.address] = nonce + 1
            unsigned = vm.create_unsigned_transaction(
                nonce=nonce,
                gas_price=self._chain.header.base_fee_per_gas or 0,
                gas=gas,
                to=to,
                value=0,
                data=data,
            )
            signed.append(unsigned.as_signed_transaction(sender.key, chain_id=CHAIN_ID))
        result, receipts, computations = self._chain.mine_all(signed)
        header = result.imported_block.header
        self.last_block_time = header.timestamp
        self.now = header.timestamp + 1
        outcomes: list[Receipt | RevertError] = []
        previous_gas = 0
        for receipt, computation in zip(receipts, computations, strict=True):
            gas_used = receipt.gas_used - previous_gas
            previous_gas = receipt.gas_used
            if computation.is_error:
                outcomes.append(self.decode_revert(computation.output))
                continue
            logs = tuple(
                Log(log.address, tuple(t.to_bytes(32, "big") for t in log.topics), log.data)
                for log in receipt.logs
            )
            outcomes.append(
                Receipt(gas_used, logs, header.block_number, header.timestamp, computation.output)
            )
        return outcomes

    def call(self, to: Address, data: bytes, sender: Account | None = None) -> bytes:
        """Execute a call against the pending block (timestamp ``now``), changing nothing."""
        vm = self._pending_vm()
        origin = sender.address if sender else self.accounts[0].address
        unsigned = vm.create_unsigned_transaction(
            nonce=vm.state.get_nonce(origin),
            gas_price=self._chain.header.base_fee_per_gas or 0,
            gas=TX_GAS,
            to=to,
            value=0,
            data=data,
        )
        # Not vm.in_costless_state(): it builds a child header stamped with wall-clock time.
        state = vm.state
        snapshot = state.snapshot()
        try:
            computation = state.costless_execute_transaction(
                SpoofTransaction(unsigned, from_=origin)
            )
        finally:
            state.revert(snapshot)
        if computation.is_error:
            raise self.decode_revert(computation.output)
        return bytes(computation.output)

    def _pending_vm(self) -> Any:
        """A VM for the pending block at ``now``, reused until the next block or clock change
        (calls revert their state changes, so the VM stays clean)."""
        key = (self.block_number, self.now)
        if self._call_vm is None or self._call_vm[0] != key:
            self._chain.set_header_timestamp(self.now)
            self._call_vm = (key, self._chain.get_vm())
        return self._call_vm[1]

    def code_at(self, address: Address) -> bytes:
        return bytes(self._chain.get_vm().state.get_code(address))

    def decode_revert(self, data: bytes) -> RevertError:
        """Map revert data to a ``RevertError`` named after the custom error."""
        selector, payload = data[:4], data[4:]
        spec = self._errors.get(selector)
        if spec is not None:
            values = decode(list(spec.arg_types), payload)
            params = [{"type": t} for t in spec.arg_types]
            return RevertError(spec.name, tuple(map(to_python, params, values)), data)
        if selector == _ERROR_STRING:
            return RevertError("Error", tuple(decode(["string"], payload)), data)
        if selector == _PANIC:
            return RevertError("Panic", tuple(decode(["uint256"], payload)), data)
        return RevertError("<unknown>" if data else "<empty>", (), data)

    # ------------------------------------------------------------------ contracts

    def deploy(self, artifact: Artifact, *args: Any, sender: Account | None = None) -> Contract:
        """Deploy ``artifact`` with constructor ``args``; return a handle to it."""
        self.register_errors(artifact)
        deployer = sender or self.accounts[0]
        constructor = next((e for e in artifact.abi if e["type"] == "constructor"), None)
        encoded = b""
        if constructor is not None:
            types = [canonical_type(p) for p in constructor["inputs"]]
            encoded = encode(types, list(args))
        nonce = self._chain.get_vm().state.get_nonce(deployer.address)
        self.send(deployer, Address(b""), artifact.bytecode + encoded)
        return Contract(self, artifact, contract_address(deployer.address, nonce))


def contract_address(deployer: Address, nonce: int) -> Address:
    """CREATE address: keccak(rlp([deployer, nonce]))[12:]."""
    return Address(keccak(rlp.encode([deployer, nonce]))[12:])


@dataclass(frozen=True)
class Event:
    name: str
    args: dict[str, Any]


class Contract:
    """A deployed contract: ABI-encoded transactions and calls by function name."""

    def __init__(self, chain: Chain, artifact: Artifact, address: Address) -> None:
        self.chain = chain
        self.artifact = artifact
        self.address = address
        self._events = {
            keccak(text=signature(entry)): entry
            for entry in artifact.abi
            if entry["type"] == "event"
        }

    def encode(self, function: str, *args: Any) -> bytes:
        """Calldata for ``function(*args)``."""
        entry = self.artifact.function(function)
        types = [canonical_type(p) for p in entry["inputs"]]
        return keccak(text=signature(entry))[:4] + encode(types, list(args))

    def transact(self, function: str, *args: Any, sender: Account) -> Receipt:
        return self.chain.send(sender, self.address, self.encode(function, *args))

    def call(self, function: str, *args: Any, sender: Account | None = None) -> Any:
        """Return the single output, or a tuple for several outputs."""
        entry = self.artifact.function(function)
        output = self.chain.call(self.address, self.encode(function, *args), sender)
        values = decode([canonical_type(p) for p in entry["outputs"]], output)
        result = tuple(map(to_python, entry["outputs"], values))
        return result[0] if len(result) == 1 else result

    def events(self, receipt: Receipt, name: str | None = None) -> list[Event]:
        """Decoded events this contract emitted in ``receipt`` (optionally one kind)."""
        found = []
        for log in receipt.logs:
            entry = self._events.get(log.topics[0]) if log.topics else None
            if log.address != self.address or entry is None:
                continue
            if name is None or entry["name"] == name:
                found.append(Event(entry["name"], _decode_event(entry, log)))
        return found


def _decode_event(entry: Mapping[str, Any], log: Log) -> dict[str, Any]:
    indexed = [p for p in entry["inputs"] if p["indexed"]]
    plain = [p for p in entry["inputs"] if not p["indexed"]]
    args: dict[str, Any] = {}
    for param, topic in zip(indexed, log.topics[1:], strict=True):
        args[param["name"]] = to_python(param, decode([canonical_type(param)], topic)[0])
    values = decode([canonical_type(p) for p in plain], log.data)
    args.update((p["name"], to_python(p, v)) for p, v in zip(plain, values, strict=True))
    return args


def to_python(param: Mapping[str, Any], value: Any) -> Any:
    """Decoded ABI value -> test-friendly value: checksum addresses, lists for arrays."""
    kind: str = param["type"]
    if kind.endswith("]"):
        inner = {**param, "type": kind[: kind.rindex("[")]}
        return [to_python(inner, item) for item in value]
    if kind == "tuple":
        return tuple(map(to_python, param["components"], value))
    if kind == "address":
        return to_checksum_address(value)
    return value


@contextmanager
def reverts(name: str) -> Iterator[list[RevertError]]:
    """``with reverts("AlreadyVoted") as caught:`` fails unless that error is raised."""
    caught: list[RevertError] = []
    try:
        yield caught
    except RevertError as exc:
        if exc.name != name:
            raise AssertionError(f"expected revert {name}, got {exc.name}{exc.arguments}") from exc
        caught.append(exc)
        return
    raise AssertionError(f"expected revert {name}, nothing reverted")
