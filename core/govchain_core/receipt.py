"""Receipt v1 values: a leaf record, its inclusion proof and where its checkpoint is anchored.

Immutable value objects only; the JSON form lives in ``receipt_codec``.  A receipt
is self-contained evidence: with any consortium node's JSON-RPC, anybody can check
it without asking the notary that issued it.
"""

from __future__ import annotations

from dataclasses import dataclass

from govchain_core.leaf import LeafRecord

RECEIPT_TYPE = "govchain-receipt"
RECEIPT_VERSION = "1.0"
PROOF_ALGORITHM = "rfc9162-sha256"


@dataclass(frozen=True, slots=True)
class InclusionProof:
    """RFC 9162 inclusion proof of the leaf in the anchored checkpoint ``(tree_size, root)``."""

    index: int
    tree_size: int
    path: tuple[bytes, ...]
    root: bytes


@dataclass(frozen=True, slots=True)
class AnchorRef:
    """Where the checkpoint ``(issuer, tree_size, root)`` was anchored."""

    chain_id: int
    registry: str
    tx_hash: bytes
    block_number: int
    block_hash: bytes
    timestamp: int


@dataclass(frozen=True, slots=True)
class Receipt:
    """A complete receipt v1."""

    leaf: LeafRecord
    proof: InclusionProof
    anchor: AnchorRef

    @property
    def issuer(self) -> str:
        return self.leaf.issuer

    @property
    def leaf_hash(self) -> bytes:
        return self.leaf.leaf_hash()
