"""An in-memory ``ChainReader`` for tests and examples.

It holds what the three registries would hold (checkpoints, issuers, document
status), the block hashes and the anchoring transactions' receipts a node would
serve, with no I/O.  The SDK's JSON-RPC reader is the real adapter; both pass the
same verifier tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from govchain_core.receipt import AnchorRef
from govchain_core.verify import (
    AnchoredCheckpoint,
    AnchorTransaction,
    DocumentState,
    DocumentStatus,
    IssuerInfo,
    anchored_log,
)


@dataclass
class MemoryChainReader:
    """A consortium chain's registries, as plain dictionaries."""

    id: int = 1337
    registry: str = "0x" + "a5" * 20
    checkpoints: dict[tuple[str, int], AnchoredCheckpoint] = field(default_factory=dict)
    block_hashes: dict[int, bytes] = field(default_factory=dict)
    transactions: dict[bytes, AnchorTransaction] = field(default_factory=dict)
    issuers: dict[str, IssuerInfo] = field(default_factory=dict)
    statuses: dict[tuple[str, bytes], DocumentStatus] = field(default_factory=dict)
    #: The newest block, as a node would say; None: the highest block recorded here.
    head: int | None = None

    def record_anchor(self, issuer: str, size: int, root: bytes, anchor: AnchorRef) -> None:
        """What one successful ``AnchorRegistry.anchor`` leaves on chain, where ``anchor``
        says (its ``chain_id`` and ``registry`` are taken as this chain's)."""
        number, block_hash = anchor.block_number, anchor.block_hash
        self.checkpoints[(issuer, size)] = AnchoredCheckpoint(root, number, anchor.timestamp)
        self.block_hashes[number] = block_hash
        log = anchored_log(self.registry, issuer, size, root, 0)
        self.transactions[anchor.tx_hash] = AnchorTransaction(
            1, number, block_hash, self.registry, (log,)
        )

    def chain_id(self) -> int:
        return self.id

    def trusted_registry(self) -> str:
        return self.registry

    def checkpoint(self, registry: str, issuer: str, size: int) -> AnchoredCheckpoint | None:
        if registry != self.registry:
            return None
        return self.checkpoints.get((issuer, size))

    def block_hash(self, number: int) -> bytes | None:
        return self.block_hashes.get(number)

    def head_block_number(self) -> int:
        if self.head is not None:
            return self.head
        return max(self.block_hashes, default=0)

    def anchor_transaction(self, tx_hash: bytes) -> AnchorTransaction | None:
        return self.transactions.get(tx_hash)

    def issuer(self, address: str) -> IssuerInfo | None:
        return self.issuers.get(address)

    def status(self, issuer: str, leaf_hash: bytes) -> DocumentStatus:
        return self.statuses.get((issuer, leaf_hash), DocumentStatus(DocumentState.VALID))
