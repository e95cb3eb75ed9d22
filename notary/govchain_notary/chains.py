"""Build the chain adapter the settings name."""

from __future__ import annotations

from govchain_notary.anchorers.base import Anchorer
from govchain_notary.anchorers.memory import MemoryAnchorer
from govchain_notary.clock import SYSTEM_CLOCK, Clock
from govchain_notary.settings import Settings


def make_anchorer(settings: Settings, clock: Clock = SYSTEM_CLOCK) -> Anchorer:
    """The chain ``settings`` name; ``clock`` stamps the blocks of an in-memory chain
    (a real chain's blocks carry the node's time)."""
    if settings.chain == "memory":
        return MemoryAnchorer(
            settings.chain_id,
            settings.anchor_registry,
            issuers=settings.issuer_addresses,
            clock=clock,
        )
    if settings.chain == "file":
        path = settings.effective_chain_file
        path.parent.mkdir(parents=True, exist_ok=True)
        return MemoryAnchorer(
            settings.chain_id,
            settings.anchor_registry,
            path=path,
            issuers=settings.issuer_addresses,
            clock=clock,
        )
    from govchain_notary.anchorers.web3 import Web3Chain  # web3.py loads only when used

    return Web3Chain.from_settings(settings)
