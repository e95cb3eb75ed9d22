"""An in-memory ``ChainReader`` for tests and examples.

It holds what the three registries would hold (checkpoints, issuers, document
status) and the block hashes a node would serve, with no I/O.  The SDK's JSON-RPC
reader is the real adapter; both pass the same verifier tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from govchain_core.verify import AnchoredCheckpoint, DocumentState, DocumentStatus, IssuerInfo


@dataclass
class MemoryChain:
    """A consortium chain's registries, as plain dictionaries."""

    id: int = 1337
    registry: str = "0x" + "a5" * 20
    checkpoints: dict[tuple[str, int], AnchoredCheckpoint] = field(default_factory=dict)
    block_hashes: dict[int, bytes] = field(default_factory=dict)
    issuers: dict[str, IssuerInfo] = field(default_factory=dict)
    statuses: dict[tuple[str, bytes], DocumentStatus] = field(default_factory=dict)

    def chain_id(self) -> int:
        return self.id

    def checkpoint(self, registry: str, issuer: str, size: int) -> AnchoredCheckpoint | None:
        if registry != self.registry:
            return None
        return self.checkpoints.get((issuer, size))

    def block_hash(self, number: int) -> bytes | None:
        return self.block_hashes.get(number)

    def issuer(self, address: str) -> IssuerInfo | None:
        return self.issuers.get(address)

    def status(self, issuer: str, leaf_hash: bytes) -> DocumentStatus:
        return self.statuses.get((issuer, leaf_hash), DocumentStatus(DocumentState.VALID))
