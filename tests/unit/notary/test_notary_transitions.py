"""The notary refuses (409) exactly the status changes the StatusRegistry reverts.

The table is the contract's (contracts/src/StatusRegistry.sol):
Valid --suspend--> Suspended --reinstate--> Valid; Valid|Suspended --supersede-->
Superseded; Valid|Suspended|Superseded --revoke--> Revoked (final)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from govchain_core.verify import DocumentState
from govchain_notary.anchorers.memory import MemoryAnchorer
from govchain_notary.errors import ChainAccessError, ConflictError, UnprocessableError
from govchain_notary.service import check_successor, check_transition

ISSUER = "0x" + "ab" * 20
OTHER = b"\x07" * 32
ALLOWED = {
    (DocumentState.VALID, "suspend"),
    (DocumentState.VALID, "supersede"),
    (DocumentState.VALID, "revoke"),
    (DocumentState.SUSPENDED, "reinstate"),
    (DocumentState.SUSPENDED, "supersede"),
    (DocumentState.SUSPENDED, "revoke"),
    (DocumentState.SUPERSEDED, "revoke"),
}


@pytest.mark.parametrize("state", list(DocumentState))
@pytest.mark.parametrize("action", ["suspend", "reinstate", "supersede", "revoke"])
def test_transition_allowed_exactly_as_the_contract(state: DocumentState, action: str) -> None:
    if (state, action) in ALLOWED:
        check_transition(state, action)
    else:
        with pytest.raises(ConflictError):
            check_transition(state, action)


def test_the_in_memory_chain_reverts_what_the_contract_reverts(tmp_path: Path) -> None:
    """Every state reached by an allowed path, then every target tried on its own leaf."""
    chain = MemoryAnchorer(path=tmp_path / "chain.json")
    paths = {
        DocumentState.VALID: [],
        DocumentState.SUSPENDED: [DocumentState.SUSPENDED],
        DocumentState.SUPERSEDED: [DocumentState.SUPERSEDED],
        DocumentState.REVOKED: [DocumentState.REVOKED],
    }
    targets = {"suspend": DocumentState.SUSPENDED, "reinstate": DocumentState.VALID}
    targets |= {"supersede": DocumentState.SUPERSEDED, "revoke": DocumentState.REVOKED}
    for n, ((state, path), (action, target)) in enumerate(
        itertools.product(paths.items(), targets.items())
    ):
        leaf = n.to_bytes(32, "big")
        for step in path:
            chain.set_status(
                ISSUER, leaf, step, OTHER if step is DocumentState.SUPERSEDED else None
            )
        by = OTHER if target is DocumentState.SUPERSEDED else None
        if (state, action) in ALLOWED:
            chain.set_status(ISSUER, leaf, target, by)
        else:
            with pytest.raises(ChainAccessError):
                chain.set_status(ISSUER, leaf, target, by)


A, B, C = (bytes([n]) * 32 for n in (0xA1, 0xB2, 0xC3))


@pytest.mark.parametrize("state", list(DocumentState))
def test_successor_rule_as_the_contract(state: DocumentState) -> None:
    """A successor must be another leaf, neither superseded nor revoked."""
    if state in (DocumentState.VALID, DocumentState.SUSPENDED):
        check_successor(A, B, state)
    else:
        with pytest.raises(ConflictError):
            check_successor(A, B, state)
    with pytest.raises(UnprocessableError, match="itself"):
        check_successor(A, A, state)


def test_the_in_memory_chain_refuses_cycles_and_self_supersession() -> None:
    chain = MemoryAnchorer()
    with pytest.raises(ChainAccessError, match="itself"):
        chain.set_status(ISSUER, A, DocumentState.SUPERSEDED, A)
    chain.set_status(ISSUER, A, DocumentState.SUPERSEDED, B)
    with pytest.raises(ChainAccessError, match="superseded itself"):
        chain.set_status(ISSUER, B, DocumentState.SUPERSEDED, A)
    chain.set_status(ISSUER, B, DocumentState.SUPERSEDED, C)
    with pytest.raises(ChainAccessError, match="superseded itself"):
        chain.set_status(ISSUER, C, DocumentState.SUPERSEDED, A)
    chain.set_status(ISSUER, C, DocumentState.REVOKED, None)
    with pytest.raises(ChainAccessError, match="revoked"):
        chain.set_status(ISSUER, b"\x0d" * 32, DocumentState.SUPERSEDED, C)
