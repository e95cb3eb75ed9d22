"""The StatusRegistry's status transitions, stated once for the notary's own check
(a 409 before any transaction) and for the in-memory chain that stands in for the
contract.  The contract's table (contracts/src/StatusRegistry.sol):
Valid --suspend--> Suspended --reinstate--> Valid; Valid|Suspended --supersede-->
Superseded; Valid|Suspended|Superseded --revoke--> Revoked (final).  A successor
must be another leaf that is neither superseded nor revoked itself: as every leaf
of a supersession cycle is superseded when the edge closing it is added, this one
rule keeps supersession chains free of cycles of any length."""

from __future__ import annotations

from govchain_core.verify import DocumentState


def refusal(current: DocumentState, target: DocumentState) -> str | None:
    """Why the StatusRegistry reverts a change from ``current`` to ``target``, or None."""
    if current is DocumentState.REVOKED:
        return "the document is revoked; that is final"
    if current is DocumentState.SUPERSEDED and target is not DocumentState.REVOKED:
        return "the document is superseded; it can only be revoked"
    if target is DocumentState.VALID and current is not DocumentState.SUSPENDED:
        return "only a suspended document can be reinstated"
    if target is DocumentState.SUSPENDED and current is DocumentState.SUSPENDED:
        return "the document is already suspended"
    return None


def successor_refusal(
    leaf_hash: bytes, successor: bytes | None, successor_state: DocumentState
) -> str | None:
    """Why the StatusRegistry reverts superseding ``leaf_hash`` by ``successor``
    (whose current state is ``successor_state``), or None."""
    if successor is None or successor == bytes(32):
        return "a supersession needs the successor's leaf hash"
    if successor == leaf_hash:
        return "a document cannot supersede itself"
    if successor_state is DocumentState.SUPERSEDED:
        return "the successor is superseded itself (a supersession cycle, or an outdated successor)"
    if successor_state is DocumentState.REVOKED:
        return "the successor is revoked"
    return None
