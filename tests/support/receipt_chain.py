"""An in-memory chain that holds exactly what a receipt says was anchored, by a known issuer."""

from __future__ import annotations

from govchain_core.memory_chain import MemoryChainReader
from govchain_core.receipt import Receipt
from govchain_core.verify import IssuerInfo


def chain_for(r: Receipt) -> MemoryChainReader:
    chain = MemoryChainReader(id=r.anchor.chain_id, registry=r.anchor.registry)
    chain.record_anchor(r.issuer, r.proof.tree_size, r.proof.root, r.anchor)
    chain.issuers[r.issuer] = IssuerInfo(
        r.issuer, "Bürgeramt Musterstadt", "05315000", roles=1, valid_from=0, valid_until=0
    )
    return chain
