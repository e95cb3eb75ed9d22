"""Build the chain adapter the settings name."""

from __future__ import annotations

from govchain_notary.anchorers.base import Anchorer
from govchain_notary.anchorers.memory import MemoryChain
from govchain_notary.errors import ConfigurationError
from govchain_notary.settings import Settings


def make_anchorer(settings: Settings) -> Anchorer:
    if settings.chain == "memory":
        return MemoryChain(settings.chain_id, settings.anchor_registry,
                           issuers=settings.issuer_addresses)
    if settings.chain == "file":
        path = settings.effective_chain_file
        path.parent.mkdir(parents=True, exist_ok=True)
        return MemoryChain(settings.chain_id, settings.anchor_registry, path=path,
                           issuers=settings.issuer_addresses)
    raise ConfigurationError("the web3 chain adapter is not available yet")
