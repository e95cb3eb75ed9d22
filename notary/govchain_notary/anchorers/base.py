"""What the notary needs from the chain: small interfaces and the values they carry.

Each consumer depends on the smallest interface it needs:

* ``CheckpointWriter`` - the anchoring worker: anchors checkpoints and reads back
  the newest one that landed;
* ``StatusWriter`` - a status change: records one and reads statuses back;
* ``StatusEvents`` - the status follower: the head and ``StatusChanged`` events;
* ``RegistryReader`` - the issuer roles cache: the IssuerRegistry and its events;
* ``govchain_core.verify.ChainReader`` - ``/v1/verify`` (through ``verify_reader``).

``Anchorer`` is all of them, as the adapters (``memory``, ``web3``) implement it and
the service composes them.  Adapters convert their own errors into
``govchain_notary.errors.ChainAccessError`` at this edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from govchain_core.receipt import AnchorRef
from govchain_core.verify import ChainReader, DocumentState, DocumentStatus, IssuerInfo


@dataclass(frozen=True, slots=True)
class ChainCheckpoint:
    """The newest checkpoint an issuer has anchored, as the AnchorRegistry reports it."""

    size: int
    root: bytes
    anchor: AnchorRef


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One status change on chain: a ``StatusChanged`` event, or a status read back."""

    issuer: str
    leaf_hash: bytes
    status: DocumentStatus
    block_number: int
    log_index: int

    @property
    def key(self) -> tuple[str, bytes]:
        """``(issuer address, leaf hash)``, as the StatusRegistry keys a status."""
        return (self.issuer, self.leaf_hash)

    @property
    def position(self) -> tuple[int, int]:
        return (self.block_number, self.log_index)


class CheckpointWriter(Protocol):
    """Anchors checkpoints in the AnchorRegistry and reads back what landed."""

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


class StatusWriter(Protocol):
    """Records status changes in the StatusRegistry and reads statuses back."""

    def set_status(
        self, issuer: str, leaf_hash: bytes, state: DocumentState, superseded_by: bytes | None
    ) -> AnchorRef:
        """Record a status change for one of the issuer's leaves; wait until final."""
        ...

    def status(self, issuer: str, leaf_hash: bytes) -> DocumentStatus: ...


class StatusEvents(Protocol):
    """The StatusRegistry's ``StatusChanged`` events, which the status index copies."""

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


class RegistryReader(Protocol):
    """The IssuerRegistry and its events (the issuer roles cache follows these)."""

    def head(self) -> int: ...

    def issuer(self, address: str) -> IssuerInfo | None: ...

    def issuer_changes(self, issuers: Sequence[str], first: int, last: int) -> set[str]:
        """Which of ``issuers`` the IssuerRegistry registered, updated, removed or gave
        other roles in blocks ``first`` to ``last``."""
        ...


class Anchorer(CheckpointWriter, StatusWriter, StatusEvents, RegistryReader, ChainReader, Protocol):
    """Everything the notary asks of the chain: what an adapter implements.  Its
    ``ChainReader`` raises the notary's ``ChainAccessError`` (``verify_reader`` converts it)."""

    def list_issuers(self) -> list[IssuerInfo]:
        """Every issuer in the IssuerRegistry (the service lists them)."""
        ...
