"""The notary's ``Anchorer`` seen as a ``govchain_core.verify.ChainReader`` for ``/v1/verify``.

The anchorer raises the notary's own ``ChainAccessError`` (an HTTP 502 elsewhere); the
verifier needs the core's ``ChainError`` to report a step as ``error`` and the verdict
as ``could_not_check`` with a 200.  This adapter converts at that edge and names the
node's URL; it trusts the AnchorRegistry the notary anchors in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from govchain_core import errors as core_errors
from govchain_core.verify import (
    AnchoredCheckpoint,
    AnchorTransaction,
    ChainReader,
    DocumentStatus,
    IssuerInfo,
)
from govchain_notary.errors import ChainAccessError

R = TypeVar("R")


class AnchorerReader:
    """A ``ChainReader`` over the anchorer's, which raises the notary's errors; chain
    failures name ``url``."""

    def __init__(self, anchorer: ChainReader, url: str | None) -> None:
        self.anchorer = anchorer
        self.url = url

    def _read(self, read: Callable[[], R]) -> R:
        try:
            return read()
        except ChainAccessError as exc:
            error = core_errors.ChainError(str(exc))
            error.url = self.url
            raise error from exc

    def chain_id(self) -> int:
        return self._read(self.anchorer.chain_id)

    def trusted_registry(self) -> str:
        return self.anchorer.trusted_registry()

    def checkpoint(self, registry: str, issuer: str, size: int) -> AnchoredCheckpoint | None:
        return self._read(lambda: self.anchorer.checkpoint(registry, issuer, size))

    def block_hash(self, number: int) -> bytes | None:
        return self._read(lambda: self.anchorer.block_hash(number))

    def head_block_number(self) -> int:
        return self._read(self.anchorer.head_block_number)

    def anchor_transaction(self, tx_hash: bytes) -> AnchorTransaction | None:
        return self._read(lambda: self.anchorer.anchor_transaction(tx_hash))

    def issuer(self, address: str) -> IssuerInfo | None:
        return self._read(lambda: self.anchorer.issuer(address))

    def status(self, issuer: str, leaf_hash: bytes) -> DocumentStatus:
        return self._read(lambda: self.anchorer.status(issuer, leaf_hash))
