"""What the notary needs from the chain, as one small interface.

``Anchorer`` writes checkpoints and status changes and reads back what landed;
it also is a ``govchain_core.verify.ChainReader`` so the notary can verify
receipts against the same chain.  Adapters convert their own errors into
``govchain_notary.errors.ChainError`` at this edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from govchain_core.receipt import AnchorRef
from govchain_core.verify import (
    AnchoredCheckpoint,
    AnchorTransaction,
    DocumentState,
    DocumentStatus,
    IssuerInfo,
)
from govchain_notary.storage.statuses import StatusChange


@dataclass(frozen=True, slots=True)
class ChainCheckpoint:
    """The newest checkpoint an issuer has anchored, as the AnchorRegistry reports it."""

    size: int
    root: bytes
    anchor: AnchorRef


class Anchorer(Protocol):
    """Anchors checkpoints and records status changes on the consortium chain."""

    @property
    def registry(self) -> str:
        """Address of the AnchorRegistry receipts name."""
        ...

    def anchor(
        self, issuer: str, size: int, root: bytes, prev_size: int, proof: Sequence[bytes]
    ) -> AnchorRef:
        """Send ``anchor(size, root, prevSize, proof)`` as ``issuer``; wait until final."""
        ...

    def latest(self, issuer: str) -> ChainCheckpoint | None:
        """The issuer's newest anchored checkpoint, or None before the first one."""
        ...

    def set_status(
        self, issuer: str, leaf_hash: bytes, state: DocumentState, superseded_by: bytes | None
    ) -> AnchorRef:
        """Record a status change for one of the issuer's leaves; wait until final."""
        ...

    def list_issuers(self) -> list[IssuerInfo]:
        """Every issuer in the IssuerRegistry."""
        ...

    # the status index follows these
    @property
    def status_registry(self) -> str:
        """Address of the StatusRegistry whose changes the status index copies."""
        ...

    def head(self) -> int:
        """Number of the newest block; final as soon as it exists (QBFT), as ``anchor``
        and ``set_status`` take a transaction to be final once it has a receipt."""
        ...

    def status_changes(self, issuers: Sequence[str], first: int, last: int) -> list[StatusChange]:
        """The issuers' ``StatusChanged`` events in blocks ``first`` to ``last``, in order."""
        ...

    # the issuer roles cache follows this
    def issuer_changes(self, issuers: Sequence[str], first: int, last: int) -> set[str]:
        """Which of ``issuers`` the IssuerRegistry registered, updated, removed or gave
        other roles in blocks ``first`` to ``last``."""
        ...

    # govchain_core.verify.ChainReader (its ChainError is the notary's: see verify_reader)
    def chain_id(self) -> int: ...

    def trusted_registry(self) -> str: ...

    def checkpoint(self, registry: str, issuer: str, size: int) -> AnchoredCheckpoint | None: ...

    def block_hash(self, number: int) -> bytes | None: ...

    def anchor_transaction(self, tx_hash: bytes) -> AnchorTransaction | None: ...

    def issuer(self, address: str) -> IssuerInfo | None: ...

    def status(self, issuer: str, leaf_hash: bytes) -> DocumentStatus: ...
